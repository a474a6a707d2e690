// The l7-policy runbook on real Hubble output: the Hubble CLI docs' Star Wars lines pasted as text, the same story
// read from Relay (the sandbox scenario, flow.proto objects), the CNP rule1 of the demo, and the other L7 failure modes
// (HTTPS on an HTTP rule, cilium/cilium#32567; proxy drops, flow.proto DropReason 161/180; L7 proxy off, PR #40549).
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { l7Policy } from '../../../runbooks/catalogue/l7-policy.ts';
import type { Flow, PolicySummary } from '../../../runbooks/engine/evidence.ts';
import { parseFlowLine } from '../../../runbooks/engine/pasted/hubble-flows.ts';
import { flowFromRelay } from '../../../runbooks/engine/relay-flow-convert.ts';
import { loadScenarioFlows } from '../../../sandbox/hubble/scenario-flows.ts';
import { exampleEvidence, missing, ok } from './fixtures.ts';

const SCENARIO = fileURLToPath(new URL('../../../sandbox/scenarios/hubble/l7-starwars-exhaust-port.json', import.meta.url));

/** docs.cilium.io observability/hubble/hubble-cli (Documentation/observability/hubble/hubble-cli.rst, 1.16.7). */
const DOCS_LINES = [
  'May  4 13:23:40.501: default/tiefighter:42690 -> default/deathstar-c74d84667-cx5kp:80 http-request FORWARDED (HTTP/1.1 POST http://deathstar.default.svc.cluster.local/v1/request-landing)',
  'May  4 13:23:40.502: default/tiefighter:42690 <- default/deathstar-c74d84667-cx5kp:80 http-response FORWARDED (HTTP/1.1 200 0ms (POST http://deathstar.default.svc.cluster.local/v1/request-landing))',
  'May  4 13:23:43.791: default/tiefighter:42742 -> default/deathstar-c74d84667-cx5kp:80 http-request DROPPED (HTTP/1.1 PUT http://deathstar.default.svc.cluster.local/v1/exhaust-port)',
  'May  4 13:23:47.852: default/xwing:42818 <> default/deathstar-c74d84667-cx5kp:80 Policy denied DROPPED (TCP Flags: SYN)',
];

const cnp = (name: string, namespace: string, spec: Record<string, unknown>): PolicySummary => ({
  name, namespace, endpointSelector: spec['endpointSelector'], hasIngress: spec['ingress'] !== undefined, hasEgress: spec['egress'] !== undefined,
  hasIngressDeny: false, hasEgressDeny: false, hasToFQDNs: spec['egress'] !== undefined, spec,
});

/** cilium/cilium examples/minikube/sw_l3_l4_l7_policy.yaml. */
const RULE1 = cnp('rule1', 'default', {
  endpointSelector: { matchLabels: { org: 'empire', class: 'deathstar' } },
  ingress: [{ fromEndpoints: [{ matchLabels: { org: 'empire' } }], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{ method: 'POST', path: '/v1/request-landing' }] } }] }],
});

const pasted = (lines: string[]): Flow[] => lines.map((l) => {
  const f = parseFlowLine(l);
  if (f === null) throw new Error(`not a flow line: ${l}`);
  return f;
});
const relayFlows = (): Flow[] => loadScenarioFlows(SCENARIO).responses.flatMap((r) => (r.flow === undefined ? [] : [flowFromRelay(r.flow, r.node_name ?? '')]));

function evidence(flows: Flow[], source: 'pasted' | 'hubble-relay', policies: PolicySummary[] | null, config: Record<string, string> = {}) {
  return exampleEvidence({
    flows: ok({ flows, truncated: false, source }),
    policies: policies === null ? missing('forbidden', 'cannot list ciliumnetworkpolicies') : ok({ cnp: policies, ccnp: [] }),
    ciliumConfig: ok({ 'enable-hubble': 'true', ...config }),
  });
}

