// `fleet`: `/cilium diagnose --all` does not exist yet, so this measures its reference — today's per-node
// collection (collectEvidence per node, concurrency 8) on a generated 5,000-node cluster with 10 broken nodes, on a
// sample within a time budget, extrapolated to the whole fleet and labelled so. The sweep row says "not implemented".
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NaiveFigures } from './fleet/naive-child.ts';
import { fmtMB, fmtMs } from './lib/stats.ts';
import type { BenchOutcome } from './lib/result.ts';

const CHILD = join(dirname(fileURLToPath(import.meta.url)), 'fleet', 'naive-child.ts');
const NODES = 5000;
const BROKEN = 10;
const SAMPLE = 200;
const CONCURRENCY = 8;
const BUDGET_MS = 75_000;

function runChild(): Promise<NaiveFigures> {
  const env = { ...process.env, FLEET_NODES: String(NODES), FLEET_BROKEN: String(BROKEN), FLEET_SAMPLE: String(SAMPLE), FLEET_CONCURRENCY: String(CONCURRENCY), FLEET_BUDGET_MS: String(BUDGET_MS) };
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', CHILD], { env, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err !== null) reject(new Error(`${err.message}\n${stderr}`));
      else resolve(JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as NaiveFigures);
    });
  });
}

export async function benchFleet(): Promise<BenchOutcome> {
  const f = await runChild();
  const perNodeMs = f.collectMs / f.collected;
  const fleetMs = perNodeMs * NODES;
  const fleetCalls = f.callsBroken * BROKEN + f.callsHealthy * (NODES - BROKEN);
  const callBudget = 50 + 6 * BROKEN;
  const label = `extrapolated from ${f.collected} of ${NODES} nodes${f.stoppedEarly ? ` (sample of ${f.sample} cut by a ${fmtMs(BUDGET_MS)} budget)` : ''}`;
  return {
    rows: [
      { bench: 'fleet', what: `sweep, ${NODES} nodes, ${BROKEN} broken`, figure: 'sweep: not implemented', target: `≤ 20 s; ≤ ${callBudget} API calls; peak RSS ≤ 300 MB`, reference: 'naive per-node collection (below)', ratio: 'n/a', pass: null },
      {
        bench: 'fleet', what: `naive per-node collection (reference), concurrency ${CONCURRENCY}`,
        figure: `≈ ${(fleetMs / 3_600_000).toFixed(1)} h and ${fleetCalls.toLocaleString('en-US')} API calls for ${NODES} nodes (${label}); measured: ${f.collected} nodes in ${fmtMs(f.collectMs)}, ${f.apiCalls} calls, peak RSS ${fmtMB(f.maxRssKB * 1024)}`,
        target: 'reference for the sweep', reference: `sweep budget: 20 s, ${callBudget} calls`, ratio: `${(fleetMs / 20_000).toFixed(0)}× the time budget, ${(fleetCalls / callBudget).toFixed(0)}× the call budget`, pass: null,
      },
    ],
    notes: [
      `generateCluster({nodes: ${NODES}, broken: {count: ${BROKEN}, reason: 'kernel-too-old'}}) took ${fmtMs(f.generateMs)}; loading it into the Kubernetes API emulator ${fmtMs(f.loadMs)}. The emulator (no added latency) and the collector share one process (bench/fleet/naive-child.ts), so the peak RSS ${fmtMB(f.maxRssKB * 1024)} is both together and the time includes the emulator serialising every list.`,
      `collectEvidence per node = ${f.callsHealthy} API calls for a healthy node, ${f.callsBroken} for a broken one (measured alone); every node re-lists all ${NODES} nodes and all ${NODES} cilium pods, which is where the time goes (see the lead's report). Facts that timed out or were unavailable during the sample: ${f.unavailableFacts}. All ${f.sampledBroken} broken nodes are in the sample, interleaved with evenly spread healthy ones.`,
    ],
    data: { ...f, perNodeMs, fleetMs, fleetCalls, callBudget },
  };
}
