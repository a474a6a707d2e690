// memlock-rlimit, bpf-program-load-denied, map-full: real lines from fact sheet §2.2–§2.4.
import { describe, expect, it } from 'vitest';
import { memlockRlimit } from '../../../runbooks/catalogue/memlock-rlimit.ts';
import { bpfProgramLoadDenied } from '../../../runbooks/catalogue/bpf-program-load-denied.ts';
import { mapFull } from '../../../runbooks/catalogue/map-full.ts';
import { analyze } from '../../../runbooks/engine/analyze.ts';
import { agentLogs, crashingPod, exampleEvidence, LINES, missing, ok, withNode } from './fixtures.ts';

describe('memlock-rlimit', () => {
  it('the daemon_main.go fatal (talos#9494) → critical', () => {
    const f = memlockRlimit.match(exampleEvidence({ agentPod: crashingPod(), ...agentLogs([LINES.memlockFatal]), memlock: ok({ soft: '65536', hard: '65536' }) }));
    expect(f).toMatchObject({ severity: 'critical', explainsAgentCrash: true });
    expect(f?.evidence.some((q) => q.text.includes('soft 65536'))).toBe(true);
  });

  it('the cilium/ebpf memlock hint supersedes bpf-map-create-failed (root cause first)', () => {
    const r = analyze(exampleEvidence({ ...withNode({ kernelVersion: '5.4.0-1045-aws' }), agentPod: crashingPod(), ...agentLogs([LINES.mapMemlock]) }));
    expect(r.findings.map((f) => f.runbookId)).toEqual(['memlock-rlimit']);
  });

  it('missing CAP_IPC_LOCK perf ring fatal (PR #19812)', () => {
    expect(memlockRlimit.match(exampleEvidence(agentLogs([LINES.perfRing])))?.title).toContain('CAP_IPC_LOCK');
  });

  it('near miss: an EPERM map failure without the memlock hint is not memlock', () => {
    expect(memlockRlimit.match(exampleEvidence(agentLogs([LINES.mapEperm])))).toBeNull();
  });

  it('unknown logs → null', () => {
    expect(memlockRlimit.match(exampleEvidence({ agentLogs: missing('timeout', 'log read timed out') }))).toBeNull();
  });
});

describe('bpf-program-load-denied', () => {
  it('1.14+ E2BIG on tail_nodeport_nat_ingress_ipv4 (#38967) with the host firewall on → critical, host firewall off offered', () => {
    const f = bpfProgramLoadDenied.match(exampleEvidence({ ciliumConfig: ok({ 'enable-host-firewall': 'true' }), agentPod: crashingPod(), ...agentLogs([LINES.tooLargeEbpf]) }));
    expect(f).toMatchObject({ severity: 'critical', explainsAgentCrash: true });
    expect(f?.title).toContain('tail_nodeport_nat_ingress_ipv4');
    expect(f?.summary).toContain('processed 1000001 instructions');
    expect(f?.fixSteps.some((s) => s.helmValues?.includes('hostFirewall') === true)).toBe(true);
  });

  it('≤1.13 warning "Processed 131073 insn" (#17647) on a Ready agent → warning', () => {
    const f = bpfProgramLoadDenied.match(exampleEvidence(agentLogs(null, [LINES.tooLarge419])));
    expect(f?.severity).toBe('warning');
  });

  it('near miss: map failures and probe failures are other runbooks\' lines', () => {
    expect(bpfProgramLoadDenied.match(exampleEvidence(agentLogs([LINES.mapEperm, LINES.probeHelper, LINES.folkloreMap])))).toBeNull();
  });

  it('unknown logs → null', () => {
    expect(bpfProgramLoadDenied.match(exampleEvidence({ agentLogs: missing('forbidden', 'pods/log is forbidden') }))).toBeNull();
  });
});

describe('map-full', () => {
  it('a full policy map (#19279) is critical and doubles bpf-policy-map-max', () => {
    const f = mapFull.match(exampleEvidence({ ciliumConfig: ok({ 'bpf-policy-map-max': '16384' }), ...agentLogs(null, [LINES.policyMapFull]) }));
    expect(f).toMatchObject({ severity: 'critical' });
    expect(f?.title).toContain('cilium_policy_02913');
    expect(f?.fixSteps[1]?.helmValues).toBe('bpf:\n  policyMapMax: 32768');
  });

  it('a full LB backend map (#28726) is a warning', () => {
    const f = mapFull.match(exampleEvidence(agentLogs(null, [LINES.lbMapFull])));
    expect(f?.severity).toBe('warning');
    expect(f?.fixSteps[1]?.helmValues).toBe('bpf:\n  lbMapMax: 131072');
  });

  it('repeated CT GC misses count as CT pressure; one is routine noise', () => {
    expect(mapFull.match(exampleEvidence(agentLogs(null, Array.from({ length: 6 }, () => LINES.ctGcWarning))))?.title).toContain('connection-tracking');
    expect(mapFull.match(exampleEvidence(agentLogs(null, [LINES.ctGcWarning])))).toBeNull();
  });

  it('near miss: ENOMEM on map update (#31701) is memory pressure, not a full map', () => {
    expect(mapFull.match(exampleEvidence(agentLogs(null, [LINES.ipcacheEnomem])))).toBeNull();
  });

  it('unknown logs → null', () => {
    expect(mapFull.match(exampleEvidence({ agentLogs: missing('forbidden', 'pods/log is forbidden') }))).toBeNull();
  });
});
