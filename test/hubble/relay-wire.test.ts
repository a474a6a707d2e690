// Wire fidelity of the observer.proto/flow.proto subset: bytes as Cilium's Go code encodes them decode to the right
// fields (field numbers and types of cilium/cilium api/v1), and a flow recorded in Cilium's docs
// (docs.cilium.io observability/hubble/configuration/export: the xwing → deathstar POLICY_DENIED flow) survives
// the gRPC encoding and prints as `hubble observe` would.
import { describe, expect, it } from 'vitest';
import { flowFromRelay } from '../../runbooks/engine/relay-flow-convert.ts';
import { responseFromJson } from '../../sandbox/hubble/scenario-flows.ts';
import { isPolicyDrop } from '../../runbooks/engine/evidence.ts';
import { decodeResponse, encodeResponse, key, lenDelim, str, varint } from './proto-bytes.ts';

// Recorded in Cilium's docs (Hubble exporter output, protojson with proto field names).
const DOCS_FLOW = '{"flow":{"time":"2023-08-21T12:12:18.510175415Z","verdict":"DROPPED","IP":{"source":"10.244.1.60","destination":"10.244.1.5","ipVersion":"IPv4"},"l4":{"TCP":{"source_port":44916,"destination_port":80,"flags":{"SYN":true}}},"source":{"namespace":"default","pod_name":"xwing"},"destination":{"namespace":"default","pod_name":"deathstar-7848d6c4d5-th9v2"},"node_name":"kind-kind/kind-worker","drop_reason_desc":"POLICY_DENIED"},"node_name":"kind-kind/kind-worker","time":"2023-08-21T12:12:18.510175415Z"}';

describe('observer/flow proto subset on the wire', () => {
  it('decodes hand-encoded upstream field numbers: verdict 2, source 8 (namespace 3, pod_name 5), traffic_direction 22, drop_reason_desc 25, Summary 100000, node_name 1000', () => {
    const endpoint = [...str(3, 'shop'), ...str(5, 'checkout-1'), ...key(2, 0), ...varint(48213)];
    const flow = [
      ...key(2, 0), ...varint(2), // verdict DROPPED
      ...lenDelim(8, endpoint),
      ...key(22, 0), ...varint(2), // EGRESS
      ...key(23, 0), ...varint(0),
      ...key(25, 0), ...varint(133), // POLICY_DENIED
      ...lenDelim(6, lenDelim(2, [...key(2, 0), ...varint(53)])), // l4.UDP.destination_port
      ...str(100000, 'UDP'),
    ];
    const bytes = Buffer.from([...lenDelim(1, flow), ...str(1000, 'default/node-2')]);
    const r = decodeResponse(bytes);
    expect(r.node_name).toBe('default/node-2');
    expect(r.flow?.verdict).toBe('DROPPED');
    expect(r.flow?.drop_reason_desc).toBe('POLICY_DENIED');
    expect(r.flow?.traffic_direction).toBe('EGRESS');
    expect(r.flow?.source).toMatchObject({ namespace: 'shop', pod_name: 'checkout-1', identity: 48213 });
    expect(r.flow?.l4?.UDP?.destination_port).toBe(53);
    expect(r.flow?.Summary).toBe('UDP');
  });

  it('encodes drop_reason_desc with key 25/varint and the node name with key 1000, as Go does', () => {
    const bytes = encodeResponse({ flow: { verdict: 'DROPPED', drop_reason_desc: 'POLICY_DENIED' }, node_name: 'n' });
    const hex = bytes.toString('hex');
    expect(hex).toContain(Buffer.from([...key(25, 0), ...varint(133)]).toString('hex'));
    expect(hex).toContain(Buffer.from(str(1000, 'n')).toString('hex'));
  });

  it('keeps a drop reason this subset does not name as its number', () => {
    const r = decodeResponse(Buffer.from(lenDelim(1, [...key(25, 0), ...varint(199)])));
    expect(String(r.flow?.drop_reason_desc)).toBe('199');
  });

  it('the docs-recorded flow survives gRPC encoding and prints as hubble observe compact output', () => {
    const sent = responseFromJson(JSON.parse(DOCS_FLOW) as Record<string, unknown>);
    const got = decodeResponse(encodeResponse(sent));
    expect(got.flow?.source).toEqual({ namespace: 'default', pod_name: 'xwing' });
    expect(got.flow?.l4?.TCP).toEqual({ source_port: 44916, destination_port: 80, flags: { SYN: true } });
    const flow = flowFromRelay(got.flow ?? {}, got.node_name ?? '');
    expect(flow).toMatchObject({ verdict: 'DROPPED', reason: 'Policy denied', dropReason: 'POLICY_DENIED', protocol: 'TCP', port: 80, node: 'kind-kind/kind-worker', time: '2023-08-21T12:12:18.510Z' });
    expect(flow.raw).toBe('Aug 21 12:12:18.510 [kind-kind/kind-worker]: default/xwing:44916 <> default/deathstar-7848d6c4d5-th9v2:80 Policy denied DROPPED (TCP Flags: SYN)');
    expect(isPolicyDrop(flow)).toBe(true);
  });

  it('prints a policy-verdict event as DENIED with its match type and direction, and L7 DNS/HTTP records', () => {
    const verdict = flowFromRelay({ verdict: 'DROPPED', event_type: { type: 5 }, policy_match_type: 0, traffic_direction: 'EGRESS', drop_reason_desc: 'POLICY_DENIED', source: { namespace: 'shop', pod_name: 'c' }, l4: { UDP: { destination_port: 53 } } }, 'n');
    expect(verdict.raw).toContain('policy-verdict:none EGRESS DENIED (UDP)');
    expect(verdict.direction).toBe('egress');
    const dns = flowFromRelay({ verdict: 'FORWARDED', l7: { type: 'RESPONSE', dns: { query: 'a.b.svc.cluster.local.', rcode: 3 } } }, 'n');
    expect(dns.l7).toEqual({ kind: 'dns', type: 'response', what: 'a.b.svc.cluster.local.', code: 3 });
    expect(dns.summary).toBe('DNS Answer a.b.svc.cluster.local. RCode: 3');
    // Latency in whole ms, as docs observability/hubble/hubble-cli prints it: `HTTP/1.1 200 0ms (POST …)`.
    const http = flowFromRelay({ verdict: 'FORWARDED', l7: { type: 'RESPONSE', latency_ns: '1500000', http: { code: 403, method: 'PUT', url: 'http://deathstar/v1/exhaust-port', protocol: 'HTTP/1.1' } } }, 'n');
    expect(http.summary).toBe('HTTP/1.1 403 1ms (PUT http://deathstar/v1/exhaust-port)');
  });
});
