// Selector matching and the policy runbooks, on policy shapes from the Cilium docs and issues (fact sheet §6).
import { describe, expect, it } from 'vitest';
import { selectorMatches, policySelects } from '../../../runbooks/engine/policy-selector.ts';
import { policyDefaultDeny } from '../../../runbooks/catalogue/policy-default-deny.ts';
import { policySelectorDrift } from '../../../runbooks/catalogue/policy-selector-drift.ts';
import { fqdnDnsProxy } from '../../../runbooks/catalogue/fqdn-dns-proxy.ts';
import type { PolicySummary, WorkloadPod } from '../../../runbooks/engine/evidence.ts';
import { agentLogs, exampleEvidence, LINES, missing, ok } from './fixtures.ts';

const web = { namespace: 'shop', labels: { app: 'web', tier: 'front' } };
const pol = (p: Partial<PolicySummary> & { name: string }): PolicySummary => ({
  namespace: 'shop', hasIngress: false, hasEgress: false, hasIngressDeny: false, hasEgressDeny: false, hasToFQDNs: false, spec: {}, ...p,
});
const workloads = ok<WorkloadPod[]>([
  { namespace: 'shop', name: 'web-1', phase: 'Running', hostNetwork: false, labels: { app: 'web' } },
  { namespace: 'kube-system', name: 'cilium-x7k2p', phase: 'Running', hostNetwork: true, labels: { 'k8s-app': 'cilium' } },
]);

describe('selectorMatches', () => {
  it.each([
    [{ matchLabels: { app: 'web' } }, true],
    [{ matchLabels: { 'k8s:app': 'web', 'k8s:io.kubernetes.pod.namespace': 'shop' } }, true],
    [{ matchLabels: { 'any:app': 'web', 'io.kubernetes.pod.namespace': 'other' } }, false],
    [{ matchExpressions: [{ key: 'tier', operator: 'In', values: ['front', 'edge'] }] }, true],
    [{ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['front'] }] }, false],
    [{ matchExpressions: [{ key: 'db', operator: 'DoesNotExist' }, { key: 'app', operator: 'Exists' }] }, true],
    [{}, true],
    [{ matchLabels: { 'reserved:host': '' } }, false],
    [{ matchLabels: { 'io.cilium.k8s.policy.serviceaccount': 'web' } }, null],
    [{ matchExpressions: [{ key: 'app', operator: 'Gt', values: ['1'] }] }, null],
    ['nonsense', null],
  ])('%j → %s', (sel, want) => {
    expect(selectorMatches(sel, web)).toBe(want);
  });

  it('a CNP only selects pods in its own namespace; a CCNP any', () => {
    const p = pol({ name: 'p', endpointSelector: {} });
    expect(policySelects(p, 'cnp', { namespace: 'other', labels: {} })).toBe(false);
    expect(policySelects({ ...p, namespace: undefined }, 'ccnp', { namespace: 'other', labels: {} })).toBe(true);
    expect(policySelects(pol({ name: 'host', nodeSelector: {} }), 'ccnp', web)).toBe(false);
  });
});

describe('policy-default-deny', () => {
  it('egress allow without DNS puts web-1 into egress default deny with DNS dropped (hubble-observer PR #9)', () => {
    const f = policyDefaultDeny.match(exampleEvidence({
      workloads, policies: ok({ cnp: [pol({ name: 'web-egress', endpointSelector: { matchLabels: { app: 'web' } }, hasEgress: true, spec: { egress: [{ toEndpoints: [{ matchLabels: { app: 'db' } }] }] } })], ccnp: [] }),
    }));
    expect(f?.severity).toBe('warning');
    expect(f?.summary).toContain('egress default deny without a DNS allow (CiliumNetworkPolicy shop/web-egress)');
  });

  it('a clusterwide egressDeny-only policy default-denies all other egress (#14992, #28136)', () => {
    const f = policyDefaultDeny.match(exampleEvidence({
      workloads, policies: ok({ cnp: [], ccnp: [pol({ name: 'deny-metadata', namespace: undefined, endpointSelector: {}, hasEgressDeny: true })] }),
    }));
    expect(f?.summary).toContain('deny-only egress policy');
  });

  it('near miss: egress-only with a DNS rule is fine, and does NOT deny ingress (fact sheet §0.9)', () => {
    expect(policyDefaultDeny.match(exampleEvidence({
      workloads, policies: ok({ cnp: [pol({ name: 'ok', endpointSelector: { matchLabels: { app: 'web' } }, hasEgress: true, hasDnsRule: true })], ccnp: [] }),
    }))).toBeNull();
    // enableDefaultDeny.egress=false on a deny-only policy keeps other egress open.
    expect(policyDefaultDeny.match(exampleEvidence({
      workloads, policies: ok({ cnp: [], ccnp: [pol({ name: 'd', namespace: undefined, endpointSelector: {}, hasEgressDeny: true, enableDefaultDeny: { egress: false } })] }),
    }))).toBeNull();
  });

  it('unknown policies → null', () => {
    expect(policyDefaultDeny.match(exampleEvidence({ policies: missing('forbidden', 'ciliumnetworkpolicies is forbidden') }))).toBeNull();
  });
});

