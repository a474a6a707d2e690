// Groups a fleet sweep's per-node outcomes by root cause: the runbook that explains the node plus the facts that
// make nodes share that cause (kernel, pool, Cilium version), most severe first, each with one sentence such as
// "37 nodes on kernel 4.14.352 in pool `workers-a`: kernel-too-old". Pure: no I/O.
import { kernelLabel, type FleetNode, type FleetTrigger, type FleetVerdict } from './fleet-node.ts';

export type FleetSeverity = 'critical' | 'warning' | 'info';

export interface DeepFinding {
  runbookId: string;
  severity: FleetSeverity;
  title: string;
}

/** One node's result: its fleet-level verdict and, when collected in depth, what analyze() found (top first). */
export interface NodeOutcome {
  node: FleetNode;
  verdict: FleetVerdict;
  deep: { findings: DeepFinding[] } | { error: string } | null;
}

export interface FleetGroup {
  runbookId: string;
  title: string;
  severity: FleetSeverity;
  /** Confirmed by a deep collection (false: seen in the fleet facts only). */
  confirmed: boolean;
  kernel: string | null;
  pool: string | null;
  version: string | null;
  nodes: string[];
  sentence: string;
}

/** Runbooks whose cause is the kernel: nodes on different kernels are different groups. */
const KERNEL_KEYED = /kernel|bpf-|bandwidth-manager|wireguard/;

const TRIGGER_CAUSE: Record<FleetTrigger, DeepFinding> = {
  'kernel-too-old': { runbookId: 'kernel-too-old', severity: 'critical', title: 'Kernel below the Cilium floor' },
  // Vendor numbering (Debian/Ubuntu ABI numbers) hides the patch level: a warning until the deep read settles it.
  'kernel-patch-unknown': { runbookId: 'kernel-too-old', severity: 'warning', title: 'Kernel may be below the Cilium floor (vendor numbering hides the patch level)' },
  'agent-unhealthy': { runbookId: 'agent-unhealthy', severity: 'critical', title: 'cilium-agent not ready (cause not determined)' },
  'agent-missing': { runbookId: 'agent-missing', severity: 'warning', title: 'No cilium-agent pod on the node' },
  'node-not-ready': { runbookId: 'node-not-ready', severity: 'warning', title: 'Node not Ready' },
  'kube-proxy-conflict': { runbookId: 'kube-proxy-conflict', severity: 'warning', title: 'kube-proxy runs beside kube-proxy replacement' },
};

const SEVERITY_RANK: Record<FleetSeverity, number> = { critical: 0, warning: 1, info: 2 };

/** The root cause of one node, or null when it is healthy. */
export function rootCause(o: NodeOutcome): { cause: DeepFinding; confirmed: boolean } | null {
  const settled = o.deep !== null && 'findings' in o.deep;
  if (o.deep !== null && 'findings' in o.deep) {
    const top = o.deep.findings[0];
    if (top !== undefined) return { cause: top, confirmed: true };
  }
  // A hidden patch level is only a doubt: a deep collection that found nothing (it read /proc/version) settles it.
  const trigger = o.verdict.triggers.filter((t) => !(settled && t === 'kernel-patch-unknown'))[0];
  return trigger === undefined ? null : { cause: TRIGGER_CAUSE[trigger], confirmed: false };
}

function plural(n: number, word: string): string {
  return `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;
}

export function groupSentence(g: Pick<FleetGroup, 'runbookId' | 'kernel' | 'pool' | 'version' | 'confirmed' | 'nodes'>): string {
  const on = g.kernel === null ? '' : ` on kernel ${g.kernel}`;
  const pool = g.pool === null ? '' : ` in pool \`${g.pool}\``;
  const version = g.version === null ? '' : ` (Cilium ${g.version})`;
  const seen = g.confirmed ? '' : ' (from fleet facts; not confirmed in depth)';
  return `${plural(g.nodes.length, 'node')}${on}${pool}${version}: ${g.runbookId}${seen}`;
}

/**
 * Groups unhealthy nodes by root cause. `showVersion`: add the Cilium version to the key (when agents disagree on
 * it, nodes on different versions are different causes).
 */
export function groupByRootCause(outcomes: Iterable<NodeOutcome>, opts: { showVersion?: boolean } = {}): FleetGroup[] {
  const groups = new Map<string, FleetGroup>();
  for (const o of outcomes) {
    const rc = rootCause(o);
    if (rc === null) continue;
    const kernel = KERNEL_KEYED.test(rc.cause.runbookId) ? kernelLabel(o.node) : null;
    const version = opts.showVersion === true ? (o.node.agent?.version ?? null) : null;
    const key = JSON.stringify([rc.cause.runbookId, rc.cause.severity, rc.confirmed, kernel, o.node.pool, version]);
    let g = groups.get(key);
    if (g === undefined) {
      g = { runbookId: rc.cause.runbookId, title: rc.cause.title, severity: rc.cause.severity, confirmed: rc.confirmed, kernel, pool: o.node.pool, version, nodes: [], sentence: '' };
      groups.set(key, g);
    }
    g.nodes.push(o.node.name);
  }
  const out = [...groups.values()];
  for (const g of out) {
    g.nodes.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
    g.sentence = groupSentence(g);
  }
  return out.sort(
    (a, b) =>
      SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
      Number(b.confirmed) - Number(a.confirmed) ||
      b.nodes.length - a.nodes.length ||
      a.runbookId.localeCompare(b.runbookId),
  );
}
