// kubectl's human output → facts. `kubectl describe pod|node` (k8s.io/kubectl pkg/describe/describe.go: `Key:  value`
// at column 0, sections indented by two, container fields by four, `Events:` as a `Type Reason Age From Message`
// table), `kubectl get events` (`[NAMESPACE] LAST SEEN TYPE REASON OBJECT MESSAGE`) and `kubectl get pods`
// (`[NAMESPACE] NAME READY STATUS RESTARTS AGE [IP NODE …]`). Columns are separated by at least two spaces (kubectl's
// tabwriter padding); a message may hold single spaces. Real shapes: an agent pod described (cilium/cilium#26907,
// #33924), agents in `Init:CrashLoopBackOff` in `kubectl get pods` (#40421), `FailedCreatePodSandBox … unable to
// allocate IP via local cilium agent` events (kops#16064), the `node.cilium.io/agent-not-ready` taint (docs
// installation/taints).
import type { AgentPod, ContainerState, KubeEvent, NodeCondition, NodeInfo, Taint } from '../evidence.ts';

export const DESCRIBE_KEYS: ReadonlySet<string> = new Set([
  'Name', 'Namespace', 'Priority', 'Priority Class Name', 'Service Account', 'Runtime Class Name', 'Node', 'Start Time',
  'Labels', 'Annotations', 'Status', 'Reason', 'Message', 'IP', 'IPs', 'Controlled By', 'Init Containers', 'Containers',
  'Ephemeral Containers', 'Readiness Gates', 'Conditions', 'Volumes', 'QoS Class', 'Node-Selectors', 'Tolerations',
  'Events', 'Roles', 'CreationTimestamp', 'Taints', 'Unschedulable', 'Lease', 'Addresses', 'Capacity', 'Allocatable',
  'System Info', 'PodCIDR', 'PodCIDRs', 'ProviderID', 'Non-terminated Pods', 'Allocated resources', 'Nominated Node Name',
]);

const KEY = /^([A-Z][A-Za-z -]*?):(?:\s+(.*))?$/;

export function describeKey(line: string): string | null {
  const k = KEY.exec(line.trimEnd())?.[1];
  return k !== undefined && DESCRIBE_KEYS.has(k) ? k : null;
}

/** A describe-style events row: `Warning  BackOff  2m (x50 over 12m)  kubelet  Back-off restarting failed container`. */
const EVENT_ROW = /^\s*(Normal|Warning)\s{2,}(\S+)\s{2,}(\S.*?)\s{2,}(\S.*?)\s{2,}(\S.*)$/;

export function isEventRow(line: string): boolean {
  return EVENT_ROW.test(line);
}

