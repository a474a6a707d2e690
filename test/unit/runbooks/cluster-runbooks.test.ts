// hubble-disabled, crd-upgrade-drift, ipam-exhausted, apiserver-unreachable, version-advisory (fact sheet §2.8, §2.9, §7).
import { describe, expect, it } from 'vitest';
import { hubbleDisabled } from '../../../runbooks/catalogue/hubble-disabled.ts';
import { crdUpgradeDrift } from '../../../runbooks/catalogue/crd-upgrade-drift.ts';
import { ipamExhausted, capacityOf } from '../../../runbooks/catalogue/ipam-exhausted.ts';
import { apiserverUnreachable } from '../../../runbooks/catalogue/apiserver-unreachable.ts';
import { versionAdvisory } from '../../../runbooks/catalogue/version-advisory.ts';
import { analyze } from '../../../runbooks/engine/analyze.ts';
import { agentLogs, crashingPod, exampleEvidence, LINES, missing, ok, withNode } from './fixtures.ts';

describe('hubble-disabled', () => {
  it('Hubble off is info, relay down is a warning, never critical', () => {
    expect(hubbleDisabled.match(exampleEvidence({ hubble: ok({ enabled: false, relayPresent: false }) }))).toMatchObject({ severity: 'info' });
    expect(hubbleDisabled.match(exampleEvidence({ hubble: ok({ enabled: true, relayPresent: true, relayReady: false }) }))).toMatchObject({ severity: 'warning' });
  });
  it('near miss: enabled with a ready relay → null; unknown → null', () => {
    expect(hubbleDisabled.match(exampleEvidence())).toBeNull();
    expect(hubbleDisabled.match(exampleEvidence({ hubble: missing('forbidden', 'deployments is forbidden'), ciliumConfig: missing('forbidden', 'x') }))).toBeNull();
  });
});

describe('crd-upgrade-drift', () => {
  it('operator 1.15 behind agent 1.16, agent stuck waiting for CRDs (#35927) → critical, supersedes apiserver-unreachable', () => {
    const e = exampleEvidence({
      operator: ok({ image: 'quay.io/cilium/operator-generic:v1.15.6', version: '1.15.6', replicas: 1, readyReplicas: 1 }),
      agentPod: crashingPod(), ...agentLogs([LINES.crdWait, LINES.crdWait, LINES.crdWait]),
    });
    const f = crdUpgradeDrift.match(e);
    expect(f).toMatchObject({ severity: 'critical', supersedes: ['apiserver-unreachable'] });
    expect(analyze(e).findings.map((x) => x.runbookId)).toEqual(['crd-upgrade-drift']);
  });
  it('a stored version no longer served (#47774) is a warning', () => {
    const base = exampleEvidence();
    const crds = base.crds.ok ? base.crds.value.map((c) => (c.name.startsWith('ciliumnodes') ? { ...c, storedVersions: ['v2alpha1', 'v2'] } : c)) : [];
    expect(crdUpgradeDrift.match(exampleEvidence({ crds: ok(crds) }))?.severity).toBe('warning');
  });
  it('near miss: same minor, different patch → null; unknown operator and CRDs → null', () => {
    expect(crdUpgradeDrift.match(exampleEvidence({ operator: ok({ image: 'x:v1.16.1', version: '1.16.1', readyReplicas: 1 }) }))).toBeNull();
    expect(crdUpgradeDrift.match(exampleEvidence({ operator: missing('forbidden', 'x'), crds: missing('forbidden', 'y') }))).toBeNull();
  });
});

