// One pod's flows from its side (runbooks/engine/pod-drops.ts) and its CiliumEndpoint state: drops per direction,
// grouped by reason and by the policy responsible (its own for what it sends and receives, the peer's when the peer's
// ingress dropped it), a policy-verdict event counted once with its drop, other pods sharing a name prefix left out.
import { describe, expect, it } from 'vitest';
import { toPolicySummary } from '../../jobs/collect/cluster-facts.ts';
import { flowsOfPod, podFlowSummary } from '../../runbooks/engine/pod-drops.ts';
import { endpointStateOf } from '../../runbooks/engine/pod-diagnosis.ts';
import type { Flow, Flows, Policies, PolicySummary } from '../../runbooks/engine/evidence.ts';

const pod = { namespace: 'shop', name: 'checkout-7c9f8b6d4-x2x9q', labels: { app: 'checkout' } };
const ME = 'shop/checkout-7c9f8b6d4-x2x9q';

function cnp(name: string, spec: Record<string, unknown>): PolicySummary {
  const p = toPolicySummary({ metadata: { name, namespace: 'shop' }, spec });
  if (p === null) throw new Error('bad policy');
  return p;
}
const policies: Policies = {
  cnp: [
    cnp('checkout-egress', { endpointSelector: { matchLabels: { app: 'checkout' } }, egress: [{ toEndpoints: [{ matchLabels: { app: 'payments' } }] }] }),
    cnp('checkout-ingress', { endpointSelector: { matchLabels: { app: 'checkout' } }, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'web' } }] }] }),
    cnp('payments-from-frontend', { endpointSelector: { matchLabels: { app: 'payments' } }, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'frontend' } }] }] }),
    cnp('no-admin', { endpointSelector: { matchLabels: { app: 'checkout' } }, egressDeny: [{ toEndpoints: [{ matchLabels: { app: 'admin' } }] }] }),
  ],
  ccnp: [],
};

function f(p: Partial<Flow> & Pick<Flow, 'source' | 'destination'>): Flow {
  return { verdict: 'DROPPED', reason: 'Policy denied', direction: 'egress', summary: 'TCP Flags: SYN', raw: `${p.source} -> ${p.destination}`, dropReason: 'POLICY_DENIED', ...p };
}
const flows = (list: Flow[]): Flows => ({ flows: list, truncated: false, source: 'hubble-relay', windowMinutes: 15, coverage: { connectedNodes: 3, unavailableNodes: [] } });

