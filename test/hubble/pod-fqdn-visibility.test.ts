// toFQDNs without DNS visibility (runbooks/engine/fqdn-visibility.ts), on the policy of cilium/cilium#11767 (a
// port-53 allow without `rules.dns`) and the drop of #13144 (POLICY_DENIED to identity 2, reserved:world): which pods
// are affected, what confirms it in the flows, and the rule to add as YAML.
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { toPolicySummary } from '../../jobs/collect/cluster-facts.ts';
import { dnsVisibilityPatch, fqdnConfirmingDrops, fqdnVisibilityGaps, proxiedLookupsOf } from '../../runbooks/engine/fqdn-visibility.ts';
import type { Flow, Policies, PolicySummary } from '../../runbooks/engine/evidence.ts';
import { analyze } from '../../runbooks/engine/analyze.ts';
import { fqdnDnsProxy } from '../../runbooks/catalogue/fqdn-dns-proxy.ts';
import { exampleEvidence, ok } from '../unit/runbooks/fixtures.ts';

const KUBE_DNS = { 'k8s-app': 'kube-dns', 'k8s:io.kubernetes.pod.namespace': 'kube-system' };
const toDns = (rules?: unknown) => ({ toEndpoints: [{ matchLabels: KUBE_DNS }], toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }], ...(rules !== undefined && { rules }) }] });
const toFqdn = { toFQDNs: [{ matchName: 'cilium.io' }], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] };

function cnp(name: string, spec: Record<string, unknown>, namespace = 'shop'): PolicySummary {
  const p = toPolicySummary({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name, namespace }, spec });
  if (p === null) throw new Error('bad policy');
  return p;
}
const policies = (...cnps: PolicySummary[]): Policies => ({ cnp: cnps, ccnp: [] });
const checkout = { namespace: 'shop', name: 'checkout-7c9f8b6d4-x2x9q', labels: { app: 'checkout' } };
const web = { namespace: 'shop', name: 'web-7c9f6d8b5d-wqbfp', labels: { app: 'web' } };

function flow(p: Partial<Flow>): Flow {
  return { verdict: 'DROPPED', reason: 'Policy denied', direction: 'egress', source: `shop/${checkout.name}:41510 (ID:48213)`, destination: '104.198.14.52:80 (ID:2)', summary: 'TCP Flags: SYN', raw: 'x', dropReason: 'POLICY_DENIED', destinationLabels: ['reserved:world'], ...p };
}

describe('fqdnVisibilityGaps', () => {
  it('#11767: port 53 allowed at L4 without rules.dns → the pod is affected, lookups pass ("l4-only")', () => {
    const gaps = fqdnVisibilityGaps(policies(cnp('checkout-egress', { endpointSelector: { matchLabels: { app: 'checkout' } }, egress: [toDns(), toFqdn] })), [checkout, web]);
    expect(gaps.map((g) => ({ ref: g.ref, dns: g.dns, pods: g.pods, names: g.names }))).toEqual([
      { ref: 'CiliumNetworkPolicy shop/checkout-egress', dns: 'l4-only', pods: [`shop/${checkout.name}`], names: ['cilium.io'] },
    ]);
  });

  it('no DNS allow at all → "not-allowed" (the lookups themselves are dropped)', () => {
    const gaps = fqdnVisibilityGaps(policies(cnp('checkout-egress', { endpointSelector: { matchLabels: { app: 'checkout' } }, egress: [toFqdn] })), [checkout]);
    expect(gaps.map((g) => g.dns)).toEqual(['not-allowed']);
  });

  it('a DNS rule in another policy that selects the pod gives it visibility; one that selects other pods does not', () => {
    const fqdn = cnp('checkout-egress', { endpointSelector: { matchLabels: { app: 'checkout' } }, egress: [toFqdn] });
    const dnsForAll = cnp('dns-visibility', { endpointSelector: {}, egress: [toDns({ dns: [{ matchPattern: '*' }] })] });
    const dnsForWeb = cnp('dns-web', { endpointSelector: { matchLabels: { app: 'web' } }, egress: [toDns({ dns: [{ matchPattern: '*' }] })] });
    expect(fqdnVisibilityGaps(policies(fqdn, dnsForAll), [checkout])).toEqual([]);
    expect(fqdnVisibilityGaps(policies(fqdn, dnsForWeb), [checkout]).map((g) => g.pods)).toEqual([[`shop/${checkout.name}`]]);
  });

  it('pods not read: any DNS rule in the policy\'s namespace counts (silence rather than a false finding)', () => {
    const fqdn = cnp('checkout-egress', { endpointSelector: { matchLabels: { app: 'checkout' } }, egress: [toFqdn] });
    const dnsWeb = cnp('dns-web', { endpointSelector: { matchLabels: { app: 'web' } }, egress: [toDns({ dns: [{ matchName: 'example.com' }] })] });
    expect(fqdnVisibilityGaps(policies(fqdn, dnsWeb), null)).toEqual([]);
    expect(fqdnVisibilityGaps(policies(fqdn), null).map((g) => g.pods)).toEqual([[]]);
    expect(fqdnVisibilityGaps(policies(fqdn, cnp('dns-elsewhere', { endpointSelector: {}, egress: [toDns({ dns: [{ matchPattern: '*' }] })] }, 'other')), null)).toHaveLength(1);
  });

  it('a policy with its own DNS rule, or a pod the toFQDNs policy does not select, is no gap', () => {
    const ok = cnp('checkout-egress', { endpointSelector: { matchLabels: { app: 'checkout' } }, egress: [toDns({ dns: [{ matchPattern: '*' }] }), toFqdn] });
    expect(fqdnVisibilityGaps(policies(ok), [checkout])).toEqual([]);
    const other = cnp('web-egress', { endpointSelector: { matchLabels: { app: 'web' } }, egress: [toFqdn] });
    expect(fqdnVisibilityGaps(policies(other), [checkout])).toEqual([]);
  });
});

