// L7 flows on the wire and as the bot reads them: the policy-correlation fields (flow.proto Policy; egress_denied_by
// 21004, ingress_denied_by 21005) decode from hand-encoded bytes, a reply prints with its ends flipped back as
// `hubble observe` prints it (hubble/pkg/printer: "flip the arrow and src/dst for reply packets"), and the Star Wars
// scenario read through the real client and the Relay emulator over gRPC gives the docs' lines
// (docs observability/hubble/hubble-cli), filtered by HTTP status as Relay filters them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flowFromRelay } from '../../runbooks/engine/relay-flow-convert.ts';
import { readRelayFlows } from '../../jobs/hubble/read-relay-flows.ts';
import type { RelayEmulator } from '../../sandbox/hubble/relay-emulator.ts';
import { isL7Denial } from '../../runbooks/engine/evidence.ts';
import { httpExchange, l7Denials } from '../../runbooks/engine/l7-http-flows.ts';
import { decodeResponse, key, lenDelim, str, varint } from './proto-bytes.ts';
import { hubbleFlowsFile, startScenarioRelay } from './relay-kit.ts';

const SCENARIO = hubbleFlowsFile('l7-starwars-exhaust-port');

describe('policy correlation fields (flow.proto Policy)', () => {
  it('decodes egress_denied_by (21004) and ingress_denied_by (21005): name 1, namespace 2, labels 3, revision 4', () => {
    // The shape PR #31544 shows for a deny policy: "egress_denied_by": [{"name": "deny-world", "namespace": "default", "labels": [...]}].
    const policy = [...str(1, 'deny-world'), ...str(2, 'default'), ...str(3, 'k8s:io.cilium.k8s.policy.derived-from=CiliumNetworkPolicy'), ...str(3, 'k8s:io.cilium.k8s.policy.name=deny-world'), ...key(4, 0), ...varint(7)];
    const flow = [...key(2, 0), ...varint(2), ...key(25, 0), ...varint(181), ...lenDelim(21004, policy), ...lenDelim(21005, str(1, 'lockdown'))];
    const r = decodeResponse(Buffer.from(lenDelim(1, flow)));
    expect(r.flow?.egress_denied_by).toEqual([{ name: 'deny-world', namespace: 'default', labels: ['k8s:io.cilium.k8s.policy.derived-from=CiliumNetworkPolicy', 'k8s:io.cilium.k8s.policy.name=deny-world'], revision: '7' }]);
    const f = flowFromRelay(r.flow ?? {}, 'node-2');
    expect(f.reason).toBe('Policy denied by denylist');
    expect(f.deniedBy).toEqual([
      { direction: 'ingress', name: 'lockdown', labels: [] },
      { direction: 'egress', name: 'deny-world', namespace: 'default', labels: ['k8s:io.cilium.k8s.policy.derived-from=CiliumNetworkPolicy', 'k8s:io.cilium.k8s.policy.name=deny-world'], revision: '7' },
    ]);
  });
});

describe('L7 flows of the Star Wars scenario through the real client', () => {
  let relay: RelayEmulator;
  beforeAll(async () => {
    relay = await startScenarioRelay(SCENARIO);
  });
  afterAll(async () => {
    await relay.close();
  });

  it('the proxy\'s 403 answer (http_status_code filter): a reply, printed client-side first with `<-`', async () => {
    const fact = await readRelayFlows({ address: relay.address }, { filters: [{ destination_pod: ['default/tiefighter'], http_status_code: ['4+'] }], maxFlows: 100, deadlineMs: 5000 });
    if (!fact.ok) throw new Error(fact.detail);
    expect(relay.requests.at(-1)?.whitelist).toEqual([{ destination_pod: ['default/tiefighter'], http_status_code: ['4+'] }]);
    expect(fact.value.flows).toHaveLength(1);
    const [f] = fact.value.flows;
    expect(f?.raw).toBe('Nov 23 13:23:43.791 [default/node-2]: default/tiefighter:42742 (ID:19274) <- default/deathstar-c74d84667-cx5kp:80 (ID:318) http-response FORWARDED (HTTP/1.1 403 0ms (PUT http://deathstar.default.svc.cluster.local/v1/exhaust-port))');
    expect(f).toMatchObject({ source: 'default/tiefighter:42742 (ID:19274)', destination: 'default/deathstar-c74d84667-cx5kp:80 (ID:318)', port: 80, isReply: true, direction: 'ingress' });
    expect(f?.destinationLabels).toContain('k8s:class=deathstar');
    expect(f?.l7).toEqual({ kind: 'http', type: 'response', what: 'PUT http://deathstar.default.svc.cluster.local/v1/exhaust-port', code: 403, method: 'PUT', url: 'http://deathstar.default.svc.cluster.local/v1/exhaust-port', protocol: 'HTTP/1.1' });
  });

  it('every L7 line prints as the docs print it; only the PUT is an L7 denial, paired with its 403', async () => {
    const fact = await readRelayFlows({ address: relay.address }, { filters: [{ protocol: ['http'] }], maxFlows: 100, deadlineMs: 5000 });
    if (!fact.ok) throw new Error(fact.detail);
    const tail = (raw: string): string => raw.replace(/^.*?\]: /, '').replace(/ \(ID:\d+\)/g, '');
    expect(fact.value.flows.map((f) => tail(f.raw))).toEqual([
      'default/tiefighter:42690 -> default/deathstar-c74d84667-cx5kp:80 http-request FORWARDED (HTTP/1.1 POST http://deathstar.default.svc.cluster.local/v1/request-landing)',
      'default/tiefighter:42690 <- default/deathstar-c74d84667-cx5kp:80 http-response FORWARDED (HTTP/1.1 200 0ms (POST http://deathstar.default.svc.cluster.local/v1/request-landing))',
      'default/tiefighter:42742 -> default/deathstar-c74d84667-cx5kp:80 http-request DROPPED (HTTP/1.1 PUT http://deathstar.default.svc.cluster.local/v1/exhaust-port)',
      'default/tiefighter:42742 <- default/deathstar-c74d84667-cx5kp:80 http-response FORWARDED (HTTP/1.1 403 0ms (PUT http://deathstar.default.svc.cluster.local/v1/exhaust-port))',
    ]);
    expect(fact.value.flows.filter(isL7Denial)).toHaveLength(1);
    const put = fact.value.flows[2];
    if (put === undefined) throw new Error('no PUT flow');
    expect(httpExchange(put)).toMatchObject({ type: 'request', method: 'PUT', path: '/v1/exhaust-port', host: 'deathstar.default.svc.cluster.local' });
    expect(l7Denials(fact.value.flows)).toMatchObject([{ client: 'default/tiefighter', server: 'default/deathstar-c74d84667-cx5kp', port: 80, method: 'PUT', path: '/v1/exhaust-port', count: 1, answered403: 1, direction: 'ingress' }]);
  });
});