export function eventFromRow(line: string, object: KubeEvent['involvedObject']): KubeEvent | null {
  const m = EVENT_ROW.exec(line.trim());
  if (m === null) return null;
  const count = /\(x(\d+) over/.exec(m[3] ?? '');
  return { type: m[1] ?? '', reason: m[2] ?? '', message: (m[5] ?? '').trim(), involvedObject: object, count: count === null ? 1 : Number(count[1]), lastTimestamp: null };
}

export const GET_EVENTS_HEADER = /^\s*(NAMESPACE\s+)?LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE\s*$/;
export const GET_PODS_HEADER = /^\s*(NAMESPACE\s+)?NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\b/;

/** Rows of `kubectl get events` under its header. */
export function eventsFromTable(lines: readonly string[]): KubeEvent[] {
  const header = lines[0] ?? '';
  const namespaced = /^\s*NAMESPACE/.test(header);
  const out: KubeEvent[] = [];
  for (const line of lines.slice(1)) {
    const cols = line.trim().split(/\s{2,}/);
    const [ns, rest] = namespaced ? [cols[0], cols.slice(1)] : [undefined, cols];
    if (rest.length < 5) continue;
    const [, type = '', reason = '', object = '', ...message] = rest;
    const [kind = '', name = ''] = object.includes('/') ? object.split('/', 2) : ['', object];
    out.push({ type, reason, message: message.join('  '), involvedObject: { kind: kindName(kind), name, ...(ns === undefined ? {} : { namespace: ns }) }, count: 1, lastTimestamp: null });
  }
  return out;
}

function kindName(k: string): string {
  const lower = k.toLowerCase();
  return lower === 'pod' ? 'Pod' : lower === 'node' ? 'Node' : lower === 'daemonset' || lower === 'daemonset.apps' ? 'DaemonSet' : k;
}

/** A pod row of `kubectl get pods` → what it says of the pod. */
export interface PodRow { namespace: string | null; name: string; ready: string; status: string; restarts: number; node: string | null }

export function podRows(lines: readonly string[]): PodRow[] {
  const header = (lines[0] ?? '').trim().split(/\s{2,}/);
  const at = (name: string) => header.indexOf(name);
  const out: PodRow[] = [];
  for (const line of lines.slice(1)) {
    const cols = line.trim().split(/\s{2,}/);
    if (cols.length < 5) continue;
    const get = (name: string) => { const i = at(name); return i < 0 ? null : (cols[i] ?? null); };
    out.push({
      namespace: get('NAMESPACE'), name: get('NAME') ?? '', ready: get('READY') ?? '', status: get('STATUS') ?? '',
      restarts: Number(/^\d+/.exec(get('RESTARTS') ?? '')?.[0] ?? 0), node: get('NODE'),
    });
  }
  return out;
}

/** Agent DaemonSet pods are `cilium-<5 chars>` (the operator, envoy and relay pods carry longer names). */
export const AGENT_POD_NAME = /^(cilium|anetd)-[a-z0-9]{5}$/;

/** Sections of a describe block: the column-0 key and its lines (value line first, then the indented ones). */
function sections(lines: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let current: string[] | null = null;
  for (const line of lines) {
    const key = /^\S/.test(line) ? describeKey(line) : null;
    if (key !== null) {
      current = [(KEY.exec(line.trimEnd())?.[2] ?? '').trim()];
      if (!out.has(key)) out.set(key, current);
      continue;
    }
    current?.push(line);
  }
  return out;
}

const first = (s: Map<string, string[]>, k: string): string | undefined => s.get(k)?.[0]?.trim() || undefined;

/** Events rows of a describe block, attributed to the object described. */
export function describeEvents(lines: readonly string[], object: KubeEvent['involvedObject']): KubeEvent[] {
  const rows = sections(lines).get('Events') ?? [];
  return rows.map((l) => eventFromRow(l, object)).filter((e): e is KubeEvent => e !== null);
}

export interface DescribedPod {
  name: string;
  namespace: string;
  node: string | null;
  phase: string;
  containers: ContainerState[];
  initContainers: ContainerState[];
  conditions: { type: string; status: string }[];
  events: KubeEvent[];
}

export function describePod(lines: readonly string[]): DescribedPod {
  const s = sections(lines);
  const name = first(s, 'Name') ?? 'unknown-pod';
  const namespace = first(s, 'Namespace') ?? 'default';
  const conditions = (s.get('Conditions') ?? []).slice(1).map((l) => l.trim().split(/\s+/)).filter((c) => c.length >= 2 && /^(True|False|Unknown)$/.test(c[1] ?? ''))
    .map(([type = '', status = '']) => ({ type, status }));
  return {
    name, namespace, node: first(s, 'Node')?.split('/')[0] ?? null, phase: first(s, 'Status') ?? 'Unknown',
    containers: containersOf(s.get('Containers') ?? []), initContainers: containersOf(s.get('Init Containers') ?? []),
    conditions, events: describeEvents(lines, { kind: 'Pod', name, namespace }),
  };
}

/** Containers of a describe section: `  name:` at indent 2, fields at 4, state details at 6. */
function containersOf(lines: readonly string[]): ContainerState[] {
  const out: ContainerState[] = [];
  let c: { name: string; fields: [string, string, number][] } | null = null;
  const flush = () => { if (c !== null) out.push(containerState(c.name, c.fields)); };
  for (const line of lines) {
    const head = /^ {2}([a-z0-9]([-a-z0-9]*[a-z0-9])?):\s*$/.exec(line);
    if (head?.[1] !== undefined) { flush(); c = { name: head[1], fields: [] }; continue; }
    const f = /^( {4,})([A-Z][A-Za-z ]*?):\s+(.*)$/.exec(line);
    if (c !== null && f?.[2] !== undefined) c.fields.push([f[2], (f[3] ?? '').trim(), f[1]?.length ?? 4]);
  }
  flush();
  return out;
}

function containerState(name: string, fields: [string, string, number][]): ContainerState {
  let section: 'state' | 'last' | null = null;
  const state: Record<string, string> = {};
  const last: Record<string, string> = {};
  const top: Record<string, string> = {};
  for (const [k, v, indent] of fields) {
    if (indent <= 4) {
      section = k === 'State' ? 'state' : k === 'Last State' ? 'last' : null;
      top[k] = v;
      continue;
    }
    if (section === 'state') state[k] = v;
    else if (section === 'last') last[k] = v;
  }
  const word = (top['State'] ?? '').toLowerCase();
  const kind: ContainerState['state'] = word === 'waiting' || word === 'running' || word === 'terminated' ? word : 'unknown';
  const exit = state['Exit Code'] === undefined ? undefined : Number(state['Exit Code']);
  const lastExit = last['Exit Code'] === undefined ? undefined : Number(last['Exit Code']);
  return {
    name, state: kind,
    ...(state['Reason'] === undefined ? {} : { reason: state['Reason'] }),
    ...(state['Message'] === undefined ? {} : { message: state['Message'] }),
    ...(exit === undefined || Number.isNaN(exit) ? {} : { exitCode: exit }),
    ...(top['Ready'] === undefined ? {} : { ready: top['Ready'] === 'True' }),
    restartCount: Number(top['Restart Count'] ?? 0) || 0,
    ...((top['Last State'] ?? '').startsWith('Terminated') && lastExit !== undefined && !Number.isNaN(lastExit)
      ? { lastTermination: { exitCode: lastExit, reason: last['Reason'] ?? 'Unknown', finishedAt: last['Finished'] ?? null } } : {}),
  };
}

/** A described agent pod → the agentPod fact. */
export function agentPodFromDescribe(p: DescribedPod): AgentPod {
  const agent = p.containers.find((c) => c.name === 'cilium-agent') ?? p.containers[0];
  return {
    name: p.name, namespace: p.namespace, phase: p.phase, ready: agent?.ready === true, restartCount: agent?.restartCount ?? 0,
    ...(agent?.state === 'waiting' && agent.reason !== undefined ? { waitingReason: agent.reason } : {}),
    ...(agent?.message === undefined ? {} : { waitingMessage: agent.message }),
    ...(agent?.lastTermination === undefined ? {} : { lastTermination: agent.lastTermination }),
    containers: [...p.initContainers, ...p.containers].map((c) => c.name),
    initContainers: p.initContainers,
    ...(agent === undefined ? {} : { agentContainer: agent }),
    conditions: p.conditions,
  };
}

export function isAgentPod(p: DescribedPod): boolean {
  return p.containers.some((c) => c.name === 'cilium-agent') || AGENT_POD_NAME.test(p.name);
}

export interface DescribedNode { node: NodeInfo; events: KubeEvent[] }

export function describeNode(lines: readonly string[]): DescribedNode {
  const s = sections(lines);
  const name = first(s, 'Name') ?? 'unknown-node';
  const info: Record<string, string> = {};
  for (const l of s.get('System Info') ?? []) {
    const m = /^\s+([A-Za-z][A-Za-z ]*?):\s+(.*)$/.exec(l);
    if (m?.[1] !== undefined) info[m[1]] = (m[2] ?? '').trim();
  }
  const taints: Taint[] = (s.get('Taints') ?? []).map((l) => l.trim()).filter((l) => l !== '' && l !== '<none>').map(parseTaint).filter((t): t is Taint => t !== null);
  const conditions: NodeCondition[] = (s.get('Conditions') ?? []).slice(1).map((l) => l.trim().split(/\s{2,}/))
    .filter((c) => /^(True|False|Unknown)$/.test(c[1] ?? ''))
    .map((c) => ({ type: c[0] ?? '', status: c[1] ?? '', ...(c[4] === undefined ? {} : { reason: c[4] }), ...(c[5] === undefined ? {} : { message: c[5] }) }));
  const ip = (s.get('Addresses') ?? []).map((l) => /^\s+InternalIP:\s+(\S+)/.exec(l)?.[1]).find((x) => x !== undefined);
  const node: NodeInfo = {
    name,
    ...(info['Kernel Version'] === undefined ? {} : { kernelVersion: info['Kernel Version'] }),
    ...(info['OS Image'] === undefined ? {} : { osImage: info['OS Image'] }),
    ...(info['Container Runtime Version'] === undefined ? {} : { containerRuntimeVersion: info['Container Runtime Version'] }),
    ...(info['Kubelet Version'] === undefined ? {} : { kubeletVersion: info['Kubelet Version'] }),
    ...(info['Architecture'] === undefined ? {} : { architecture: info['Architecture'] }),
    ...(s.has('Taints') ? { taints } : {}),
    ...(conditions.length > 0 ? { conditions } : {}),
    ...(first(s, 'Unschedulable') === undefined ? {} : { unschedulable: first(s, 'Unschedulable') === 'true' }),
    ...(ip === undefined ? {} : { internalIP: ip }),
  };
  return { node, events: describeEvents(lines, { kind: 'Node', name }) };
}

/** `node.cilium.io/agent-not-ready:NoSchedule`, `key=value:Effect`. */
function parseTaint(t: string): Taint | null {
  const m = /^([^=:\s]+)(?:=([^:\s]*))?:(\w+)$/.exec(t);
  if (m?.[1] === undefined || m[3] === undefined) return null;
  return { key: m[1], ...(m[2] === undefined ? {} : { value: m[2] }), effect: m[3] };
}
