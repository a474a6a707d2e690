// A fleet sweep: fleet facts from a few paged lists, then a deep collection (collectEvidence + analyze) only for
// the nodes those facts flag, a few at a time through a shared rate limiter, then the outcomes grouped by root
// cause with the drift between agents. Only small summaries are kept per node; evidence is dropped once analysed.
import { poolHealth, type PoolHealth } from '../../runbooks/engine/fleet/pool-health.ts';
import { analyze } from '../../runbooks/engine/analyze.ts';
import type { Report } from '../../runbooks/engine/contract.ts';
import type { Evidence } from '../../runbooks/engine/evidence.ts';
import { fleetDrift, type FleetDrift } from '../../runbooks/engine/fleet/drift.ts';
import { groupByRootCause, type FleetGroup, type NodeOutcome } from '../../runbooks/engine/fleet/group.ts';
import { agentHealthy } from '../../runbooks/engine/fleet/fleet-node.ts';
import { collectEvidence, type CollectOptions } from '../collect/collect-evidence.ts';
import type { ClusterReader } from '../kube/cluster-reader.ts';
import { collectFleetFacts } from './fleet-facts.ts';
import { FleetCache, FleetNodeReader } from './fleet-reader.ts';
import { RateLimiter, type RateLimitOptions } from './rate-limit.ts';

export interface SweepProgress {
  phase: 'listing' | 'deep' | 'done';
  /** Nodes whose fleet facts were checked, of `total`. */
  checked: number;
  total: number;
  deepDone: number;
  deepTotal: number;
}

export interface SweepOptions {
  collect: CollectOptions;
  /** Deep collections at once (default 4). */
  concurrency?: number;
  /** Nodes collected in depth at most; the rest of the flagged ones are reported from fleet facts (default 50). */
  maxDeep?: number;
  pageSize?: number;
  rateLimit?: RateLimitOptions;
  onProgress?: (p: SweepProgress) => void | Promise<void>;
  now?: () => Date;
  /** Runs the runbooks (the worker passes its analysis thread, so crafted logs cannot block acks); default in-process. */
  analyze?: (e: Evidence) => Promise<Report>;
}

export interface FleetReport {
  cluster: string;
  startedAt: string;
  durationMs: number;
  totals: { nodes: number; notReady: number; agentsUnhealthy: number; agentsMissing: number; flagged: number; deepCollected: number; healthy: number };
  groups: FleetGroup[];
  drift: FleetDrift;
  /** Flagged nodes beyond `maxDeep`: reported from fleet facts only. */
  notCollected: number;
  /** Deep collections that failed, with why. */
  failures: { node: string; error: string }[];
  unavailable: string[];
  /** API calls the sweep made (as counted by the client side). */
  apiCalls: number;
  throttled: number;
  /** Broken vs healthy nodes per pool (the sweep's chart); absent in reports made before it existed. */
  pools?: PoolHealth[];
}

export async function runSweep(reader: ClusterReader, opts: SweepOptions): Promise<FleetReport> {
  const started = opts.now?.() ?? new Date();
  const t0 = performance.now();
  let progress: SweepProgress = { phase: 'listing', checked: 0, total: 0, deepDone: 0, deepTotal: 0 };
  const report = async (p: Partial<SweepProgress>) => {
    progress = { ...progress, ...p };
    await opts.onProgress?.(progress);
  };
  const maxDeep = opts.maxDeep ?? 50;
  const snapshot = await collectFleetFacts(reader, {
    maxDeep,
    ...(opts.pageSize !== undefined && { pageSize: opts.pageSize }),
    onNodes: (checked, total) => report({ checked, total }),
    ...(opts.collect.ciliumNamespace !== undefined && { ciliumNamespace: opts.collect.ciliumNamespace }),
  });
  const deep = [...snapshot.deepNodes.keys()];
  await report({ phase: 'deep', checked: snapshot.nodes.length, total: snapshot.nodes.length, deepTotal: deep.length });

  const limiter = new RateLimiter(opts.rateLimit);
  const cache = new FleetCache(reader, snapshot, limiter);
  const results = new Map<string, NodeOutcome['deep']>();
  const failures: FleetReport['failures'] = [];
  let next = 0;
  let done = 0;
  await Promise.all(
    Array.from({ length: Math.min(opts.concurrency ?? 4, deep.length) }, async () => {
      while (next < deep.length) {
        const node = deep[next++] ?? '';
        try {
          const evidence = await collectEvidence(new FleetNodeReader(cache, node), node, opts.collect);
          const findings = (await (opts.analyze ?? ((ev: Evidence) => Promise.resolve(analyze(ev))))(evidence)).findings.map((f) => ({ runbookId: f.runbookId, severity: f.severity, title: f.title }));
          results.set(node, { findings });
        } catch (e) {
          const error = e instanceof Error ? e.message : String(e);
          results.set(node, { error });
          failures.push({ node, error });
        }
        done += 1;
        await report({ deepDone: done });
      }
    }),
  );

  const outcomes = function* (): Generator<NodeOutcome> {
    for (const node of snapshot.nodes) {
      const verdict = snapshot.verdicts.get(node.name);
      if (verdict === undefined) continue;
      yield { node, verdict, deep: results.get(node.name) ?? null };
    }
  };
  const drift = fleetDrift(snapshot.nodes, snapshot.context.config);
  const groups = groupByRootCause(outcomes(), { showVersion: drift.versions.length > 1 });
  const flaggedWithCause = new Set(groups.flatMap((g) => g.nodes));
  const totals = {
    nodes: snapshot.nodes.length,
    notReady: snapshot.nodes.filter((n) => !n.ready).length,
    agentsUnhealthy: snapshot.nodes.filter((n) => n.agent !== null && !agentHealthy(n.agent)).length,
    agentsMissing: snapshot.nodes.filter((n) => n.agent === null).length,
    flagged: snapshot.flagged.length,
    deepCollected: deep.length,
    healthy: snapshot.nodes.length - flaggedWithCause.size,
  };
  await report({ phase: 'done' });
  return {
    cluster: reader.cluster,
    startedAt: started.toISOString(),
    durationMs: Math.round(performance.now() - t0),
    totals,
    groups,
    drift,
    notCollected: Math.max(0, snapshot.flagged.length - deep.length),
    failures,
    unavailable: snapshot.unavailable,
    apiCalls: snapshot.calls + cache.calls,
    throttled: limiter.throttled,
    pools: poolHealth(snapshot.nodes, flaggedWithCause),
  };
}
