import { describe, expect, it } from 'vitest';
import { kernelTooOld } from '../../../runbooks/catalogue/kernel-too-old.ts';
import { crashingPod, exampleEvidence, LINES, logChunk, missing, ok, peers, withNode } from './fixtures.ts';

const AL2 = '4.14.336-257.566.amzn2.x86_64';

describe('kernel-too-old', () => {
  it('fires when the kernel is below the Cilium floor, quoting the comparison and the agent line', () => {
    const e = exampleEvidence({
      ...withNode({ kernelVersion: AL2, osImage: 'Amazon Linux 2', pool: 'workers-legacy' }),
      peers: ok([...peers(11, '4.14.355-275.570.amzn2.x86_64', 'workers-legacy'), ...peers(3, '6.1.0-18-cloud-amd64', 'workers-new')]),
      agentPod: crashingPod(),
      agentLogs: ok({ current: logChunk([]), previous: logChunk([LINES.apiserverInfo, LINES.largePrograms]) }),
    });
    const f = kernelTooOld.match(e);
    expect(f).not.toBeNull();
    if (f === null) return;
    expect(f.severity).toBe('critical');
    expect(f.confidence).toBe('certain');
    expect(f.explainsAgentCrash).toBe(true);
    expect(f.summary).toContain('below the 5.4.0 minimum of Cilium 1.16.3');
    expect(f.evidence.some((q) => q.kind === 'comparison' && q.text.includes('4.14.336 < 5.4.0'))).toBe(true);
    const log = f.evidence.find((q) => q.kind === 'log');
    expect(log).toMatchObject({ lineNumber: 2, source: 'cilium-agent previous container, line 2' });
    expect(f.blastRadius.peers.affected).toHaveLength(11);
    expect(f.blastRadius.sentences).toContain(
      '11 other nodes in pool workers-legacy run kernel 4.14 and will fail the same way (workers-legacy-1, workers-legacy-2, workers-legacy-3, workers-legacy-4, workers-legacy-5, …).',
    );
    expect(f.proposals.map((p) => p.action)).toEqual(['cordon-node', 'label-node', 'pin-agent-affinity']);
    expect(f.proposals[1]?.params).toEqual({ node: 'node-7', key: 'cilium.io/kernel-compatible', value: 'false' });
    expect(f.fixSteps.some((s) => s.commands?.some((c) => c.includes('kernel-5.10')))).toBe(true);
    expect(f.fixSteps[1]?.title).toBe('Move the node to kernel 5.4.0 or newer');
    expect(f.docs[0]?.url).toBe('https://docs.cilium.io/en/v1.16/operations/system_requirements/');
  });

  it('does not fire on kernel 6.18 that prints "Require support for dead code elimination" (#44967)', () => {
    const e = exampleEvidence({
      ...withNode({ kernelVersion: '6.18.2-arch1-1' }),
      cilium: ok({ version: '1.18.8', image: 'quay.io/cilium/cilium:v1.18.8' }),
      agentPod: crashingPod(),
      agentLogs: ok({ current: logChunk([]), previous: logChunk([LINES.slogDce, LINES.slogHive, LINES.panic]) }),
    });
    expect(kernelTooOld.match(e)).toBeNull();
  });

  it('does not fire on 5.18.14 saying "BPF NodePort services needs kernel 4.17.0" (#20726)', () => {
    const e = exampleEvidence({
      ...withNode({ kernelVersion: '5.18.14-custom' }),
      cilium: ok({ version: '1.12.0', image: 'quay.io/cilium/cilium:v1.12.0' }),
      agentLogs: ok({ current: logChunk([LINES.nodePortNeeds]), previous: null }),
    });
    expect(kernelTooOld.match(e)).toBeNull();
  });

  it('never matches the folklore "kernel too old to run Cilium" line (§2.10)', () => {
    const e = exampleEvidence({ agentLogs: ok({ current: logChunk([LINES.folkloreKernel]), previous: null }) });
    expect(kernelTooOld.match(e)).toBeNull();
  });

  it('leaves BBR to bandwidth-manager-unsupported (no double finding)', () => {
    const e = exampleEvidence({
      ...withNode({ kernelVersion: '5.15.0-1051-azure', osImage: 'Ubuntu 22.04.4 LTS' }),
      ciliumConfig: ok({ 'kube-proxy-replacement': 'true', 'enable-bandwidth-manager': 'true', 'enable-bbr': 'true' }),
    });
    expect(kernelTooOld.match(e)).toBeNull();
  });

  it('fires for a fatal feature the kernel lacks (netkit on 6.1), with a Helm diff of only that feature', () => {
    const e = exampleEvidence({ ciliumConfig: ok({ 'datapath-mode': 'netkit', 'enable-bandwidth-manager': 'true' }) });
    const f = kernelTooOld.match(e);
    expect(f?.severity).toBe('critical');
    expect(f?.fixSteps.find((s) => s.helmValues !== undefined)?.helmValues).toBe('bpf:\n  datapathMode: veth');
    expect(f?.summary).toContain('netkit devices (needs 6.7.0)');
    expect(f?.proposals.map((p) => p.action)).toContain('pin-agent-affinity');
  });

  it('merges the Helm diff into valid YAML and turns KPR off when KPR enabled the feature', () => {
    const e = exampleEvidence({
      ...withNode({ kernelVersion: '5.0.21-050021-generic' }),
      cilium: ok({ version: '1.15.6', image: 'quay.io/cilium/cilium:v1.15.6' }),
      ciliumConfig: ok({ 'kube-proxy-replacement': 'true', 'enable-bandwidth-manager': 'true', 'enable-bbr': 'true' }),
    });
    const f = kernelTooOld.match(e);
    const step = f?.fixSteps.find((s) => s.helmValues !== undefined);
    // The bandwidth manager and BBR are bandwidth-manager-unsupported's: only KPR (socket LB, fatal) stays here.
    expect(step?.helmValues).toBe('kubeProxyReplacement: false');
    expect(step?.detail).toContain('needs kube-proxy deployed again');
  });

  it('does not report fallbacks (BPF host routing on 5.4): a degradation, not a failure', () => {
    const e = exampleEvidence({
      ...withNode({ kernelVersion: '5.4.0-1045-aws', osImage: 'Ubuntu 20.04.6 LTS' }),
      ciliumConfig: ok({ 'enable-host-legacy-routing': 'false', 'enable-bandwidth-manager': 'true' }),
    });
    expect(kernelTooOld.match(e)).toBeNull();
  });

  it('below the floor, folds map-creation failures in as evidence and supersedes bpf-map-create-failed', () => {
    const e = exampleEvidence({
      ...withNode({ kernelVersion: AL2, osImage: 'Amazon Linux 2' }),
      agentPod: crashingPod(),
      agentLogs: ok({ current: logChunk([]), previous: logChunk([LINES.mapEperm, LINES.daemonFatal]) }),
    });
    const f = kernelTooOld.match(e);
    expect(f?.supersedes).toEqual(['bpf-map-create-failed']);
    expect(f?.evidence.filter((q) => q.kind === 'log').map((q) => q.lineNumber)).toEqual([1, 2]);
  });

  it('5.4 with the bandwidth manager on Cilium 1.16 is fine', () => {
    const e = exampleEvidence({
      ...withNode({ kernelVersion: '5.4.0-1045-aws' }),
      ciliumConfig: ok({ 'enable-bandwidth-manager': 'true' }),
    });
    expect(kernelTooOld.match(e)).toBeNull();
  });

  it('treats RHEL 8.10 as 5.10 and RHEL 8.6 as 5.4 (likely, vendor-equivalent)', () => {
    const v118 = { cilium: ok({ version: '1.18.2', image: 'quay.io/cilium/cilium:v1.18.2' }) };
    expect(kernelTooOld.match(exampleEvidence({ ...withNode({ kernelVersion: '4.18.0-553.el8_10.x86_64' }), ...v118 }))).toBeNull();
    const f = kernelTooOld.match(exampleEvidence({ ...withNode({ kernelVersion: '4.18.0-372.9.1.el8.x86_64', osImage: 'Rocky Linux 8.6 (Green Obsidian)' }), ...v118 }));
    expect(f?.confidence).toBe('medium');
    expect(f?.evidence[0]?.text).toContain('RHEL 8.6');
    const v117 = { cilium: ok({ version: '1.17.4', image: 'quay.io/cilium/cilium:v1.17.4' }) };
    expect(kernelTooOld.match(exampleEvidence({ ...withNode({ kernelVersion: '4.18.0-372.9.1.el8.x86_64' }), ...v117 }))).toBeNull();
  });

  it('fires from the agent line alone when the Cilium version is unknown and the kernel is older than named', () => {
    const e = exampleEvidence({
      ...withNode({ kernelVersion: '5.4.0-1045-aws' }),
      cilium: missing('forbidden', 'daemonsets.apps is forbidden'),
      agentLogs: ok({ current: logChunk([]), previous: logChunk([LINES.slogRedirectNeigh]) }),
    });
    const f = kernelTooOld.match(e);
    expect(f?.severity).toBe('critical');
    expect(f?.evidence.some((q) => q.kind === 'log' && q.text.includes('bpf_redirect_neigh'))).toBe(true);
  });

  it('returns null when the node fact is unavailable (analyze reports it as unknown)', () => {
    expect(kernelTooOld.match(exampleEvidence({ node: missing('forbidden', 'nodes is forbidden') }))).toBeNull();
  });

  it('healthy evidence does not fire', () => {
    expect(kernelTooOld.match(exampleEvidence())).toBeNull();
  });
});
