import { describe, expect, it } from 'vitest';
import { bpfMapCreateFailed } from '../../../runbooks/catalogue/bpf-map-create-failed.ts';
import { crashingPod, exampleEvidence, LINES, logChunk, missing, ok } from './fixtures.ts';

const withLogs = (previous: string[] | null, current: string[] = []) =>
  ({ agentLogs: ok({ current: logChunk(current), previous: previous === null ? null : logChunk(previous, true) }) });

describe('bpf-map-create-failed', () => {
  it('≤1.13 logfmt EPERM on cilium_lxc (#9402): map name, errno, critical', () => {
    const f = bpfMapCreateFailed.match(exampleEvidence({ agentPod: crashingPod(), ...withLogs([LINES.apiserverInfo, LINES.mapEperm, LINES.daemonFatal]) }));
    expect(f).toMatchObject({ severity: 'critical', explainsAgentCrash: true, confidence: 'certain' });
    expect(f?.title).toBe('BPF map creation failed (cilium_lxc): EPERM');
    expect(f?.evidence[0]).toMatchObject({ kind: 'log', lineNumber: 2, source: 'cilium-agent previous container, line 2 of the last 3 lines' });
    expect(f?.summary).toContain('the kernel refused the bpf() call');
  });

  it('1.14+ cilium/ebpf ENOMEM on cilium_ct_any4_global (#30437), with map sizing from cilium-config', () => {
    const f = bpfMapCreateFailed.match(exampleEvidence({
      ...withLogs([LINES.mapEnomem]),
      ciliumConfig: ok({ 'bpf-ct-global-any-max': '262144', 'bpf-map-dynamic-size-ratio': '0.0025' }),
    }));
    expect(f?.title).toBe('BPF map creation failed (cilium_ct_any4_global): ENOMEM');
    expect(f?.evidence.some((q) => q.kind === 'fact' && q.text.includes('bpf-ct-global-any-max=262144'))).toBe(true);
    expect(f?.fixSteps[0]?.helmValues).toContain('mapDynamicSizeRatio');
  });

  it('recognises the memlock hint', () => {
    const f = bpfMapCreateFailed.match(exampleEvidence(withLogs([LINES.mapMemlock])));
    expect(f?.summary).toContain('RLIMIT_MEMLOCK');
  });

  it('quotes a line that is both the failure and the memlock hint once', () => {
    const f = bpfMapCreateFailed.match(exampleEvidence(withLogs([LINES.mapMemlock])));
    expect(f?.evidence.filter((q) => q.kind === 'log')).toHaveLength(1);
  });

  it('does not match the folklore "Failed to create BPF map … type=LRU_HASH" line (§2.10)', () => {
    expect(bpfMapCreateFailed.match(exampleEvidence(withLogs([LINES.folkloreMap])))).toBeNull();
  });

  it('does not match other load failures or routine warnings', () => {
    expect(bpfMapCreateFailed.match(exampleEvidence(withLogs([LINES.probeHelper, LINES.ctGcWarning, LINES.slogDnsWarn])))).toBeNull();
  });

  it('a per-endpoint regeneration failure alone is a warning', () => {
    const line = 'level=warning msg="endpoint regeneration failed" error="Unable to create map /sys/fs/bpf/tc/globals/cilium_policy_01821: operation not permitted" subsys=endpoint';
    const f = bpfMapCreateFailed.match(exampleEvidence(withLogs(null, [line])));
    expect(f?.severity).toBe('warning');
    expect(f?.title).toContain('cilium_policy_01821');
  });

  it('unavailable logs → null', () => {
    expect(bpfMapCreateFailed.match(exampleEvidence({ agentLogs: missing('forbidden', 'pods/log is forbidden') }))).toBeNull();
  });
});
