// Recognised parts → Evidence. The logs, the stated version/kernel/config go through the offline document
// (offline-evidence.ts evidenceFromDocument), then each pasted part sets the fact it carries, marked source 'pasted'.
// A fact nothing pasted speaks of stays "not collected" — never healthy.
import { evidenceFromDocument } from '../offline-evidence.ts';
import { parseEvidence, type AgentPod, type Evidence, type EvidenceInput, type Flow, type KubeEvent, type NodeInfo } from '../evidence.ts';
import { summarizeIptablesSave } from '../iptables-summary.ts';
import { parseAgentStatus } from '../agent-status.ts';
import { ciliumVersionFromLogs } from '../cilium-version.ts';
import { parseFlowLine } from './hubble-flows.ts';
import { isRelevantKernelLine } from './kernel-lines.ts';
import { straightenLogfmtQuotes } from './typographic-quotes.ts';
import {
  agentPodFromDescribe, AGENT_POD_NAME, describeNode, describePod, eventFromRow, eventsFromTable, isAgentPod, podRows,
} from './kubectl-text.ts';
import type { Segment } from './segment.ts';
import { statedCiliumConfig } from './stated-config.ts';
import { crashLoopingAgentFromRows, kubeProxyFromRows } from './agent-rows.ts';
import { agentVersionFromCliStatus, operatorFromCliStatus, relayFromCliStatus, relayReadyFromCliStatus } from './cli-status.ts';
import { statusTextFromJson } from './status-json.ts';
import { flowFromHubbleJson } from './hubble-json.ts';
import type { PastedPolicies } from './policy-docs.ts';
import { parseEndpointList, workloadsFromEndpoints } from './endpoint-list.ts';

export interface StatedFacts {
  ciliumVersion?: string;
  kernel?: string;
  /** The node's OS image when known (vendor kernels are read by it); a pasted `kubectl describe node` overrides it. */
  osImage?: string;
  config?: Record<string, string>;
}

/** Bounds on what one paste can put in a fact (the kernel log schema says "a few hundred"). */
const MAX_KERNEL_LINES = 300;
const MAX_FLOWS = 500;
const MAX_EVENTS = 500;
/** When nothing pasted names the node, commands in fix steps carry this placeholder for the engineer to fill in. */
export const UNNAMED_NODE = '<node>';

