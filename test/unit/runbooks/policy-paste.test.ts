// The policy runbooks on pasted evidence without the node's pods (issue #16): the rule-by-rule DNS allow
// (engine/dns-allow.ts), the per-policy default-deny reading (engine/default-deny-problems.ts), policy fragments
// (pasted/policy-fragments.ts), `cilium monitor` lines (pasted/monitor-drops.ts), DNS-proxy lock contention and a CNP
// selector pinned to another namespace. Policies and lines are quoted from the threads named beside them; where a
// shape is varied (another namespace, a shorter wait) the test says so.
import { describe, expect, it } from 'vitest';
import { toPolicySummary } from '../../../runbooks/engine/policy-summary.ts';
import { dnsAllowOf } from '../../../runbooks/engine/dns-allow.ts';
import { policyOnlyProblems } from '../../../runbooks/engine/default-deny-problems.ts';
import type { PolicySummary } from '../../../runbooks/engine/evidence.ts';
import { analyzePastedText } from '../../../runbooks/engine/pasted/analyze-pasted.ts';
import { parseFlowLine } from '../../../runbooks/engine/pasted/hubble-flows.ts';
import { lockWaitSeconds, fqdnDnsProxy } from '../../../runbooks/catalogue/fqdn-dns-proxy.ts';
import { policySelectorDrift } from '../../../runbooks/catalogue/policy-selector-drift.ts';
import { agentLogs, exampleEvidence, missing, ok } from './fixtures.ts';

function cnp(spec: Record<string, unknown>, namespace: string | undefined = 'shop', kind = 'CiliumNetworkPolicy', name = 'p'): PolicySummary {
  const p = toPolicySummary({ kind, metadata: { name, ...(namespace !== undefined && { namespace }) }, spec });
  if (p === null) throw new Error('bad policy');
  return p;
}

// cilium/cilium#30744: the DNS rule of a working CNP (toEndpoints coredns, port 53 ANY, rules.dns).
const DNS_RULE_30744 = { toEndpoints: [{ matchLabels: { 'io.kubernetes.pod.namespace': 'kube-system', 'k8s-app': 'coredns' } }], toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }] };
// cilium/cilium#30068: the dns-visibility policy's `toEntities: all`.
const ALL_30068 = { toEntities: ['all'] };
// cilium/cilium#19676: toCIDR 0.0.0.0/0 only.
const CIDR_19676 = { toCIDR: ['0.0.0.0/0'] };

describe('dnsAllowOf: does an egress rule let lookups out', () => {
  it.each([
    ['rules.dns on port 53 (#30744)', [DNS_RULE_30744], 'l7'],
    ['port 53 without rules.dns (#11767)', [{ toEndpoints: [{ matchLabels: { 'k8s-app': 'kube-dns', 'k8s:io.kubernetes.pod.namespace': 'kube-system' } }], toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }] }] }], 'l4'],
    ['every port to the all entity (#30068)', [ALL_30068], 'l3'],
    ['every port to kube-dns in kube-system', [{ toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'kube-dns' } }] }], 'l3'],
    ['a port range over 53', [{ toPorts: [{ ports: [{ port: '1', endPort: 1024, protocol: 'UDP' }] }] }], 'l4'],
    ['toCIDR does not reach the pods Cilium manages (#19676)', [CIDR_19676], 'none'],
    ['an empty rule allows nothing', [{}], 'none'],
    ['port 443 to the relay only (onzack/hubble-observer#8)', [{ toEndpoints: [{ matchLabels: { 'app.kubernetes.io/name': 'hubble-relay', 'io.kubernetes.pod.namespace': 'kube-system' } }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] }], 'none'],
  ])('%s', (_what, egress, want) => {
    expect(dnsAllowOf(cnp({ endpointSelector: {}, egress }), 'cnp')).toBe(want);
  });

  it('a CNP selector without a namespace key stays in the policy namespace: kube-dns there is not the cluster DNS', () => {
    const rule = { toEndpoints: [{ matchLabels: { 'k8s-app': 'kube-dns' } }] };
    expect(dnsAllowOf(cnp({ endpointSelector: {}, egress: [rule] }, 'shop'), 'cnp')).toBe('none');
    expect(dnsAllowOf(cnp({ endpointSelector: {}, egress: [rule] }, 'kube-system'), 'cnp')).toBe('l3');
    expect(dnsAllowOf(cnp({ endpointSelector: {}, egress: [rule] }, undefined, 'CiliumClusterwideNetworkPolicy'), 'ccnp')).toBe('l3');
  });
});

