// JSON and YAML in a paste: network policies become the `policies` fact the cluster collector builds, `cilium-dbg
// status -o json` the agentStatus text, Hubble JSON flows the `flows` fact, `cilium-dbg endpoint list` the workloads
// policies select. Samples are real (structured-samples.ts names each source).
import { describe, expect, it } from 'vitest';
import { segment } from '../../../../runbooks/engine/pasted/segment.ts';
import { evidenceFromSegments } from '../../../../runbooks/engine/pasted/pasted-evidence.ts';
import { analyzePastedText } from '../../../../runbooks/engine/pasted/analyze-pasted.ts';
import { flowFromHubbleJson } from '../../../../runbooks/engine/pasted/hubble-json.ts';
import { statusTextFromJson } from '../../../../runbooks/engine/pasted/status-json.ts';
import { parseEndpointList, workloadsFromEndpoints } from '../../../../runbooks/engine/pasted/endpoint-list.ts';
import { parseAgentStatus } from '../../../../runbooks/engine/agent-status.ts';
import { isPolicyDrop } from '../../../../runbooks/engine/evidence-flows.ts';
import {
  CNP_EGRESS_DEFAULT_DENY, CNP_MULTI_DOC_1125, ENDPOINT_LIST_27677, ENDPOINT_LIST_4942, HELM_TEMPLATED_EGRESS_44396, HUBBLE_JSON_PRINTER,
  HUBBLE_JSONPB_PRINTER, KNP_DEFAULT_DENY_EGRESS, STATUS_JSON_18331,
} from './structured-samples.ts';
import { STATUS_18331 } from './samples.ts';

const ids = (text: string): string[] => analyzePastedText(text).report.findings.map((f) => f.runbookId);
const indent = (text: string, by: string): string => text.split('\n').map((l) => `${by}${l}`).join('\n');