describe('confirming drops and proxied lookups', () => {
  const gap = fqdnVisibilityGaps(policies(cnp('checkout-egress', { endpointSelector: { matchLabels: { app: 'checkout' } }, egress: [toDns(), toFqdn] })), [checkout]);

  it('egress POLICY_DENIED to world from the pod confirms it; its policy-verdict event is the same packet', () => {
    const drop = flow({});
    const verdict = flow({ verdict: 'DENIED', reason: 'policy-verdict:none', dropReason: undefined });
    expect(fqdnConfirmingDrops([verdict, drop, drop], gap)).toEqual([drop, drop]);
    expect(fqdnConfirmingDrops([verdict], gap)).toEqual([verdict]);
  });

  it('drops to a pod, at ingress, from another pod, or of another reason do not', () => {
    expect(fqdnConfirmingDrops([
      flow({ destination: 'shop/payments-1:8080 (ID:3311)', destinationLabels: ['k8s:app=payments'] }),
      flow({ direction: 'ingress' }),
      flow({ source: 'shop/web-1:4000 (ID:22190)' }),
      flow({ dropReason: 'CT_MAP_INSERTION_FAILED', reason: 'CT: Map insertion failed' }),
    ], gap)).toEqual([]);
  });

  it('pasted compact flows name world as "(world)"', () => {
    expect(fqdnConfirmingDrops([flow({ destination: '104.198.14.52:80 (world)', destinationLabels: undefined, dropReason: undefined })], gap)).toHaveLength(1);
  });

  it('DNS flows the proxy saw from the pod count as visibility', () => {
    const dns: Flow = { verdict: 'FORWARDED', reason: 'dns-request', direction: 'egress', source: `shop/${checkout.name}:41533 (ID:48213)`, destination: 'kube-system/coredns-1:53 (ID:102)', summary: 'DNS Query cilium.io. A', raw: 'x', l7: { kind: 'dns', type: 'request', what: 'cilium.io.', code: 0 } };
    expect(proxiedLookupsOf([dns, flow({})], `shop/${checkout.name}`)).toBe(1);
    expect(proxiedLookupsOf([dns], 'shop/web-1')).toBe(0);
  });
});

