// Evidence from a cilium sysdump, per node: the same collectEvidence() the bot runs, reading the archive through
// SysdumpClusterReader, then the node-level facts from that node's cilium-bugtool archive (source 'sysdump'). What
// the archive lacks is unavailable and says it was not in the archive; it never reads as healthy.
import { analyze } from '../../runbooks/engine/analyze.ts';
import type { Report } from '../../runbooks/engine/contract.ts';
import { parseEvidence, type Evidence, type Fact, type KernelLog } from '../../runbooks/engine/evidence.ts';
import { fleetDrift } from '../../runbooks/engine/fleet/drift.ts';
import { groupByRootCause, type NodeOutcome } from '../../runbooks/engine/fleet/group.ts';
import { agentHealthy } from '../../runbooks/engine/fleet/fleet-node.ts';
import { collectEvidence } from '../collect/collect-evidence.ts';
import { collectFleetFacts } from '../fleet/fleet-facts.ts';
import type { FleetReport } from '../fleet/sweep.ts';
import { agentStatusFromBugtool, commandOutput, hostKernelFromBugtool, iptablesFromBugtool, kernelConfigFromBugtool, nodeListFromBugtool } from './bugtool-facts.ts';
import { SysdumpClusterReader } from './sysdump-reader.ts';
import type { BugtoolFiles, SysdumpArchive } from './sysdump-archive.ts';
import { fileName } from './layouts.ts';

/** Agent logs as the bot reads them (LOG_TAIL_LINES, LOG_LIMIT_BYTES defaults). */
const READ = { tailLines: 2000, limitBytes: 2 * 1024 * 1024 };
/** Kernel log lines kept: those that explain BPF refusals (verifier, LSM denials, lockdown). */
const KERNEL_LOG_LINE = /bpf|verifier|avc:|apparmor="DENIED"|lockdown|Lockdown/i;
const MAX_KERNEL_LOG_LINES = 300;

/** "20240102-150405" → its ISO time (UTC: cilium-cli formats time.Now() in the local zone, which is not recorded). */
function collectedAt(ts: string): Date {
  const m = /^(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})$/.exec(ts);
  return m === null ? new Date(0) : new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])));
}

function kernelLogFromBugtool(b: BugtoolFiles): Fact<KernelLog> {
  const out = commandOutput(b, 'dmesg --time-format=iso') ?? commandOutput(b, 'dmesg');
  if (out === null) return { ok: false, reason: 'unavailable', detail: `dmesg output is not in ${b.archiveName} of the sysdump` };
  const lines = out.text.split('\n').filter((l) => KERNEL_LOG_LINE.test(l));
  return { ok: true, value: { lines: lines.slice(-MAX_KERNEL_LOG_LINES), truncated: lines.length > MAX_KERNEL_LOG_LINES, source: 'sysdump' } };
}

/** The node-level facts of one node: from its agent's bugtool archive, or unavailable saying why. */
function nodeLevelFacts(archive: SysdumpArchive, evidence: Evidence): Partial<Evidence> {
  const memlock: Fact<never> = { ok: false, reason: 'unavailable', detail: "a sysdump does not hold the agent's /proc/1/limits (the memlock limit); read it with `kubectl exec <agent> -- cat /proc/1/limits`" };
  if (!evidence.agentPod.ok) return { memlock };
  const pod = evidence.agentPod.value.name;
  const bugtool = archive.bugtool(pod);
  if (bugtool === null) {
    const running = evidence.agentPod.value.agentContainer?.state === 'running';
    const absent: Fact<never> = {
      ok: false,
      reason: 'unavailable',
      // cilium-cli runs cilium-bugtool by exec in the agent pod (sysdump.go submitCiliumBugtoolTasks); --quick skips it.
      detail: `not in the sysdump archive: no ${fileName(archive.layout.bugtool, archive.ts, pod)} (cilium-cli runs cilium-bugtool by exec in the agent pod; ${running ? 'it failed there, or the sysdump was taken with --quick' : 'the agent was not running'})`,
    };
    return { memlock, iptables: absent, kernelConfig: absent, hostKernel: absent, agentStatus: absent, kernelLog: absent };
  }
  const nodeList = nodeListFromBugtool(bugtool);
  return {
    memlock,
    // The ClusterMesh fact as read from the archive, with the node list bugtool saved (no exec into a sysdump).
    ...(evidence.clustermesh.ok && nodeList !== null && { clustermesh: { ok: true as const, value: { apiserver: evidence.clustermesh.value.apiserver, ...(evidence.clustermesh.value.apiserverUnread !== undefined && { apiserverUnread: evidence.clustermesh.value.apiserverUnread }), nodeList } } }),
    iptables: iptablesFromBugtool(bugtool),
    kernelConfig: kernelConfigFromBugtool(bugtool),
    hostKernel: hostKernelFromBugtool(bugtool),
    agentStatus: agentStatusFromBugtool(bugtool),
    kernelLog: kernelLogFromBugtool(bugtool),
  };
}

