// Issue #16 audit: "unable to set memory resource limits" binds BPF memory only before Linux 5.11 (memcg accounting,
// https://lore.kernel.org/bpf/20201201215900.3569844-1-guro@fb.com). On a newer or unread kernel it is critical only
// when the agent is seen failing on it (fatal level, or its pod crash-looping).
import { describe, expect, it } from 'vitest';
import { memlockRlimit } from '../../../runbooks/catalogue/memlock-rlimit.ts';
import { agentLogs, crashingPod, exampleEvidence, missing, withNode } from './fixtures.ts';

// 1.10–1.13 NewDaemon logs it at error and returns it (daemon/cmd/daemon.go); the error text is talos#9494's.
const ERROR_LINE = 'level=error msg="unable to set memory resource limits" error="failed to set memlock rlimit: operation not permitted" subsys=daemon';
// The same failure as daemon_main.go logs it (Fatal): the agent exits.
const FATAL_LINE = 'level=fatal msg="unable to set memory resource limits" error="failed to set memlock rlimit: operation not permitted" subsys=daemon';

describe('memlock-rlimit: the kernel decides whether the limit matters', () => {
  it('error level on kernel 6.1 with a Ready agent → warning that names CAP_SYS_RESOURCE, not the limit', () => {
    const f = memlockRlimit.match(exampleEvidence(agentLogs([ERROR_LINE])));
    expect(f).toMatchObject({ severity: 'warning', explainsAgentCrash: false, confidence: 'medium' });
    expect(f?.summary).toContain('≥ 5.11');
    expect(f?.summary).toContain('CAP_SYS_RESOURCE');
    expect(f?.proposals).toEqual([]);
  });

  it('error level on kernel 6.1 with the agent crash-looping → critical (the agent failed on it)', () => {
    const f = memlockRlimit.match(exampleEvidence({ agentPod: crashingPod(), ...agentLogs([ERROR_LINE]) }));
    expect(f).toMatchObject({ severity: 'critical', explainsAgentCrash: true });
    expect(f?.title).toContain('CAP_SYS_RESOURCE');
  });

  it('fatal on kernel 6.1 (the agent exits on it, talos#9494 on Talos 1.8) → critical', () => {
    expect(memlockRlimit.match(exampleEvidence(agentLogs([FATAL_LINE])))?.severity).toBe('critical');
  });

  it('error level on a pre-5.11 kernel (5.4) → critical: the limit does bind BPF there', () => {
    const f = memlockRlimit.match(exampleEvidence({ ...withNode({ kernelVersion: '5.4.0-1045-aws', osImage: 'Ubuntu 20.04.6 LTS' }), ...agentLogs([ERROR_LINE]) }));
    expect(f?.severity).toBe('critical');
    expect(f?.summary).toContain('pre-5.11');
  });

  it('error level with neither the kernel nor the pod state read (a paste) → warning that says the exit is not shown', () => {
    const f = memlockRlimit.match(exampleEvidence({
      node: missing('not-found', 'node not read'), agentPod: missing('not-found', 'pod not read'), ...agentLogs([ERROR_LINE]),
    }));
    expect(f).toMatchObject({ severity: 'warning', confidence: 'medium' });
    expect(f?.summary).toContain('kernel was not read');
  });

  it('fatal with nothing else read → still critical', () => {
    const f = memlockRlimit.match(exampleEvidence({ node: missing('not-found', 'node not read'), agentPod: missing('not-found', 'pod not read'), ...agentLogs([FATAL_LINE]) }));
    expect(f).toMatchObject({ severity: 'critical', explainsAgentCrash: true });
  });
});