describe('policyOnlyProblems: each pasted policy against the others that could select its pods', () => {
  const fqdnOnly = cnp({ endpointSelector: {}, egress: [{ toFQDNs: [{ matchName: 'slack.com' }] }] }, undefined, 'CiliumClusterwideNetworkPolicy', 'allow-external');

  it('a clusterwide policy with an empty selector and only toFQDNs default-denies DNS for every endpoint', () => {
    const [p, ...rest] = policyOnlyProblems({ cnp: [], ccnp: [fqdnOnly] });
    expect(rest).toEqual([]);
    expect(p).toMatchObject({ kind: 'no-dns', dir: 'egress', selectsAll: true, fqdnNames: ['slack.com'] });
    expect(p?.scope).toMatch(/every endpoint in the cluster/);
  });

  it('a DNS allow in a policy that may select the same pods silences it; one in another namespace does not', () => {
    const app = cnp({ endpointSelector: { matchLabels: { app: 'web' } }, egress: [CIDR_19676] }, 'shop', 'CiliumNetworkPolicy', 'web-egress');
    const dnsHere = cnp({ endpointSelector: {}, egress: [DNS_RULE_30744] }, 'shop', 'CiliumNetworkPolicy', 'dns');
    const dnsThere = cnp({ endpointSelector: {}, egress: [DNS_RULE_30744] }, 'other', 'CiliumNetworkPolicy', 'dns');
    expect(policyOnlyProblems({ cnp: [app, dnsHere], ccnp: [] })).toEqual([]);
    expect(policyOnlyProblems({ cnp: [app, dnsThere], ccnp: [] }).map((p) => [p.kind, p.policies[0]])).toEqual([['no-dns', 'CiliumNetworkPolicy shop/web-egress']]);
  });

  it('cilium/cilium#37729: egressDeny with enableDefaultDeny.egress=false puts nothing into default deny', () => {
    const spec = { endpointSelector: {}, egressDeny: [{ toCIDR: ['169.254.169.254/32'] }], enableDefaultDeny: { egress: false } };
    expect(policyOnlyProblems({ cnp: [], ccnp: [cnp(spec, undefined, 'CiliumClusterwideNetworkPolicy', 'deny-egress-to-ip')] })).toEqual([]);
    const { enableDefaultDeny: _, ...denyOnly } = spec;
    expect(policyOnlyProblems({ cnp: [], ccnp: [cnp(denyOnly, undefined, 'CiliumClusterwideNetworkPolicy', 'deny-egress-to-ip')] }).map((p) => p.kind)).toEqual(['deny-only']);
  });

  it('an ingress-only policy is an intended default deny: nothing to report', () => {
    expect(policyOnlyProblems({ cnp: [cnp({ endpointSelector: { matchLabels: { role: 'victim' } }, ingress: [{ fromEndpoints: [{}] }] })], ccnp: [] })).toEqual([]);
  });
});