describe('podFlowSummary', () => {
  it('egress denied at the pod: its egress policy named as the missing allow; the verdict event counted once', () => {
    const drop = f({ source: `${ME}:41000 (ID:48213)`, destination: 'kube-system/coredns-1:53 (ID:102)', port: 53, protocol: 'UDP' });
    const verdict = { ...drop, verdict: 'DENIED', reason: 'policy-verdict:none', dropReason: undefined };
    const s = podFlowSummary(flows([verdict, drop, drop]), pod, policies, []);
    expect(s.groups).toEqual([expect.objectContaining({ direction: 'egress', reason: 'POLICY_DENIED', count: 2, peers: ['kube-system/coredns-1:53'] })]);
    // A deny-only policy puts the pod in egress default deny too (docs security/policy/language, Deny Policies).
    expect(s.groups[0]?.responsible).toBe(`Missing egress allow: CiliumNetworkPolicy shop/checkout-egress, CiliumNetworkPolicy shop/no-admin select ${ME}, putting it in egress default deny, and no rule allows kube-system/coredns-1 on port 53.`);
  });

  it('ingress denied at the pod, and the pod\'s egress denied at the peer\'s ingress (the peer\'s policy named)', () => {
    const s = podFlowSummary(flows([
      f({ source: 'shop/frontend-1:5000 (ID:7001)', destination: `${ME}:8080 (ID:48213)`, direction: 'ingress', port: 8080 }),
      f({ source: `${ME}:42000 (ID:48213)`, destination: 'shop/payments-1:8080 (ID:3311)', direction: 'ingress', port: 8080, destinationLabels: ['k8s:app=payments', 'k8s:io.kubernetes.pod.namespace=shop'] }),
    ]), pod, policies, []);
    const byDir = Object.fromEntries(s.groups.map((g) => [g.direction, g.responsible]));
    expect(byDir['ingress']).toBe(`Missing ingress allow: CiliumNetworkPolicy shop/checkout-ingress selects ${ME}, putting it in ingress default deny, and no rule allows shop/frontend-1 on port 8080.`);
    expect(byDir['egress']).toBe(`Missing ingress allow: CiliumNetworkPolicy shop/payments-from-frontend selects shop/payments-1, putting it in ingress default deny, and no rule allows ${ME} on port 8080.`);
    expect(s.groups.map((g) => g.direction)).toEqual(['egress', 'ingress']);
  });

  it('a deny rule names the deny policy; a datapath drop is not pinned on policy', () => {
    const s = podFlowSummary(flows([
      f({ source: `${ME}:1 (ID:48213)`, destination: 'shop/admin-1:80 (ID:9)', dropReason: 'POLICY_DENY', reason: 'Policy denied by denylist' }),
      f({ source: `${ME}:2 (ID:48213)`, destination: '10.0.0.9:443', dropReason: 'CT_MAP_INSERTION_FAILED', reason: 'CT: Map insertion failed' }),
    ]), pod, policies, []);
    expect(s.groups.map((g) => g.responsible)).toEqual([
      expect.stringContaining('explicit egressDeny rule in CiliumNetworkPolicy shop/no-admin matches'),
      'Not a policy decision: the datapath dropped it as CT_MAP_INSERTION_FAILED; see the drop reason in the Cilium troubleshooting docs.',
    ]);
  });

  it('policies unread: the missing allow is said without naming a policy; DNS and HTTP flows are counted', () => {
    const dns: Flow = { verdict: 'FORWARDED', reason: 'dns-request', direction: 'egress', source: `${ME}:1 (ID:48213)`, destination: 'kube-system/coredns-1:53 (ID:102)', summary: '', raw: '', l7: { kind: 'dns', type: 'request', what: 'cilium.io.', code: 0 } };
    const s = podFlowSummary(flows([dns, f({ source: `${ME}:1 (ID:48213)`, destination: '1.1.1.1:443' })]), pod, null, []);
    expect(s.groups[0]?.responsible).toMatch(/^Missing egress allow: a policy with an egress section selects shop\/checkout/);
    expect(s.dnsFlows).toBe(1);
    expect(s.httpFlows).toBe(0);
    expect(s.flowsRead).toBe(2);
  });
});

describe('flowsOfPod', () => {
  it('keeps the exact pod at either end; a pod whose name only starts the same is left out', () => {
    const mine = f({ source: `${ME}:1 (ID:48213)`, destination: '1.1.1.1:443' });
    const other = f({ source: 'shop/checkout-7c9f8b6d4-x2x9q2:1 (ID:5)', destination: '1.1.1.1:443' });
    const toMe = f({ source: '10.0.0.1:1', destination: `${ME}:8080 (ID:48213)` });
    expect(flowsOfPod(flows([mine, other, toMe]), pod).flows).toEqual([mine, toMe]);
  });
});

describe('endpointStateOf', () => {
  it('reads the CiliumEndpoint status (pkg/k8s/apis/cilium.io/v2 EndpointStatus); what is absent stays null', () => {
    expect(endpointStateOf({ status: { state: 'ready', identity: { id: 48213 }, networking: { addressing: [{ ipv4: '10.1.2.41' }] }, policy: { ingress: { enforcing: false }, egress: { enforcing: true } } } }))
      .toEqual({ state: 'ready', identity: 48213, ingressEnforcing: false, egressEnforcing: true, ipv4: '10.1.2.41' });
    expect(endpointStateOf({ status: { state: 'waiting-for-identity' } })).toEqual({ state: 'waiting-for-identity', identity: null, ingressEnforcing: null, egressEnforcing: null, ipv4: null });
    expect(endpointStateOf('nonsense')).toEqual({ state: null, identity: null, ingressEnforcing: null, egressEnforcing: null, ipv4: null });
  });
});
