// The catalogue reads the pasted facts where they carry the cause.
import { describe, expect, it } from 'vitest';
import { analyzePastedText } from '../../../../runbooks/engine/pasted/analyze-pasted.ts';
import { IPTABLES } from '../fixtures.ts';
import { AVC_6358, DESCRIBE_AGENT_POD, EVENTS_15255, HUBBLE_3648, LOCKDOWN_8117, STATUS_18331 } from './samples.ts';

const first = (text: string, facts = {}) => analyzePastedText(text, facts).report.findings[0];

describe('pasted facts → findings', () => {
  it('cilium-dbg status IPAM 510/511 (#18331) → ipam-exhausted, critical, quoting the line', () => {
    const f = first(STATUS_18331);
    expect(f).toMatchObject({ runbookId: 'ipam-exhausted', severity: 'critical', confidence: 'certain' });
    expect(f?.evidence.map((q) => q.text)).toContain('IPAM: IPv4: 510/511 allocated from 10.128.68.0/23 (none or one left)');
  });

  it('IPAM at 95 % → a warning; at 50 % → nothing', () => {
    expect(first('IPAM:                   IPv4: 242/254 allocated from 10.0.1.0/24,\n')).toMatchObject({ runbookId: 'ipam-exhausted', severity: 'warning', title: 'Pod IPs nearly exhausted on <node>' });
    expect(first('IPAM:                   IPv4: 127/254 allocated from 10.0.1.0/24,\nKubeProxyReplacement:   False\n')).toBeUndefined();
  });

  it('SELinux prog_load denials (#6358): the SELinux fix; critical only with the agent\'s failed load beside them', () => {
    const alone = first(AVC_6358);
    expect(alone).toMatchObject({ runbookId: 'bpf-program-load-denied', severity: 'warning', confidence: 'medium' });
    expect(alone?.fixSteps[0]?.helmValues).toContain('spc_t');
    const withLog = first(`${AVC_6358}\nlevel=error msg="Error while rewriting endpoint BPF program" error="Failed to load prog with tc: operation not permitted" subsys=datapath-loader\n`);
    expect(withLog).toMatchObject({ runbookId: 'bpf-program-load-denied', severity: 'critical', confidence: 'certain' });
    expect(withLog?.summary).toContain('SELinux denying bpf() (prog_load');
  });

  it('a lockdown line alone (talos#8117, not the cause there) is a warning, never critical', () => {
    expect(first(LOCKDOWN_8117)).toMatchObject({ runbookId: 'bpf-program-load-denied', severity: 'warning' });
  });

  it('pasted iptables-save with KUBE-SVC chains and the status saying KPR True → kube-proxy-conflict', () => {
    const f = first(`KubeProxyReplacement:   True   [eth0 10.0.0.7 (Direct Routing)]\n\n${IPTABLES.kubeProxy}\n`);
    expect(f).toMatchObject({ runbookId: 'kube-proxy-conflict', severity: 'warning' });
    expect(f?.evidence.map((q) => q.source)).toEqual(expect.arrayContaining(['cilium-dbg status (pasted)', 'iptables-save (pasted, unknown)']));
    // KPR off (the 1.15 "False") → nothing to conflict with.
    expect(first(`KubeProxyReplacement:   False\n\n${IPTABLES.kubeProxy}\n`)).toBeUndefined();
  });

  it('Hubble policy drops (gatekeeper#3648) → policy-default-deny, quoting the drops', () => {
    const f = first(HUBBLE_3648);
    expect(f).toMatchObject({ runbookId: 'policy-default-deny', severity: 'warning' });
    expect(f?.evidence).toHaveLength(2);
    expect(f?.summary).toContain('2 flows dropped by network policy');
  });

  it('a described agent pod in CrashLoopBackOff → agent-crashloop, critical', () => {
    expect(first(DESCRIBE_AGENT_POD)).toMatchObject({ runbookId: 'agent-crashloop', severity: 'critical' });
  });

  it('CNI "range is full" events with nothing about capacity → ipam-exhausted as a warning (could be a route overlap)', () => {
    expect(first(EVENTS_15255)).toMatchObject({ runbookId: 'ipam-exhausted', severity: 'warning', confidence: 'medium' });
  });

  it('stated facts act like the collected ones: --kernel 4.9.0 with 1.16 → kernel-too-old', () => {
    expect(first('level=info msg="Starting" subsys=daemon\n', { ciliumVersion: '1.16.3', kernel: '4.9.0' })?.runbookId).toBe('kernel-too-old');
  });
});