describe('ipam-exhausted', () => {
  it('cilium-health "range is full" fatal (#5517) with a nearly empty /24 → overlap, not exhaustion', () => {
    const f = ipamExhausted.match(exampleEvidence({ agentPod: crashingPod(), ...agentLogs([LINES.healthIpFull]) }));
    expect(f).toMatchObject({ severity: 'critical', explainsAgentCrash: true });
    expect(f?.summary).toContain('overlapping the PodCIDR');
  });
  it('CNI events "postIpamFailure range is full" (#9793) on a full node → exhausted', () => {
    const f = ipamExhausted.match(exampleEvidence({
      ciliumNode: ok({ podCIDRs: ['10.0.1.0/28'], used: 12, operatorError: null }),
      events: ok([{ type: 'Warning', reason: 'FailedCreatePodSandBox', count: 40, lastTimestamp: null, involvedObject: { kind: 'Pod', name: 'web-9', namespace: 'shop' },
        message: 'Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox: plugin type="cilium-cni" failed (add): unable to allocate IP via local cilium agent: [POST /ipam][502] postIpamFailure  range is full' }]),
    }));
    expect(f?.summary).toContain('every address');
    expect(capacityOf(['10.0.1.0/28'])).toBe(12);
  });
  it('no PodCIDR yet (#12956)', () => {
    expect(ipamExhausted.match(exampleEvidence(agentLogs(null, [LINES.noPodCidr])))?.title).toContain('No PodCIDR');
  });
  it('near miss: routine logs → null; unknown → null', () => {
    expect(ipamExhausted.match(exampleEvidence())).toBeNull();
    expect(ipamExhausted.match(exampleEvidence({ agentLogs: missing('forbidden', 'x'), events: missing('forbidden', 'y'), ciliumNode: missing('forbidden', 'z') }))).toBeNull();
  });
});

describe('apiserver-unreachable', () => {
  it('i/o timeout to the Service ClusterIP with KPR and no kube-proxy (#28823, #21148) → critical, k8sServiceHost fix', () => {
    const f = apiserverUnreachable.match(exampleEvidence({
      ciliumConfig: ok({ 'kube-proxy-replacement': 'true' }), kubeProxy: ok({ daemonSetPresent: false, podOnNode: null }),
      agentPod: crashingPod(), ...agentLogs([LINES.apiserverInfo, LINES.apiserverTimeout]),
    }));
    expect(f).toMatchObject({ severity: 'critical', explainsAgentCrash: true });
    expect(f?.summary).toContain('k8sServiceHost');
    expect(f?.fixSteps[0]?.helmValues).toContain('k8sServiceHost');
  });
  it('near miss: the routine "Establishing connection" line and one CRD wait at start → null', () => {
    expect(apiserverUnreachable.match(exampleEvidence(agentLogs(null, [LINES.apiserverInfo, LINES.crdWait])))).toBeNull();
  });
  it('unknown logs → null', () => {
    expect(apiserverUnreachable.match(exampleEvidence({ agentLogs: missing('forbidden', 'x') }))).toBeNull();
  });
});

describe('version-advisory', () => {
  it('Ubuntu 5.15.0-72 + Cilium 1.11.15 (#25500), symptom seen → certain warning', () => {
    const f = versionAdvisory.match(exampleEvidence({
      ...withNode({ kernelVersion: '5.15.0-72-generic' }), cilium: ok({ version: '1.11.15', image: 'quay.io/cilium/cilium:v1.11.15' }),
      ...agentLogs(null, ['level=warning msg="BPF program is too large. Processed 1000001 insn" subsys=datapath-loader']),
    }));
    expect(f).toMatchObject({ severity: 'warning', confidence: 'certain' });
    expect(f?.summary).toContain('#25500');
  });
  it('kube-proxy-replacement=strict on 1.16 (#36131)', () => {
    expect(versionAdvisory.match(exampleEvidence({ ciliumConfig: ok({ 'kube-proxy-replacement': 'strict' }) }))?.summary).toContain('PR #31286');
  });
  it('near miss: 5.15.0-71 on 1.11.15 → null; unknown version → null', () => {
    expect(versionAdvisory.match(exampleEvidence({ ...withNode({ kernelVersion: '5.15.0-71-generic' }), cilium: ok({ version: '1.11.15', image: 'x' }) }))).toBeNull();
    expect(versionAdvisory.match(exampleEvidence({ cilium: missing('forbidden', 'x') }))).toBeNull();
  });
});