describe('network policies in a paste', () => {
  it('multi-document YAML: the CiliumNetworkPolicy among other objects becomes the policies fact', () => {
    const segs = segment(CNP_MULTI_DOC_1125);
    expect(segs.map((s) => s.kind)).toEqual(['policies']);
    const e = evidenceFromSegments(segs);
    expect(e.policies.ok).toBe(true);
    if (!e.policies.ok) return;
    expect(e.policies.value.ccnp).toEqual([]);
    expect(e.policies.value.cnp).toEqual([expect.objectContaining({
      name: 'hostnet-deny', namespace: 'hubble-hostnet-test', hasEgress: true, hasIngress: false, hasToFQDNs: true, hasDnsRule: false,
      endpointSelector: { matchLabels: { app: 'hostnet-deny' } },
    })]);
  });

  it('fqdn-dns-proxy applies to it: toFQDNs with no DNS rule in scope', () => {
    const r = analyzePastedText(CNP_MULTI_DOC_1125);
    expect(r.parts.map((p) => p.label)).toEqual(['network policies (1 CiliumNetworkPolicy)']);
    const f = r.report.findings.find((x) => x.runbookId === 'fqdn-dns-proxy');
    expect(f?.summary).toMatch(/hubble-hostnet-test\/hostnet-deny uses toFQDNs \(example\.com\) but no DNS rule/);
  });

  it('tolerates chat indentation and markdown fences', () => {
    const fenced = ['can someone look at this policy?', '```yaml', indent(CNP_MULTI_DOC_1125, '    '), '```', 'thanks'].join('\n');
    const segs = segment(fenced);
    expect(segs.map((s) => s.kind)).toEqual(['policies']);
    expect(segs[0]?.startLine).toBe(3);
    expect(segs[0]?.lines).toHaveLength(CNP_MULTI_DOC_1125.split('\n').length);
  });

  it('a malformed document is skipped, never fatal: the valid policy before it still counts', () => {
    const text = `${CNP_MULTI_DOC_1125}\n${HELM_TEMPLATED_EGRESS_44396}`;
    expect(() => segment(text)).not.toThrow();
    const e = evidenceFromSegments(segment(text));
    expect(e.policies.ok && e.policies.value.cnp.map((p) => p.name)).toEqual(['hostnet-deny']);
    // Alone, the templated fragment is not a policy part (and not an error).
    expect(segment(HELM_TEMPLATED_EGRESS_44396).some((s) => s.kind === 'policies')).toBe(false);
  });

  it('the same objects as JSON, and as a `kubectl get … -o json` List, are read alike', () => {
    const cnp = { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'deny-all-egress' }, spec: { endpointSelector: { matchLabels: { role: 'restricted' } }, egress: null } };
    // The object is CNP_EGRESS_DEFAULT_DENY converted to JSON; the List wrapper is how kubectl prints several.
    const list = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [cnp], metadata: { resourceVersion: '' } }, null, 4);
    for (const text of [JSON.stringify(cnp, null, 2), list]) {
      const e = evidenceFromSegments(segment(text));
      expect(e.policies.ok && e.policies.value.cnp.map((p) => [p.name, p.hasEgress])).toEqual([['deny-all-egress', true]]);
    }
    const fromYaml = evidenceFromSegments(segment(CNP_EGRESS_DEFAULT_DENY));
    expect(fromYaml.policies.ok && fromYaml.policies.value.cnp.map((p) => [p.name, p.hasEgress])).toEqual([['deny-all-egress', true]]);
  });

  it('a `kubectl get cnp -o yaml` List (items under `items:`, behind a prompt) is read item by item', () => {
    // The item is CNP_EGRESS_DEFAULT_DENY; the List around it is the shape kubectl prints for several objects.
    const item = CNP_EGRESS_DEFAULT_DENY.split('\n').map((l, n) => `${n === 0 ? '- ' : '  '}${l}`).join('\n');
    const list = ['$ kubectl get cnp -A -o yaml', 'apiVersion: v1', 'items:', item, 'kind: List', 'metadata:', '  resourceVersion: ""'].join('\n');
    const segs = segment(list);
    expect(segs.map((s) => [s.kind, s.command])).toEqual([['policies', 'kubectl get cnp -A -o yaml']]);
    const e = evidenceFromSegments(segs);
    expect(e.policies.ok && e.policies.value.cnp.map((p) => p.name)).toEqual(['deny-all-egress']);
  });

  it('a Kubernetes NetworkPolicy is summarised as Cilium enforces it, and named as what it is', () => {
    const segs = segment(KNP_DEFAULT_DENY_EGRESS);
    expect(analyzePastedText(KNP_DEFAULT_DENY_EGRESS).parts.map((p) => p.label)).toEqual(['network policies (1 NetworkPolicy)']);
    const e = evidenceFromSegments(segs);
    expect(e.policies.ok && e.policies.value.cnp).toEqual([expect.objectContaining({
      name: 'default-deny-egress (Kubernetes NetworkPolicy)', endpointSelector: {}, hasEgress: true, hasIngress: false,
    })]);
  });

  it('YAML that is not a policy (a Namespace alone) is not recognised as one', () => {
    expect(segment(CNP_MULTI_DOC_1125.split('\n---\n')[0] ?? '')).toEqual([]);
  });
});