export function evidenceFromSegments(segments: readonly Segment[], given: StatedFacts = {}): Evidence {
  const stated: StatedFacts = given.config === undefined ? given : { ...given, config: statedCiliumConfig(given.config) };
  const of = (kind: Segment['kind']) => segments.filter((s) => s.kind === kind);
  const logs = segments.filter((s) => s.kind === 'cilium-log' || s.kind === 'log-fragment').map((s) => `${s.lines.map(straightenLogfmtQuotes).join('\n')}\n`).join('');
  // `cilium-dbg status -o json` becomes the text the agent prints for it, so the fact has one shape (status-json.ts).
  const statusText = [
    ...of('agent-status').map((s) => s.lines.join('\n')),
    ...of('agent-status-json').map((s) => statusTextFromJson(s.value as Record<string, unknown>)),
  ].filter((t) => t !== '').join('\n');
  const status = statusText === '' ? null : parseAgentStatus(statusText);

  const describedNodes = of('describe-node').map((s) => describeNode(s.lines));
  const describedPods = of('describe-pod').map((s) => describePod(s.lines));
  const rows = of('get-pods').flatMap((s) => podRows(s.lines));
  const agentRows = rows.filter((r) => AGENT_POD_NAME.test(r.name));
  const describedAgent = describedPods.find(isAgentPod);
  const node: NodeInfo | undefined = describedNodes[0]?.node;
  const nodeName = node?.name ?? describedAgent?.node ?? agentRows.find((r) => r.node !== null)?.node ?? describedPods[0]?.node ?? UNNAMED_NODE;

  const cliLines = of('cilium-cli-status').flatMap((s) => s.lines);
  const boxVersion = agentVersionFromCliStatus(cliLines);
  const version = stated.ciliumVersion ?? status?.ciliumVersion ?? boxVersion ?? (logs === '' ? null : ciliumVersionFromLogs(logs));
  const kernel = stated.kernel ?? node?.kernelVersion;
  const osImage = node?.osImage ?? stated.osImage;
  const base = evidenceFromDocument({
    cluster: 'pasted',
    node: { name: nodeName, ...(kernel === undefined ? {} : { kernelVersion: kernel }), ...(osImage === undefined ? {} : { osImage }) },
    ...((version === null || version === undefined) && stated.config === undefined ? {} : {
      cilium: { ...(version === null || version === undefined ? {} : { version }), ...(stated.config === undefined ? {} : { config: stated.config }) },
    }),
    ...(logs === '' ? {} : { agent: { logs } }),
  });
  // A paste with no kernel and no describe node says nothing of the node: unknown, not a node with no kernel.
  const nodeFact: EvidenceInput['node'] = node !== undefined ? { ok: true, value: { ...node, ...(kernel === undefined ? {} : { kernelVersion: kernel }) } }
    : kernel !== undefined ? base.node : { ok: false, reason: 'unavailable', detail: 'not in the pasted text (paste `kubectl describe node` or pass --kernel)' };

  const extra: Partial<EvidenceInput> = { node: nodeFact };
  if (version !== null && version !== undefined && stated.ciliumVersion === undefined) {
    extra.cilium = { ok: true, value: { version, versionSource: status?.ciliumVersion === version ? 'stated' : boxVersion === version ? 'image-tag' : 'log-banner' } };
  }
  if (statusText !== '') {
    // The JSON lists every controller, but its text here shows only failing ones, like the plain command.
    const verbose = of('agent-status').some((s) => /--verbose|\s-v\b/.test(s.command ?? '')) || status?.fields['KubeProxyReplacement Details'] !== undefined;
    extra.agentStatus = { ok: true, value: { text: statusText, verbose, source: 'pasted' } };
  }
  // The box's relay summary says whether the Deployment exists; its Deployment row whether its replicas are ready.
  const relayReady = relayReadyFromCliStatus(cliLines);
  const relay = relayFromCliStatus(cliLines) ?? (relayReady !== null ? true : null);
  if (relay !== null) extra.hubble = { ok: true, value: { enabled: null, relayPresent: relay, ...(relay && relayReady !== null ? { relayReady } : {}), source: 'pasted' } };
  const operator = operatorFromCliStatus(cliLines);
  if (operator !== null) extra.operator = { ok: true, value: operator };
  const ipt = of('iptables-save');
  if (ipt.length > 0) extra.iptables = { ok: true, value: summarizeIptablesSave(ipt.map((s) => s.lines.join('\n')).join('\n'), { source: 'pasted' }) };
  const kernelLines = of('kernel-log').flatMap((s) => s.lines).filter(isRelevantKernelLine);
  if (of('kernel-log').length > 0) {
    extra.kernelLog = { ok: true, value: { lines: kernelLines.slice(-MAX_KERNEL_LINES), truncated: kernelLines.length > MAX_KERNEL_LINES, source: 'pasted' } };
  }
  // JSON flows are converted only up to the bound (the conversion formats times, which is not free).
  const jsonFlows = of('hubble-json').flatMap((s): unknown[] => (Array.isArray(s.value) ? (s.value as unknown[]) : []));
  const flows = [
    ...of('hubble-flows').flatMap((s) => s.lines).map(parseFlowLine),
    ...jsonFlows.slice(-MAX_FLOWS).map(flowFromHubbleJson),
  ].filter((f): f is Flow => f !== null);
  const truncated = flows.length > MAX_FLOWS || jsonFlows.length > MAX_FLOWS;
  if (flows.length > 0) extra.flows = { ok: true, value: { flows: flows.slice(-MAX_FLOWS), truncated, source: 'pasted' } };

  const pasted = of('policies').map((s) => s.value as PastedPolicies);
  if (pasted.length > 0) extra.policies = { ok: true, value: { cnp: pasted.flatMap((p) => p.cnp), ccnp: pasted.flatMap((p) => p.ccnp) } };
  // The endpoint list names the node's pods only by their identity labels: enough for selectors (policy runbooks).
  const endpoints = of('endpoint-list').flatMap((s) => parseEndpointList(s.lines));
  const endpointPods = workloadsFromEndpoints(endpoints);
  // Else the pods of manifests pasted with the policies (manifest-pods.ts): a reproduction's Deployment or Pod.
  const manifestPods = pasted.flatMap((p) => p.pods ?? []);
  if (endpointPods.length > 0) extra.workloads = { ok: true, value: endpointPods };
  else if (manifestPods.length > 0) extra.workloads = { ok: true, value: manifestPods };

  const unknownObject = { kind: 'Pod', name: describedAgent?.name ?? 'unknown' };
  const events: KubeEvent[] = [
    ...describedPods.flatMap((p) => p.events),
    ...describedNodes.flatMap((n) => n.events),
    ...of('get-events').flatMap((s) => eventsFromTable(s.lines)),
    ...of('events').flatMap((s) => s.lines).map((l) => eventFromRow(l, unknownObject)).filter((e): e is KubeEvent => e !== null),
  ];
  if (events.length > 0) extra.events = { ok: true, value: events.slice(-MAX_EVENTS) };

  // A `kubectl get pods` table lists the agents of many nodes without saying which one this diagnosis is about, nor
  // its containers (it only names the node with -o wide).
  // Only a described agent pod becomes the agentPod fact, or a table in which every agent crash-loops (agent-rows.ts).
  const agentPod: AgentPod | null = describedAgent === undefined ? crashLoopingAgentFromRows(rows) : agentPodFromDescribe(describedAgent);
  if (agentPod !== null) extra.agentPod = { ok: true, value: agentPod };
  const kubeProxy = kubeProxyFromRows(rows);
  if (kubeProxy !== null) extra.kubeProxy = { ok: true, value: kubeProxy };

  return parseEvidence({ ...base, ...extra });
}