describe('pasted policies without pods', () => {
  const findings = (text: string) => analyzePastedText(text).report.findings;

  it('a rule list in Python literal syntax is read as a policy fragment and judged alone', () => {
    const text = "[{'toEndpoints': [{'matchLabels': {'app.kubernetes.io/name': 'hubble-relay', 'io.kubernetes.pod.namespace': 'kube-system'}}],\n  'toPorts': [{'ports': [{'port': '443', 'protocol': 'TCP'}]}]}]";
    const r = analyzePastedText(text);
    expect(r.parts.map((p) => p.kind)).toEqual(['policies']);
    const f = r.report.findings[0];
    expect(f?.runbookId).toBe('policy-default-deny');
    expect(f?.confidence).toBe('medium');
    expect(f?.summary).toMatch(/pasted policy rules puts the pods it selects into egress default deny/);
  });

  it('cilium/cilium#30744: an `egress:` fragment with a DNS rule is read and finds nothing wrong', () => {
    const text = ['```yaml', '  egress:', '    - toEndpoints:', '        - matchLabels:', '            io.kubernetes.pod.namespace: kube-system',
      '            k8s-app: coredns', '      toPorts:', '        - ports:', "            - port: '53'", '              protocol: ANY',
      '          rules:', '            dns:', "              - matchPattern: '*'", '```'].join('\n');
    const r = analyzePastedText(text);
    expect(r.parts.map((p) => p.kind)).toEqual(['policies']);
    expect(r.report.findings.filter((f) => f.runbookId.startsWith('policy') || f.runbookId === 'fqdn-dns-proxy')).toEqual([]);
  });

  it('a toFQDNs-only policy selecting everything is policy-default-deny, not a DNS-visibility finding', () => {
    const text = ['apiVersion: "cilium.io/v2"', 'kind: CiliumClusterwideNetworkPolicy', 'metadata:', '  name: "egress-fqdn"', 'spec:', '  endpointSelector: {}',
      '  egress:', '    - toFQDNs:', '        - matchName: "example.com"'].join('\n');
    expect(findings(text).map((f) => f.runbookId)).toEqual(['policy-default-deny']);
    // The same policy on one app (#32567's shape) stays a DNS-visibility finding first.
    const oneApp = text.replace('  endpointSelector: {}', '  endpointSelector:\n    matchLabels:\n      app: web');
    expect(findings(oneApp)[0]?.runbookId).toBe('fqdn-dns-proxy');
  });
});

describe('cilium monitor lines as flows', () => {
  it('cilium/cilium#13308: drop lines are policy drops with their identities; no direction is guessed', () => {
    const f = parseFlowLine('xx drop (Policy denied) flow 0xf0433d07 to endpoint 0, identity 29995->1351: 100.96.3.106:51013 -> 100.96.3.61:8053 udp');
    expect(f).toMatchObject({ verdict: 'DROPPED', reason: 'Policy denied', direction: null, source: '100.96.3.106:51013 (ID:29995)', destination: '100.96.3.61:8053 (ID:1351)', summary: 'UDP' });
    const text = ['root@ip-10-250-4-151:/home/cilium# cilium monitor -t drop', 'Listening for events on 2 CPUs with 64x4096 of shared memory', 'Press Ctrl-C to quit',
      'xx drop (Policy denied) flow 0xf0433d07 to endpoint 0, identity 29995->1351: 100.96.3.106:51013 -> 100.96.3.61:8053 udp',
      'xx drop (Policy denied) flow 0x684a7489 to endpoint 0, identity 29995->1351: 100.96.3.106:34037 -> 100.96.3.194:8053 udp'].join('\n');
    expect(analyzePastedText(text).report.findings[0]?.runbookId).toBe('policy-default-deny');
  });

  it('policy-verdict lines of 1.8 (cilium/cilium#11778) and with auth (#36467); audit-mode allows are no drops', () => {
    const old = parseFlowLine('Policy verdict log: flow 0x3cc7e88f local EP ID 343, remote ID 11862, dst port 80, proto 6, ingress true, action allow, match none, 10.29.171.240:39126 -> 10.29.47.87:80 tcp SYN');
    expect(old).toMatchObject({ verdict: 'FORWARDED', reason: 'policy-verdict:none', direction: 'ingress', source: '10.29.171.240:39126 (ID:11862)' });
    const redirect = parseFlowLine('Policy verdict log: flow 0x0 local EP ID 47, remote ID 1616, proto 17, egress, action redirect, auth: disabled, match L3-L4, 10.202.3.83:40000 -> 10.0.0.10:53 udp');
    expect(redirect).toMatchObject({ verdict: 'FORWARDED', direction: 'egress', destination: '10.0.0.10:53 (ID:1616)' });
    const world = parseFlowLine('Policy verdict log: flow 0x48357586 local EP ID 211, remote ID world, proto 6, ingress, action deny, match none, 172.26.50.201:60556 -> 10.0.1.185:8082 tcp SYN');
    expect(world).toMatchObject({ verdict: 'DENIED', source: '172.26.50.201:60556 (ID:2)' });
    expect(parseFlowLine('xx drop (Policy denied) flow 0x1 to endpoint 0, ifindex 29, file bpf_lxc.c:1274, , identity 48447->world: 192.168.0.149:45830 -> 93.184.215.14:80 tcp SYN')?.destinationLabels).toEqual(['reserved:world']);
  });
});