describe('policy-selector-drift', () => {
  it('app=web renamed to app.kubernetes.io/name=web: the policy matches nothing → warning with the near miss', () => {
    const f = policySelectorDrift.match(exampleEvidence({
      workloads, clusterPods: ok([{ namespace: 'shop', name: 'web-1', phase: 'Running', labels: { 'app.kubernetes.io/name': 'web' } }]),
      policies: ok({ cnp: [pol({ name: 'web-in', endpointSelector: { matchLabels: { app: 'web' } }, hasIngress: true })], ccnp: [] }),
    }));
    expect(f?.severity).toBe('warning');
    expect(f?.evidence[0]?.text).toContain('app.kubernetes.io/name=web');
  });

  it('near miss: a selector that matches a running pod elsewhere in the cluster is fine', () => {
    expect(policySelectorDrift.match(exampleEvidence({
      workloads, policies: ok({ cnp: [pol({ name: 'web-in', endpointSelector: { matchLabels: { app: 'web' } }, hasIngress: true })], ccnp: [] }),
    }))).toBeNull();
  });

  it('without cluster-wide pods it cannot tell → null (inconclusive)', () => {
    expect(policySelectorDrift.match(exampleEvidence({ clusterPods: missing('forbidden', 'pods is forbidden at cluster scope') }))).toBeNull();
  });
});

describe('fqdn-dns-proxy', () => {
  const fqdnPolicy = pol({ name: 'to-github', endpointSelector: { matchLabels: { app: 'web' } }, hasEgress: true, hasToFQDNs: true });

  it('toFQDNs without a DNS rule (#32567) → warning', () => {
    const f = fqdnDnsProxy.match(exampleEvidence({ workloads, policies: ok({ cnp: [fqdnPolicy], ccnp: [] }) }));
    expect(f?.summary).toContain('toFQDNs but no DNS rule');
  });

  it('L7 proxy off rejects the policy (PR #40549)', () => {
    const f = fqdnDnsProxy.match(exampleEvidence({
      workloads, ciliumConfig: ok({ 'enable-l7-proxy': 'false' }), policies: ok({ cnp: [{ ...fqdnPolicy, hasDnsRule: true }], ccnp: [] }), ...agentLogs(null, [LINES.l7Rejected]),
    }));
    expect(f?.fixSteps[0]?.helmValues).toBe('l7Proxy: true');
    expect(f?.evidence.some((q) => q.kind === 'log')).toBe(true);
  });

  it('repeated DNS proxy timeouts (#43643, slog) are a finding; one is noise', () => {
    expect(fqdnDnsProxy.match(exampleEvidence(agentLogs(null, Array.from({ length: 5 }, () => LINES.slogDnsWarn))))?.summary).toContain('timed out');
    expect(fqdnDnsProxy.match(exampleEvidence(agentLogs(null, [LINES.slogDnsWarn])))).toBeNull();
  });

  it('near miss: toFQDNs with a DNS rule in a CCNP covering the pod is fine', () => {
    const dns = pol({ name: 'dns', namespace: undefined, endpointSelector: {}, hasEgress: true, hasDnsRule: true });
    expect(fqdnDnsProxy.match(exampleEvidence({ workloads, policies: ok({ cnp: [fqdnPolicy], ccnp: [dns] }) }))).toBeNull();
  });

  it('unknown everything → null', () => {
    expect(fqdnDnsProxy.match(exampleEvidence({ policies: missing('forbidden', 'x'), agentLogs: missing('forbidden', 'y') }))).toBeNull();
  });
});
