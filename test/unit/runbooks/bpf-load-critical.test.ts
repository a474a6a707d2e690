// Issue #16 audit: bpf-program-load-denied is critical only when the agent fails on the load, or when an enforced
// denial of bpf() to the agent's own processes sits beside the EPERM/EACCES load failure it caused.
import { describe, expect, it } from 'vitest';
import { bpfProgramLoadDenied } from '../../../runbooks/catalogue/bpf-program-load-denied.ts';
import { analyzePastedText } from '../../../runbooks/engine/pasted/analyze-pasted.ts';
import { agentLogs, crashingPod, exampleEvidence, missing } from './fixtures.ts';

const first = (text: string) => analyzePastedText(text).report.findings.find((f) => f.runbookId === 'bpf-program-load-denied');

// cilium/cilium#9809: the tc loader's error and iproute2's verifier report (≤ 1.13).
const TC_9809 = [
  'level=error msg="Command execution failed" cmd="[tc filter replace dev lxcbb58dd70ae72 ingress prio 1 handle 1 bpf da obj 297_next/bpf_lxc.o sec from-container]" error="exit status 1" subsys=datapath-loader',
  'level=warning msg="Prog section \'from-container\' rejected: Argument list too long (7)!" subsys=datapath-loader',
];
// cilium/cilium#6358: SELinux denying the agent's ≤ 1.4 feature probes on Fedora 29.
const AVC_6358 = 'avc: denied  { prog_load } for  pid=29990 comm="raw_change_tail" scontext=system_u:system_r:unconfined_service_t:s0 tcontext=system_u:system_r:unconfined_service_t:s0 tclass=bpf permissive=0';
// cilium/cilium PR #15414: a hand-run test binary (bpftest) refused prog_load; a process that is not the agent.
const AVC_BPFTEST_15414 = 'type=AVC msg=audit(1616403520.545:155): avc:  denied  { prog_load } for  pid=3778 comm="bpftest" scontext=system_u:system_r:unconfined_service_t:s0 tcontext=system_u:system_r:unconfined_service_t:s0 tclass=bpf permissive=0';
const EPERM_LOAD = 'level=error msg="Error while rewriting endpoint BPF program" error="Failed to load prog with tc: operation not permitted" subsys=datapath-loader';
// The 1.14+ loader's verifier answer, no permission in it (#38967 wording, program and error shortened to the line).
const E2BIG_NO_EXIT = 'level=error msg="Error while rewriting endpoint BPF program" error="program tail_nodeport_nat_ingress_ipv4: load program: argument list too long: BPF program is too large. Processed 1000001 insn" subsys=datapath-loader';

describe('bpf-program-load-denied: the agent must be seen failing', () => {
  it('a pasted error-level rejection with no pod state → warning, medium, saying the pod state was not read', () => {
    const f = first(`${TC_9809.join('\n')}\n`);
    expect(f).toMatchObject({ severity: 'warning', confidence: 'medium', explainsAgentCrash: false });
    expect(f?.summary).toContain('state was not read');
    expect(f?.proposals).toEqual([]);
  });

  it('the same lines with the agent pod read crash-looping → critical', () => {
    const f = bpfProgramLoadDenied.match(exampleEvidence({ agentPod: crashingPod(), ...agentLogs(TC_9809) }));
    expect(f).toMatchObject({ severity: 'critical', explainsAgentCrash: true });
  });

  it('the same lines with the agent pod read Ready → warning (an endpoint failed to regenerate)', () => {
    expect(bpfProgramLoadDenied.match(exampleEvidence(agentLogs(TC_9809)))?.severity).toBe('warning');
  });

  it('pod state unread, but the agent exits on the load (fatal "Error while creating daemon") → critical', () => {
    const fatal = `level=fatal msg="Error while creating daemon" error="program tail_nodeport_nat_ingress_ipv4: load program: argument list too long: BPF program is too large. Processed 1000001 insn" subsys=daemon`;
    const f = bpfProgramLoadDenied.match(exampleEvidence({ agentPod: missing('not-found', 'pod not read'), ...agentLogs([fatal]) }));
    expect(f?.severity).toBe('critical');
  });

  it('pod state unread, the verifier\'s budget exhausted ("Processed 1000001 insn") → critical: every regeneration fails', () => {
    const f = bpfProgramLoadDenied.match(exampleEvidence({ agentPod: missing('not-found', 'pod not read'), ...agentLogs([E2BIG_NO_EXIT]) }));
    expect(f).toMatchObject({ severity: 'critical' });
    expect(f?.title).toContain('too large for the verifier');
  });

  it('near miss: the budget exhausted, but the agent pod read Ready → warning', () => {
    expect(bpfProgramLoadDenied.match(exampleEvidence(agentLogs([E2BIG_NO_EXIT])))?.severity).toBe('warning');
  });
});

describe('bpf-program-load-denied: an LSM denial must be the agent\'s and cause the load failure', () => {
  it('#6358: the agent\'s probe denied prog_load beside the EPERM load → critical, certain', () => {
    expect(first(`${AVC_6358}\n${EPERM_LOAD}\n`)).toMatchObject({ severity: 'critical', confidence: 'certain' });
  });

  it('near miss: another program\'s (bpftest) denial beside the agent\'s EPERM load line, pod unread → not critical', () => {
    const f = first(`${AVC_BPFTEST_15414}\n${EPERM_LOAD}\n`);
    expect(f?.severity).toBe('warning');
  });

  it('near miss: the agent\'s denial beside a verifier-size failure (not EPERM/EACCES) → not critical', () => {
    const f = first(`${AVC_6358}\n${TC_9809.join('\n')}\n`);
    expect(f?.severity).not.toBe('critical');
  });

  it('near miss: the agent\'s denial alone, no load line → warning', () => {
    expect(first(`${AVC_6358}\n`)?.severity).toBe('warning');
  });
});