describe('DNS proxy lock contention (pkg/fqdn/dnsproxy)', () => {
  // cilium/cilium#25877's line; the shorter waits below are the same line with another duration.
  const line = (d: string) => `level=warning msg="Lock acquisition time took longer than expected. Potentially too many parallel DNS requests being processed, consider adjusting --dnsproxy-lock-count and/or \`" dnsName=bar.default.svc.cluster.local. duration=${d} expected=1s subsys=daemon`;
  const logs = (lines: string[]) => agentLogs(null, lines);

  it('reads Go durations', () => {
    expect(lockWaitSeconds({ duration: '6.444839747s' })).toBeCloseTo(6.44, 2);
    expect(lockWaitSeconds({ duration: '1m2.5s' })).toBe(62.5);
    expect(lockWaitSeconds({ duration: '750ms' })).toBe(0.75);
    expect(lockWaitSeconds({})).toBeNull();
  });

  it('one wait past the resolver timeout, or five waits, is a finding; one short wait is not', () => {
    expect(fqdnDnsProxy.match(exampleEvidence({ ...logs([line('6.444839747s')]), policies: missing('forbidden', 'x') }))?.summary).toMatch(/waiting for its locks \(up to 6\.4 s\)/);
    expect(fqdnDnsProxy.match(exampleEvidence({ ...logs([line('1.2s')]), policies: missing('forbidden', 'x') }))).toBeNull();
    expect(fqdnDnsProxy.match(exampleEvidence({ ...logs(Array.from({ length: 5 }, () => line('1.2s'))), policies: missing('forbidden', 'x') }))?.basis).toBe('explicit');
  });
});

describe('policy-selector-drift without the cluster pods', () => {
  it('a CNP whose selector pins another namespace matches nothing, from the policy alone', () => {
    const p = cnp({ endpointSelector: { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'monitoring', app: 'grafana' } }, ingress: [{}] }, 'default', 'CiliumNetworkPolicy', 'grafana-in');
    const f = policySelectorDrift.match(exampleEvidence({ policies: ok({ cnp: [p], ccnp: [] }), clusterPods: missing('forbidden', 'x'), workloads: missing('forbidden', 'y') }));
    expect(f?.severity).toBe('warning');
    expect(f?.summary).toMatch(/names namespace monitoring, but a CiliumNetworkPolicy only selects pods of its own namespace \(default\)/);
  });

  it('the node endpoints show a near miss; without one they prove nothing', () => {
    const p = cnp({ endpointSelector: { matchLabels: { app: 'checkout' } }, egress: [ALL_30068] }, 'shop', 'CiliumNetworkPolicy', 'checkout-egress');
    const node = (labels: Record<string, string>) => ok([{ namespace: 'shop', name: 'endpoint 1', phase: 'Running', hostNetwork: false, labels }]);
    const base = { policies: ok({ cnp: [p], ccnp: [] }), clusterPods: missing('forbidden', 'x') };
    expect(policySelectorDrift.match(exampleEvidence({ ...base, workloads: node({ 'app.kubernetes.io/name': 'checkout' }) }))?.summary).toMatch(/among the pods read, not the whole cluster/);
    expect(policySelectorDrift.match(exampleEvidence({ ...base, workloads: node({ app: 'payments' }) }))).toBeNull();
  });
});