describe('l7-policy: HTTP requests the proxy denied', () => {
  it('pasted docs lines + rule1: PUT /v1/exhaust-port, both fields named, the one-entry diff; high (no labels in text)', () => {
    const f = l7Policy.match(evidence(pasted(DOCS_LINES), 'pasted', [RULE1]));
    expect(f?.title).toBe('L7 policy denies HTTP PUT /v1/exhaust-port to default/deathstar-c74d84667-cx5kp');
    expect(f?.summary).toContain('The L7 proxy denied 1 HTTP request (http-request DROPPED; the client gets 403 "Access denied"): PUT /v1/exhaust-port: method and path did not match.');
    expect(f?.evidence[0]).toEqual({ kind: 'log', text: DOCS_LINES[2], source: 'hubble observe (pasted)' });
    expect(f?.evidence.find((q) => q.kind === 'comparison')).toEqual({
      kind: 'comparison',
      text: 'PUT /v1/exhaust-port vs the closest entry: method "POST" does not match PUT; path "/v1/request-landing" does not match /v1/exhaust-port',
      source: 'CiliumNetworkPolicy default/rule1 spec.ingress[0].toPorts[0].rules.http[0]',
    });
    const step = f?.fixSteps[0];
    expect(step?.title).toBe('Allow exactly PUT /v1/exhaust-port in CiliumNetworkPolicy default/rule1');
    expect(step?.detail).toContain('allows only PUT /v1/exhaust-port from the same peers on the same port, nothing more');
    expect(step?.detail).toContain('+  - method: "PUT"\n+    path: "/v1/exhaust-port"');
    expect(step?.commands).toEqual(['kubectl -n default edit cnp rule1']);
    expect(f?.confidence).toBe('high');
    // The xwing's L3/L4 drop and the allowed POST are not L7 denials.
    expect(f?.summary).not.toContain('xwing');
  });

  it('Relay flows (the sandbox scenario) + rule1: labels prove the rule applies → certain, with the proxy\'s 403 answer', () => {
    const f = l7Policy.match(evidence(relayFlows(), 'hubble-relay', [RULE1]));
    expect(f?.confidence).toBe('certain');
    expect(f?.basis).toBe('observed');
    expect(f?.summary).toContain('(http-request DROPPED, answered 403 1×;');
    const logs = f?.evidence.filter((q) => q.kind === 'log').map((q) => q.text) ?? [];
    expect(logs[0]).toMatch(/^Nov 23 13:23:43\.791 \[default\/node-2\]: default\/tiefighter:42742 \(ID:19274\) -> default\/deathstar-c74d84667-cx5kp:80 \(ID:318\) http-request DROPPED \(HTTP\/1\.1 PUT http:\/\/deathstar\.default\.svc\.cluster\.local\/v1\/exhaust-port\)$/);
    expect(logs[1]).toContain('default/tiefighter:42742 (ID:19274) <- default/deathstar-c74d84667-cx5kp:80 (ID:318) http-response FORWARDED (HTTP/1.1 403 0ms (PUT http://deathstar.default.svc.cluster.local/v1/exhaust-port))');
    expect(f?.fixSteps.at(-1)?.commands).toEqual(['hubble observe --pod default/deathstar-c74d84667-cx5kp --protocol http --last 20']);
  });

  it('policies not readable: still the denial (high), with how to find the rule instead of a diff', () => {
    const f = l7Policy.match(evidence(relayFlows(), 'hubble-relay', null));
    expect(f?.confidence).toBe('high');
    expect(f?.summary).toContain('PUT /v1/exhaust-port: the policies were not read');
    expect(f?.fixSteps[0]?.title).toBe('Find the HTTP rule for default/deathstar-c74d84667-cx5kp port 80');
    // A paste has no port field: the port is the one printed after the destination.
    const fromPaste = l7Policy.match(evidence(pasted(DOCS_LINES), 'pasted', null));
    expect(fromPaste?.fixSteps[0]?.title).toBe('Find the HTTP rule for default/deathstar-c74d84667-cx5kp port 80');
    expect(f?.fixSteps[0]?.detail).toContain('add an entry for PUT /v1/exhaust-port only');
  });

  it('an entry that matches method and path but requires headers: no diff, the headers are named', () => {
    const withHeaders = cnp('rule1', 'default', {
      endpointSelector: { matchLabels: { org: 'empire', class: 'deathstar' } },
      ingress: [{ toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{ method: 'PUT', path: '/v1/exhaust-port', headers: ['X-Has-Force: True'] }] } }] }],
    });
    const f = l7Policy.match(evidence(relayFlows(), 'hubble-relay', [withHeaders]));
    expect(f?.evidence.find((q) => q.kind === 'comparison')?.text).toBe('an entry matches PUT /v1/exhaust-port on method, path and host; the denial is about what the flow does not show (headers X-Has-Force: True (not visible in flows))');
    expect(f?.fixSteps.some((s) => s.title.startsWith('Allow exactly'))).toBe(false);
  });

  it('healthy L7 traffic (only FORWARDED requests) is no finding', () => {
    expect(l7Policy.match(evidence(pasted([DOCS_LINES[0] ?? '', DOCS_LINES[1] ?? '']), 'pasted', [RULE1]))).toBeNull();
  });

  it('pairs the proxy\'s 403 with the denied request (docs network/servicemesh external lock-down lines)', () => {
    const f = l7Policy.match(evidence(pasted([
      'Feb 29 13:00:29.389: 172.18.0.1:53866 (ingress) -> kube-system/cilium-ingress:80 (world) http-request DROPPED (HTTP/1.1 GET http://172.18.255.194/details/1)',
      'Feb 29 13:00:29.389: 172.18.0.1:53866 (ingress) <- kube-system/cilium-ingress:80 (world) http-response FORWARDED (HTTP/1.1 403 0ms (GET http://172.18.255.194/details/1))',
    ]), 'pasted', []));
    expect(f?.title).toBe('L7 policy denies HTTP GET /details/1 to kube-system/cilium-ingress');
    expect(f?.summary).toContain('answered 403 1×');
    expect(f?.summary).toContain('no rules.http entry of the policies read applies to this port and these pods');
  });
});

