// `fleet`: the sweep (`/cilium diagnose --all`, as `cilium-runbook diagnose --all` runs it) on a generated 5,000-node
// cluster with 10 broken nodes — time, API calls counted by the emulator, the sweep process's peak RSS — against its
// reference, today's per-node collection (collectEvidence per node, concurrency 8) on a sample within a time
// budget, extrapolated to the whole fleet and labelled so.
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NaiveFigures } from './fleet/naive-child.ts';
import type { SweepFigures } from './fleet/sweep-child.ts';
import { fmtMB, fmtMs } from './lib/stats.ts';
import type { BenchOutcome } from './lib/result.ts';

const CHILD = join(dirname(fileURLToPath(import.meta.url)), 'fleet', 'naive-child.ts');
const SWEEP_CHILD = join(dirname(fileURLToPath(import.meta.url)), 'fleet', 'sweep-child.ts');
const SWEEP_MS = 20_000;
const SWEEP_RSS_KB = 300 * 1024;
const NODES = 5000;
const BROKEN = 10;
const SAMPLE = 200;
const CONCURRENCY = 8;
const BUDGET_MS = 75_000;

function runChild<T>(script: string): Promise<T> {
  const env = { ...process.env, FLEET_NODES: String(NODES), FLEET_BROKEN: String(BROKEN), FLEET_SAMPLE: String(SAMPLE), FLEET_CONCURRENCY: String(CONCURRENCY), FLEET_BUDGET_MS: String(BUDGET_MS) };
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', script], { env, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err !== null) reject(new Error(`${err.message}\n${stderr}`));
      else resolve(JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as T);
    });
  });
}

export async function benchFleet(): Promise<BenchOutcome> {
  const sw = await runChild<SweepFigures>(SWEEP_CHILD);
  const f = await runChild<NaiveFigures>(CHILD);
  const perNodeMs = f.collectMs / f.collected;
  const fleetMs = perNodeMs * NODES;
  const fleetCalls = f.callsBroken * BROKEN + f.callsHealthy * (NODES - BROKEN);
  const callBudget = 50 + 6 * BROKEN;
  const label = `extrapolated from ${f.collected} of ${NODES} nodes${f.stoppedEarly ? ` (sample of ${f.sample} cut by a ${fmtMs(BUDGET_MS)} budget)` : ''}`;
  return {
    rows: [
      {
        bench: 'fleet', what: `sweep (diagnose --all), ${NODES} nodes, ${BROKEN} broken`,
        figure: `${fmtMs(sw.sweepMs)}, ${sw.apiCalls} API calls (emulator's count), peak RSS ${fmtMB(sw.maxRssKB * 1024)}; ${sw.groups.join('; ')}`,
        target: `≤ 20 s; ≤ ${callBudget} API calls; peak RSS ≤ 300 MB`,
        reference: `naive: ≈ ${(fleetMs / 3_600_000).toFixed(1)} h, ${fleetCalls.toLocaleString('en-US')} calls`,
        ratio: `${(fleetMs / sw.sweepMs).toFixed(0)}× faster, ${(fleetCalls / sw.apiCalls).toFixed(0)}× fewer calls`,
        pass: sw.sweepMs <= SWEEP_MS && sw.apiCalls <= callBudget && sw.maxRssKB <= SWEEP_RSS_KB,
      },
      {
        bench: 'fleet', what: `naive per-node collection (reference), concurrency ${CONCURRENCY}`,
        figure: `≈ ${(fleetMs / 3_600_000).toFixed(1)} h and ${fleetCalls.toLocaleString('en-US')} API calls for ${NODES} nodes (${label}); measured: ${f.collected} nodes in ${fmtMs(f.collectMs)}, ${f.apiCalls} calls, peak RSS ${fmtMB(f.maxRssKB * 1024)}`,
        target: 'reference for the sweep', reference: `sweep budget: 20 s, ${callBudget} calls`, ratio: `${(fleetMs / 20_000).toFixed(0)}× the time budget, ${(fleetCalls / callBudget).toFixed(0)}× the call budget`, pass: null,
      },
    ],
    notes: [
      `sweep: the emulator (no added latency) runs in its own process; the sweep runs in another (bench/fleet/sweep-run.ts, through tsx as the bot and the CLI run), so the peak RSS ${fmtMB(sw.maxRssKB * 1024)} is the sweep's own; that process weighs ${fmtMB(sw.rssBeforeKB * 1024)} with tsx, client-node and the app's modules loaded, before its first call. The pod and node lists are streamed (jobs/fleet/raw-list.ts): each object is summarised as its bytes arrive, so neither a page nor client-node's models of it are ever held whole. Calls by resource: ${Object.entries(sw.byResource).map(([k, v]) => `${k} ${v}`).join(', ')}. ${sw.deepCollected} node(s) collected in depth; ${sw.progressUpdates} progress events.`,
      `generateCluster({nodes: ${NODES}, broken: {count: ${BROKEN}, reason: 'kernel-too-old'}}) took ${fmtMs(f.generateMs)}; loading it into the Kubernetes API emulator ${fmtMs(f.loadMs)}. The emulator (no added latency) and the collector share one process (bench/fleet/naive-child.ts), so the peak RSS ${fmtMB(f.maxRssKB * 1024)} is both together and the time includes the emulator serialising every list.`,
      `collectEvidence per node = ${f.callsHealthy} API calls for a healthy node, ${f.callsBroken} for a broken one (measured alone); every node re-lists all ${NODES} nodes (its own agent is read by field selector), which is where the time goes. Facts that timed out or were unavailable during the sample: ${f.unavailableFacts}. All ${f.sampledBroken} broken nodes are in the sample, interleaved with evenly spread healthy ones.`,
    ],
    data: { sweep: sw, naive: { ...f, perNodeMs, fleetMs, fleetCalls }, callBudget },
  };
}