/** The nodes the archive's node list names, in its order. */
export async function sysdumpNodes(archive: SysdumpArchive): Promise<string[]> {
  const nodes = await new SysdumpClusterReader(archive).listNodes();
  return nodes.map((n) => n.metadata?.name ?? '').filter((n) => n !== '');
}

export async function evidenceFromSysdump(archive: SysdumpArchive, nodeName: string): Promise<Evidence> {
  const reader = new SysdumpClusterReader(archive);
  const at = collectedAt(archive.ts);
  const base = await collectEvidence(reader, nodeName, { deadlineMs: 60_000, ...READ, now: () => at });
  return parseEvidence({ ...base, ...nodeLevelFacts(archive, base) });
}

/**
 * Every node of the archive analysed (reading is local, so none is skipped), grouped by root cause with the drift
 * between agents, in the sweep's report shape so the sweep's renderers print it.
 */
export async function fleetReportFromSysdump(archive: SysdumpArchive, run: (e: Evidence) => Report = analyze): Promise<FleetReport> {
  const t0 = performance.now();
  const reader = new SysdumpClusterReader(archive);
  const names = await sysdumpNodes(archive);
  const snapshot = await collectFleetFacts(reader, { maxDeep: names.length });
  const deep = new Map<string, NodeOutcome['deep']>();
  const failures: FleetReport['failures'] = [];
  for (const node of names) {
    try {
      const findings = run(await evidenceFromSysdump(archive, node)).findings.map((f) => ({ runbookId: f.runbookId, severity: f.severity, title: f.title }));
      deep.set(node, { findings });
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      deep.set(node, { error });
      failures.push({ node, error });
    }
  }
  const outcomes: NodeOutcome[] = snapshot.nodes.flatMap((node) => {
    const verdict = snapshot.verdicts.get(node.name);
    return verdict === undefined ? [] : [{ node, verdict, deep: deep.get(node.name) ?? null }];
  });
  const drift = fleetDrift(snapshot.nodes, snapshot.context.config);
  const groups = groupByRootCause(outcomes, { showVersion: drift.versions.length > 1 });
  const withCause = new Set(groups.flatMap((g) => g.nodes));
  return {
    cluster: reader.cluster,
    startedAt: collectedAt(archive.ts).toISOString(),
    durationMs: Math.round(performance.now() - t0),
    totals: {
      nodes: snapshot.nodes.length,
      notReady: snapshot.nodes.filter((n) => !n.ready).length,
      agentsUnhealthy: snapshot.nodes.filter((n) => n.agent !== null && !agentHealthy(n.agent)).length,
      agentsMissing: snapshot.nodes.filter((n) => n.agent === null).length,
      flagged: snapshot.flagged.length,
      deepCollected: names.length,
      healthy: snapshot.nodes.length - withCause.size,
    },
    groups,
    drift,
    notCollected: 0,
    failures,
    unavailable: snapshot.unavailable,
    apiCalls: 0,
    throttled: 0,
  };
}