describe('dnsVisibilityPatch', () => {
  it('a bare port-53 rule gets rules.dns (#11767\'s fix); the toFQDNs rule is kept as it was', () => {
    const [gap] = fqdnVisibilityGaps(policies(cnp('checkout-egress', { endpointSelector: { matchLabels: { app: 'checkout' } }, egress: [toDns(), toFqdn] })), [checkout]);
    if (gap === undefined) throw new Error('no gap');
    const patch = dnsVisibilityPatch(gap);
    expect(patch.change).toBe('dns-rules-on-port-53');
    expect(parseYaml(patch.added)).toEqual({ rules: { dns: [{ matchPattern: '*' }] } });
    const doc = parseYaml(patch.policyYaml) as { kind: string; metadata: unknown; spec: { egress: unknown[] } };
    expect(doc.kind).toBe('CiliumNetworkPolicy');
    expect(doc.metadata).toEqual({ name: 'checkout-egress', namespace: 'shop' });
    expect(doc.spec.egress).toEqual([toDns({ dns: [{ matchPattern: '*' }] }), toFqdn]);
    // The summary the runbooks read is untouched.
    expect((gap.policy.spec as { egress: unknown[] }).egress[0]).toEqual(toDns());
  });

  it('no DNS rule at all: the kube-dns rule with matchPattern "*" is appended (docs dns-visibility example)', () => {
    const [gap] = fqdnVisibilityGaps(policies(cnp('checkout-egress', { endpointSelector: { matchLabels: { app: 'checkout' } }, egress: [toFqdn] })), [checkout]);
    if (gap === undefined) throw new Error('no gap');
    const patch = dnsVisibilityPatch(gap);
    expect(patch.change).toBe('kube-dns-rule-appended');
    const doc = parseYaml(patch.policyYaml) as { spec: { egress: Array<{ toEndpoints?: Array<{ matchLabels: unknown }>; toPorts?: Array<{ ports: unknown; rules?: unknown }> }> } };
    const added = doc.spec.egress[1];
    expect(added?.toEndpoints?.[0]?.matchLabels).toEqual({ 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'kube-dns' });
    expect(added?.toPorts?.[0]).toEqual({ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } });
  });
});

describe('fqdn-dns-proxy with Hubble flows', () => {
  const spec = { endpointSelector: { matchLabels: { app: 'checkout' } }, egress: [toDns(), toFqdn] };
  const evidenceWith = (flowList: Flow[]) => exampleEvidence({
    workloads: ok([{ namespace: 'shop', name: checkout.name, phase: 'Running', hostNetwork: false, labels: checkout.labels }]),
    policies: ok(policies(cnp('checkout-egress', spec))),
    flows: ok({ flows: flowList, truncated: false, source: 'hubble-relay' as const, windowMinutes: 15 }),
  });

  it('confirmed by the drops to world: quoted, and policy-default-deny\'s reading of the same drops superseded', () => {
    const report = analyze(evidenceWith([flow({ raw: 'drop to 104.198.14.52:80' }), flow({ raw: 'drop to 104.198.14.52:80' })]));
    const f = report.findings.find((x) => x.runbookId === 'fqdn-dns-proxy');
    expect(f?.summary).toContain('Hubble confirms it: 2 egress connections to world IPs dropped by policy');
    expect(f?.evidence.filter((q) => q.kind === 'log').map((q) => q.text)).toEqual(['drop to 104.198.14.52:80', 'drop to 104.198.14.52:80']);
    expect(f?.supersedes).toEqual(['policy-default-deny']);
    expect(report.findings.map((x) => x.runbookId)).not.toContain('policy-default-deny');
  });

  it('a policy drop it does not explain leaves policy-default-deny in the report', () => {
    const toPod = flow({ destination: 'shop/payments-1:8080 (ID:3311)', destinationLabels: ['k8s:app=payments'] });
    const report = analyze(evidenceWith([flow({}), toPod]));
    expect(report.findings.find((x) => x.runbookId === 'fqdn-dns-proxy')?.supersedes).toBeUndefined();
    expect(report.findings.map((x) => x.runbookId)).toContain('policy-default-deny');
  });

  it('DNS lookups the proxy saw from the pod rule the gap out', () => {
    const dns: Flow = { verdict: 'FORWARDED', reason: 'dns-request', direction: 'egress', source: `shop/${checkout.name}:41533 (ID:48213)`, destination: 'kube-system/coredns-1:53 (ID:102)', summary: 'DNS Query cilium.io. A', raw: 'x', l7: { kind: 'dns', type: 'request', what: 'cilium.io.', code: 0 } };
    expect(fqdnDnsProxy.match(evidenceWith([dns]))).toBeNull();
  });
});
