// Issue #16: the agent's and API server's own words for CRDs out of step are crd-upgrade-drift, on real lines.
import { describe, expect, it } from 'vitest';
import { analyzePastedText } from '../../../runbooks/engine/pasted/analyze-pasted.ts';

// cilium/cilium-service-mesh-beta#25, verbatim (the thread cut the line; pkg/k8s/synced/crd.go prints it fatal).
const GAVE_UP = 'Mar 12 10:32:05 k8s1 cilium-agent[7161]: level=fatal msg="Unable to find all Cilium CRDs necessary within 5m0s timeout. Please ensure that Cilium Operator is running, as it\'s responsible for registering\n';
// cilium/cilium#29444, verbatim: the CRD was not upgraded with the release.
const STRICT = 'Error from server (BadRequest): error when creating "bgp-pool.yaml": CiliumLoadBalancerIPPool in version "v2alpha1" cannot be handled as a CiliumLoadBalancerIPPool: strict decoding error: unknown field "spec.allowFirstLastIPs", unknown field "spec.blocks"\n';

describe('crd-upgrade-drift from what the agent and the API server said', () => {
  it('service-mesh-beta#25: the CRD-wait timeout fatal is crd-upgrade-drift, critical, explaining the crash (no fallback)', () => {
    const { report } = analyzePastedText(GAVE_UP, { config: { 'enable-envoy-config': 'true' } });
    expect(report.findings[0]).toMatchObject({ runbookId: 'crd-upgrade-drift', severity: 'critical', basis: 'explicit', explainsAgentCrash: true });
    expect(report.findings[0]?.evidence.some((q) => q.text.includes('Unable to find all Cilium CRDs'))).toBe(true);
    expect(report.findings.map((f) => f.runbookId)).not.toContain('agent-crashloop');
  });

  it('#29444: a strict decoding error on a Cilium object is an old CRD schema: a warning, not a crash', () => {
    const { report } = analyzePastedText(STRICT);
    expect(report.findings[0]).toMatchObject({ runbookId: 'crd-upgrade-drift', severity: 'warning', basis: 'explicit' });
  });

  it('a strict decoding error on a non-Cilium kind is not Cilium CRD drift', () => {
    const { report } = analyzePastedText(STRICT.replace(/CiliumLoadBalancerIPPool/g, 'Deployment'));
    expect(report.findings.map((f) => f.runbookId)).not.toContain('crd-upgrade-drift');
  });
});

describe('a Cilium CRD update refused because a stored version is dropped', () => {
  // The apiextensions validation wording (kubernetes ValidateCustomResourceDefinitionStoredVersions), on a Cilium CRD.
  const REFUSED = 'The CustomResourceDefinition "ciliumloadbalancerippools.cilium.io" is invalid: status.storedVersions[0]: Invalid value: "v2alpha1": must appear in spec.versions\n';

  it('is crd-upgrade-drift (warning, explicit)', () => {
    const { report } = analyzePastedText(REFUSED);
    expect(report.findings[0]).toMatchObject({ runbookId: 'crd-upgrade-drift', severity: 'warning', basis: 'explicit' });
    expect(report.findings[0]?.summary).toContain('status.storedVersions');
  });

  it('the same refusal for another project\'s CRD is not Cilium drift', () => {
    const { report } = analyzePastedText(REFUSED.replace('ciliumloadbalancerippools.cilium.io', 'certificaterequests.cert-manager.io'));
    expect(report.findings.map((f) => f.runbookId)).not.toContain('crd-upgrade-drift');
  });
});