describe('cilium-dbg status -o json', () => {
  it('renders the text the agent prints, which the status parser reads as it reads the text output', () => {
    const text = statusTextFromJson(JSON.parse(STATUS_JSON_18331) as Record<string, unknown>);
    const fromJson = parseAgentStatus(text);
    const fromText = parseAgentStatus(STATUS_18331);
    expect(fromJson.ipam).toEqual(fromText.ipam);
    expect(fromJson.kubeProxyReplacement).toBe('Probe');
    expect(fromJson.kvstore).toBe(fromText.kvstore);
    expect(fromJson.controllers).toEqual({ healthy: 2, total: 3, failing: [{ name: 'endpoint-595-regeneration-recovery', message: 'regeneration recovery failed' }] });
    expect(fromJson.masquerading).toBe('IPTables');
    // Ages are counted from the newest timestamp in the document (it has no clock): 22m37s before 18:28:42.742.
    expect(text).toMatch(/endpoint-595-regeneration-recovery\tnever\t22m37s ago\t1140\tregeneration recovery failed/);
  });

  it('is recognised in a paste and gives ipam-exhausted, like the text status', () => {
    const r = analyzePastedText(`$ kubectl -n kube-system exec ds/cilium -- cilium-dbg status -o json\n${STATUS_JSON_18331}`);
    expect(r.parts.map((p) => p.label)).toEqual(['cilium-dbg status -o json']);
    expect(r.report.findings[0]?.runbookId).toBe('ipam-exhausted');
    const e = evidenceFromSegments(segment(STATUS_JSON_18331));
    expect(e.agentStatus).toMatchObject({ ok: true, value: { source: 'pasted', verbose: false } });
  });

  it('older agents: the addresses instead of the IPAM line give a count and no pool; ClusterMesh is summarised', () => {
    const text = statusTextFromJson({
      ipam: { ipv4: ['10.0.0.1', '10.0.2.0', '10.0.2.1'] },
      kvstore: { state: 'Ok', msg: 'Disabled' },
      'cluster-mesh': { clusters: [{ name: 'cluster-west', ready: false, status: 'not ready', 'num-nodes': 5, 'num-failures': 2 }], 'num-global-services': 12 },
    });
    expect(text).toContain('IPAM:\tIPv4: 3 allocated');
    expect(parseAgentStatus(text).ipam).toEqual([]);
    expect(parseAgentStatus(text).fields['ClusterMesh']).toMatch(/^0\/1 clusters ready, 12 global-services\ncluster-west: not-ready/);
  });

  it('a truncated status JSON is not a part and not an error', () => {
    const cut = STATUS_JSON_18331.split('\n').slice(0, 12).join('\n');
    expect(() => analyzePastedText(cut)).not.toThrow();
    expect(segment(cut).some((s) => s.kind === 'agent-status-json')).toBe(false);
  });
});

describe('hubble observe -o json / -o jsonpb', () => {
  it('both shapes become the same Flow, through the Relay conversion', () => {
    const a = flowFromHubbleJson(JSON.parse(HUBBLE_JSON_PRINTER));
    const b = flowFromHubbleJson(JSON.parse(HUBBLE_JSONPB_PRINTER));
    expect(a).toEqual(b);
    expect(a).toMatchObject({
      verdict: 'DROPPED', reason: 'Policy denied', source: '1.1.1.1:31793', destination: '2.2.2.2:8080', summary: 'TCP Flags: SYN',
      dropReason: 'POLICY_DENIED', protocol: 'TCP', port: 8080, node: 'k8s1', time: '1970-01-01T00:20:34.567Z',
    });
    expect(a !== null && isPolicyDrop(a)).toBe(true);
    expect(a?.raw).toBe('Jan  1 00:20:34.567 [k8s1]: 1.1.1.1:31793 <> 2.2.2.2:8080 Policy denied DROPPED (TCP Flags: SYN)');
  });

  it('flows printed with protojson JSON names (camelCase) are read too', () => {
    const camel = HUBBLE_JSONPB_PRINTER.replace(/"(node_name|event_type|sub_type|source_port|destination_port)"/g, (_m, k: string) => `"${k.replace(/_([a-z])/g, (_x, c: string) => c.toUpperCase())}"`);
    expect(camel).toContain('"nodeName"');
    expect(flowFromHubbleJson(JSON.parse(camel))).toEqual(flowFromHubbleJson(JSON.parse(HUBBLE_JSONPB_PRINTER)));
  });

  it('JSON lines, and the same flow pretty-printed by jq, are one part each; policy-default-deny reads the drops', () => {
    const lines = [HUBBLE_JSONPB_PRINTER, HUBBLE_JSON_PRINTER].join('\n');
    expect(analyzePastedText(lines).parts.map((p) => p.label)).toEqual(['hubble observe -o json (2 flows)']);
    const jq = JSON.stringify(JSON.parse(HUBBLE_JSONPB_PRINTER), null, 2);
    expect(segment(jq).map((s) => s.kind)).toEqual(['hubble-json']);
    const e = evidenceFromSegments(segment(lines));
    expect(e.flows).toMatchObject({ ok: true, value: { source: 'pasted', truncated: false } });
    expect(ids(lines)).toContain('policy-default-deny');
  });

  it('agent JSON log lines are still agent logs, not flows', () => {
    const log = '{"level":"info","msg":"Cilium 1.15.6 a09e05e6 2024-06-10T19:26:02+00:00 go version go1.21.11 linux/amd64","subsys":"daemon"}';
    expect(segment(log).map((s) => s.kind)).toEqual(['cilium-log']);
  });
});