describe('l7-policy: HTTPS on an HTTP rule, and the proxy itself', () => {
  it('cilium/cilium#32567: rules.http on 443 without TLS interception → medium, with the TLS interception fix', () => {
    const policy = cnp('client-ca', 'cilium-poc', {
      endpointSelector: { matchLabels: { 'k8s:app': 'client-ca' } },
      egress: [{ toFQDNs: [{ matchName: 'dummyjson.com' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }], rules: { http: [{}] } }] }],
    });
    const f = l7Policy.match(evidence([], 'hubble-relay', [policy]));
    expect(f?.title).toBe('HTTP rules on port 443, where clients speak TLS');
    expect(f?.summary).toContain('CiliumNetworkPolicy cilium-poc/client-ca spec.egress[0].toPorts[0] (port 443) has rules.http but no TLS interception');
    expect(f?.confidence).toBe('medium');
    expect(f?.basis).toBe('inferred');
    expect(f?.docs.some((d) => d.url.endsWith('/security/tls-visibility/'))).toBe(true);
    // With terminatingTLS/originatingTLS on the port, the proxy can read the stream: no finding.
    const intercepted = cnp('client-ca', 'cilium-poc', {
      endpointSelector: { matchLabels: { 'k8s:app': 'client-ca' } },
      egress: [{ toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }], originatingTLS: { secret: { namespace: 'cilium-secrets', name: 'my-ca' } }, rules: { http: [{}] } }] }],
    });
    expect(l7Policy.match(evidence([], 'hubble-relay', [intercepted]))).toBeNull();
  });

  it('with flows reaching the proxy on 443 and no HTTP record there: high, quoting them', () => {
    const policy = cnp('client-ca', 'cilium-poc', {
      endpointSelector: { matchLabels: { 'k8s:app': 'client-ca' } },
      egress: [{ toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }], rules: { http: [{}] } }] }],
    });
    // The to-proxy line shape of the Star Wars walk-through (`… to-proxy FORWARDED (TCP Flags: ACK, PSH)`), here to 443.
    const line = 'Jun 30 20:15:59.587: cilium-poc/client-ca-7d9f:57694 (ID:35210) -> 104.196.232.237:443 (ID:16777217) to-proxy FORWARDED (TCP Flags: ACK, PSH)';
    const f = l7Policy.match(evidence(pasted([line]), 'pasted', [policy]));
    expect(f?.confidence).toBe('high');
    expect(f?.basis).toBe('observed');
    expect(f?.summary).toContain('Hubble shows traffic to that port reaching the proxy with no HTTP record');
    expect(f?.evidence.some((q) => q.text === line)).toBe(true);
  });

  it('drops the proxy could not take (flow.proto DropReason 180) → certain', () => {
    const drop = flowFromRelay({
      verdict: 'DROPPED', drop_reason_desc: 'PROXY_REDIRECTION_NOT_SUPPORTED_FOR_PROTOCOL', traffic_direction: 'INGRESS',
      IP: { source: '10.1.2.41', destination: '10.1.2.57' }, l4: { UDP: { source_port: 40000, destination_port: 80 } },
      source: { namespace: 'default', pod_name: 'tiefighter', identity: 19274 }, destination: { namespace: 'default', pod_name: 'deathstar-c74d84667-cx5kp', identity: 318 },
      event_type: { type: 1, sub_type: 180 },
    }, 'node-2');
    expect(drop.reason).toBe('Proxy redirection not supported for protocol');
    const f = l7Policy.match(evidence([drop], 'hubble-relay', [RULE1]));
    expect(f?.title).toBe('The L7 proxy could not take the traffic (1 drop)');
    expect(f?.confidence).toBe('certain');
    expect(f?.fixSteps[0]?.commands?.[0]).toContain('status --verbose');
  });

  it('HTTP rules while enable-l7-proxy is false: the policy is rejected', () => {
    const f = l7Policy.match(evidence([], 'hubble-relay', [RULE1], { 'enable-l7-proxy': 'false' }));
    expect(f?.title).toBe('HTTP rules while the L7 proxy is off');
    expect(f?.summary).toContain('L7 policy is not supported since L7 proxy is not enabled');
    expect(f?.fixSteps.some((s) => s.helmValues === 'l7Proxy: true')).toBe(true);
  });

  it('flows not collected: needs only the policies; flows unavailable: needs them (inconclusive, not healthy)', () => {
    const base = evidence([], 'hubble-relay', [RULE1]);
    const needs = l7Policy.needs as (e: typeof base) => readonly string[];
    expect(needs({ ...base, flows: missing('not-found', 'not collected: no HUBBLE_RELAY_ADDR') })).toEqual(['policies']);
    expect(needs({ ...base, flows: missing('unavailable', 'Hubble Relay at 10.0.0.1:4245 is unreachable') })).toEqual(['flows', 'policies']);
  });
});
