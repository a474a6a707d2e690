// why-dropped on L7 denials and correlated deny policies: the Star Wars PUT the proxy denied is an L7 decision (answered
// 403, with where to get the rule diff), not a "datapath" drop; a POLICY_DENY drop carrying Hubble's policy correlation
// names the deny policy (egress_denied_by as cilium/cilium PR #31544 shows it: name deny-world, namespace default).
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { flowFromRelay } from '../../../runbooks/engine/relay-flow-convert.ts';
import { whyDropped } from '../../../runbooks/engine/why-dropped.ts';
import type { Flow } from '../../../runbooks/engine/evidence.ts';
import { loadScenarioFlows } from '../../../sandbox/hubble/scenario-flows.ts';

const SCENARIO = fileURLToPath(new URL('../../../sandbox/scenarios/hubble/l7-starwars-exhaust-port.json', import.meta.url));
const relayFlows = (): Flow[] => loadScenarioFlows(SCENARIO).responses.flatMap((r) => (r.flow === undefined ? [] : [flowFromRelay(r.flow, r.node_name ?? '')]));
const fact = (flows: Flow[]) => ({ ok: true as const, value: { flows, truncated: false, source: 'hubble-relay' as const } });

describe('why-dropped: L7 denials and named deny policies', () => {
  it('the denied PUT is the L7 proxy\'s 403, pointing at the node diagnosis for the rule diff', () => {
    const a = whyDropped(fact(relayFlows()), { source: { namespace: 'default', pod: 'tiefighter' }, destination: { namespace: 'default', pod: 'deathstar' }, port: 80 });
    if (a.status !== 'answered') throw new Error('unavailable');
    expect(a.groups).toHaveLength(1);
    expect(a.groups[0]).toMatchObject({ reason: 'http-request', direction: 'ingress', towards: 'destination', count: 1 });
    expect(a.groups[0]?.responsible).toBe('The L7 proxy denied these HTTP requests and answered 403 "Access denied": no rules.http entry of the ingress policy on this port allows them. `/cilium diagnose node-2` names the field that did not match (method, path, host) and the one rule entry to add.');
    // xwing's L3/L4 drop belongs to another pair.
    const x = whyDropped(fact(relayFlows()), { source: { namespace: 'default', pod: 'xwing' }, destination: { namespace: 'default', pod: 'deathstar' } });
    if (x.status !== 'answered') throw new Error('unavailable');
    expect(x.groups.map((g) => g.reason)).toEqual(['POLICY_DENIED']);
  });

  it('a POLICY_DENY drop with egress_denied_by names the deny policy', () => {
    const drop = flowFromRelay({
      verdict: 'DROPPED', drop_reason_desc: 'POLICY_DENY', traffic_direction: 'EGRESS', is_reply: { value: false },
      l4: { TCP: { source_port: 51000, destination_port: 80 } },
      source: { namespace: 'default', pod_name: 'curl', identity: 1001 }, destination: { namespace: 'default', pod_name: 'web-5d9', identity: 1002 },
      egress_denied_by: [{ name: 'deny-world', namespace: 'default', labels: ['k8s:io.cilium.k8s.policy.derived-from=CiliumNetworkPolicy'] }],
    }, 'node-1');
    const a = whyDropped(fact([drop]), { source: { namespace: 'default', pod: 'curl' }, destination: { namespace: 'default', pod: 'web' } });
    if (a.status !== 'answered') throw new Error('unavailable');
    expect(a.groups[0]?.responsible).toBe('An explicit egressDeny rule matches default/curl → default/web:80; deny rules win over any allow. Hubble names the policy: default/deny-world.');
  });
});
