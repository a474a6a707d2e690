// `cilium-dbg status` text → facts, on output quoted from real threads.
import { describe, expect, it } from 'vitest';
import { ipamPressure, parseAgentStatus } from '../../../runbooks/engine/agent-status.ts';
import { exampleEvidence } from './fixtures.ts';
import { STATUS_18331 } from './pasted/samples.ts';


describe('parseAgentStatus', () => {
  it('reads #18331: IPAM 510/511, KPR Probe, the failing controller, host routing and masquerading', () => {
    const s = parseAgentStatus(STATUS_18331);
    expect(s.ipam).toEqual([{ family: 'IPv4', allocated: 510, total: 511, cidr: '10.128.68.0/23' }]);
    expect(s.kubeProxyReplacement).toBe('Probe');
    expect(s.kubernetes).toBe('Ok');
    expect(s.kvstore).toBe('Ok');
    expect(s.controllers).toEqual({ healthy: 2056, total: 2057, failing: [{ name: 'endpoint-595-regeneration-recovery', message: 'regeneration recovery failed' }] });
    expect(s.hostRouting).toBe('Legacy');
    expect(s.masquerading).toBe('IPTables');
    expect(s.bandwidthManager).toBe('Disabled');
    expect(s.ciliumVersion).toBeNull();
  });

  it('reads the healthy fixture (#17540): both families, the version from the Cilium line', () => {
    const e = exampleEvidence();
    const s = parseAgentStatus(e.agentStatus.ok ? e.agentStatus.value.text : '');
    expect(s.ipam.map((p) => [p.family, p.allocated, p.total])).toEqual([['IPv4', 4, 254], ['IPv6', 4, Number('18446744073709551614')]]);
    expect(s.ciliumVersion).toBe('1.10.4');
    expect(s.ipam.map(ipamPressure)).toEqual([null, null]);
  });

  it('reads the pre-1.6 pool lines (PR #6613) and the 1.17 Routing line (#46598)', () => {
    const s = parseAgentStatus('IPv4 address pool:      15/65535 allocated from 10.132.0.0/16\nIPv6 address pool:      14/65535 allocated from f00d::a84:0:0:0/112\nRouting:                 Network: Native   Host: BPF\n');
    expect(s.ipam.map((p) => `${p.family} ${p.allocated}/${p.total} ${p.cidr}`)).toEqual(['IPv4 15/65535 10.132.0.0/16', 'IPv6 14/65535 f00d::a84:0:0:0/112']);
    expect(s.hostRouting).toBe('BPF');
  });

  it('--verbose lists healthy controllers too: only those with failures count as failing', () => {
    const s = parseAgentStatus([
      'Controller Status:      2/3 healthy',
      '  Name                       Last success   Last error   Count   Message',
      '  cilium-health-ep           23m36s ago     49s ago      29      Get "http://10.1.132.248:4240/hello": dial tcp 10.1.132.248:4240: connect: connection refused',
      '  sync-to-k8s-ciliumendpoint 5s ago         never        0       no error',
    ].join('\n'));
    expect(s.controllers?.failing.map((c) => c.name)).toEqual(['cilium-health-ep']);
  });
});

describe('ipamPressure', () => {
  const pool = (allocated: number, total: number) => ({ family: 'IPv4' as const, allocated, total, cidr: '10.0.0.0/24' });
  it('full at total − 1 (the pre-PR #15707 total counted the broadcast address), nearly at 95 %, else null', () => {
    expect(ipamPressure(pool(510, 511))).toBe('exhausted');
    expect(ipamPressure(pool(254, 254))).toBe('exhausted');
    expect(ipamPressure(pool(242, 254))).toBe('nearly-exhausted');
    expect(ipamPressure(pool(240, 254))).toBeNull();
    expect(ipamPressure(pool(0, 0))).toBeNull();
  });
});