describe('cilium-dbg endpoint list', () => {
  it('reads each endpoint, its enforcement per direction and its labels', () => {
    expect(parseEndpointList(ENDPOINT_LIST_4942.split('\n'))).toEqual([{
      id: 11230, ingressEnforced: true, egressEnforced: false, identity: 4304, state: 'regenerating',
      labels: ['k8s:app=details', 'k8s:io.cilium.k8s.policy.serviceaccount=default', 'k8s:io.kubernetes.pod.namespace=default', 'k8s:track=stable', 'k8s:version=v1', 'k8s:zgroup=bookinfo'],
    }]);
    const segs = segment(ENDPOINT_LIST_27677);
    expect(segs.map((s) => [s.kind, s.command])).toEqual([['endpoint-list', 'cilium endpoint list']]);
    expect(analyzePastedText(ENDPOINT_LIST_27677).parts.map((p) => p.label)).toEqual(['cilium-dbg endpoint list (1 endpoint)']);
  });

  it('pod endpoints become the workloads policies select against; an endpoint with no pod namespace does not', () => {
    expect(workloadsFromEndpoints(parseEndpointList(ENDPOINT_LIST_4942.split('\n')))).toEqual([{
      namespace: 'default', name: 'endpoint 11230', phase: 'Running', hostNetwork: false,
      labels: { app: 'details', track: 'stable', version: 'v1', zgroup: 'bookinfo' },
    }]);
    expect(workloadsFromEndpoints(parseEndpointList(ENDPOINT_LIST_27677.split('\n')))).toEqual([]);
  });

  it('with a pasted default-deny-egress policy, policy-default-deny names the endpoint whose DNS is cut', () => {
    const r = analyzePastedText(`${KNP_DEFAULT_DENY_EGRESS}\n\n${ENDPOINT_LIST_4942}`);
    expect(r.parts.map((p) => p.kind)).toEqual(['policies', 'endpoint-list']);
    const f = r.report.findings.find((x) => x.runbookId === 'policy-default-deny');
    expect(f?.title).toBe('Default deny drops DNS for 1 pod on <node>');
    expect(f?.evidence.map((q) => q.text).join('\n')).toMatch(/default-deny-egress \(Kubernetes NetworkPolicy\) puts default\/endpoint 11230 into egress default deny/);
    // Without the endpoint list the policy is judged alone: its empty podSelector selects every pod of its namespace.
    const alone = analyzePastedText(KNP_DEFAULT_DENY_EGRESS).report.findings.find((x) => x.runbookId === 'policy-default-deny');
    expect(alone?.summary).toMatch(/Judged from the policies alone .*default-deny-egress \(Kubernetes NetworkPolicy\) puts every pod in namespace default into egress default deny/);
    expect(alone?.confidence).toBe('high');
  });
});

describe('a mixed paste', () => {
  it('names every new part in the recognised list, in order', () => {
    const text = [CNP_MULTI_DOC_1125, '', STATUS_JSON_18331, '', HUBBLE_JSONPB_PRINTER, '', ENDPOINT_LIST_4942].join('\n');
    expect(analyzePastedText(text).parts.map((p) => p.label)).toEqual([
      'network policies (1 CiliumNetworkPolicy)', 'cilium-dbg status -o json', 'hubble observe -o json (1 flow)', 'cilium-dbg endpoint list (1 endpoint)',
    ]);
  });
});