describe('manifests pasted with a policy are its pods', () => {
  // cilium/cilium#13308's reproduction: a Deployment and its CNP (DNS to node-local DNS by CIDR, with rules.dns).
  const REPRO_13308 = ['---', 'apiVersion: v1', 'kind: Namespace', 'metadata:', '  name: test', '---', 'apiVersion: apps/v1', 'kind: Deployment', 'metadata:',
    '  labels:', '    app: test', '  name: test', '  namespace: test', 'spec:', '  replicas: 1', '  selector:', '    matchLabels:', '      app: test', '  template:',
    '    metadata:', '      labels:', '        app: test', '    spec:', '      containers:', '      - name: test', '        image: debian', '        command:',
    '        - sleep', '        - "20000"', '---', 'apiVersion: cilium.io/v2', 'kind: CiliumNetworkPolicy', 'metadata:', '  name: egress-test', '  namespace: test',
    'spec:', '  endpointSelector:', '    matchLabels:', '      "k8s:app": test', '  egress:', '  - toCIDR:', '    - 169.254.25.10/32', '    toPorts:', '    - ports:',
    '      - port: "53"', '        protocol: UDP', '      rules:', '        dns:', '        - matchPattern: "*"'].join('\n');

  it('the Deployment becomes a pod the policy selects; its DNS allow leaves nothing to report', () => {
    const r = analyzePastedText(REPRO_13308);
    expect(r.parts.map((p) => p.kind)).toEqual(['policies']);
    expect(r.report.findings.filter((f) => f.runbookId.startsWith('policy'))).toEqual([]);
  });

  it('the same manifests with a renamed app label: a near miss for policy-selector-drift', () => {
    const renamed = REPRO_13308.replace('        app: test\n    spec:', '        app: test-v2\n    spec:');
    const f = analyzePastedText(renamed).report.findings.find((x) => x.runbookId === 'policy-selector-drift');
    expect(f?.severity).toBe('warning');
    expect(f?.summary).toMatch(/deployment\/test has app=test-v2 \(policy wants app=test\)/);
  });
});

describe('cilium-dbg policy get', () => {
  // The shape of the agent's rule dump as cilium/cilium#30149 quotes it ("policy from daemon"), with a CNP's labels.
  const rule = (name: string, egress: unknown[]) => ({
    endpointSelector: { matchLabels: { 'any:app': 'web', 'k8s:io.kubernetes.pod.namespace': 'shop' } },
    egress,
    labels: [
      { key: 'io.cilium.k8s.policy.derived-from', value: 'CiliumNetworkPolicy', source: 'k8s' },
      { key: 'io.cilium.k8s.policy.name', value: name, source: 'k8s' },
      { key: 'io.cilium.k8s.policy.namespace', value: 'shop', source: 'k8s' },
      { key: 'io.cilium.k8s.policy.uid', value: '5b1c', source: 'k8s' },
    ],
  });
  const dump = (rules: unknown[]) => `$ kubectl -n kube-system exec cilium-x7k2p -- cilium-dbg policy get\n${JSON.stringify(rules, null, 2)}\nRevision: 42`;

  it('its rules become the policies they came from, judged like pasted objects', () => {
    const r = analyzePastedText(dump([rule('web-egress', [{ toEndpoints: [{ matchLabels: { 'any:app': 'db', 'k8s:io.kubernetes.pod.namespace': 'shop' } }] }])]));
    expect(r.parts.map((p) => p.label)).toEqual(['network policies (1 CiliumNetworkPolicy)']);
    expect(r.report.findings[0]?.summary).toMatch(/CiliumNetworkPolicy shop\/web-egress puts the pods matching any:app=web/);
  });

  it('a second rule of another policy allowing DNS for the same namespace silences it; the agent-added namespace is no drift', () => {
    const r = analyzePastedText(dump([rule('web-egress', [{ toEndpoints: [{ matchLabels: { 'any:app': 'db' } }] }]), rule('dns', [DNS_RULE_30744])]));
    expect(r.report.findings.filter((f) => f.runbookId.startsWith('policy'))).toEqual([]);
  });
});
