// The reference for the future fleet sweep: today's per-node collection (collectEvidence, as one diagnosis does it)
// over a sample of a generated 5,000-node cluster, bounded concurrency. Own process, so its peak RSS is its own
// (the Kubernetes API emulator with all 5,000 nodes lives here too). Prints one JSON line.
import { collectEvidence } from '../../jobs/collect/collect-evidence.ts';
import { ClientNodeCluster, loadKubeConfig } from '../../jobs/kube/client-node-cluster.ts';
import { BROKEN, NODES, startFleetCluster } from './fleet-cluster.ts';

export interface NaiveFigures {
  nodes: number;
  broken: number;
  generateMs: number;
  loadMs: number;
  sample: number;
  sampledBroken: number;
  collected: number;
  collectMs: number;
  apiCalls: number;
  callsHealthy: number;
  callsBroken: number;
  unavailableFacts: number;
  stoppedEarly: boolean;
  maxRssKB: number;
}

const SAMPLE = Number(process.env.FLEET_SAMPLE ?? 200);
const CONCURRENCY = Number(process.env.FLEET_CONCURRENCY ?? 8);
const BUDGET_MS = Number(process.env.FLEET_BUDGET_MS ?? 120_000);

const { scenario, kube, generateMs, loadMs } = await startFleetCluster();
const reader = new ClientNodeCluster('fleet', loadKubeConfig({ kubeconfigPath: kube.kubeconfigPath }));

const names = scenario.objects.filter((o) => o.kind === 'Node').map((o) => o.metadata.name);
const broken = names.filter((n) => n.startsWith('node-legacy-'));
const healthy = names.filter((n) => !n.startsWith('node-legacy-'));
// All broken nodes, and healthy ones spread evenly over the cluster, interleaved (so a budget cut keeps both kinds).
const step = healthy.length / (SAMPLE - broken.length);
const spread = Array.from({ length: SAMPLE - broken.length }, (_, i) => healthy[Math.floor(i * step)] ?? '');
const sample: string[] = [];
for (let i = 0; sample.length < SAMPLE; i++) {
  if (i < broken.length) sample.push(broken[i] ?? '');
  if (i < spread.length) sample.push(spread[i] ?? '');
}

let unavailableFacts = 0;
let collected = 0;
let next = 0;
const deadline = performance.now() + BUDGET_MS;
kube.requestLog.clear();
const t = performance.now();
await Promise.all(
  Array.from({ length: CONCURRENCY }, async () => {
    while (next < sample.length && performance.now() < deadline) {
      const node = sample[next++] ?? '';
      const evidence = await collectEvidence(reader, node, { deadlineMs: 60_000, tailLines: 2000, limitBytes: 2 * 1024 * 1024 });
      for (const v of Object.values(evidence)) if (typeof v === 'object' && v !== null && 'reason' in v && (v.reason === 'timeout' || v.reason === 'unavailable')) unavailableFacts++;
      collected++;
    }
  }),
);
const collectMs = performance.now() - t;
const apiCalls = kube.requestLog.count();
// Calls per node kind: measured on one broken and one healthy node on their own.
const one = async (node: string) => {
  const before = kube.requestLog.count();
  await collectEvidence(reader, node, { deadlineMs: 60_000, tailLines: 2000, limitBytes: 2 * 1024 * 1024 });
  return kube.requestLog.count() - before;
};
const callsBroken = await one(broken[0] ?? '');
const callsHealthy = await one(healthy[0] ?? '');
await kube.stop();
const figures: NaiveFigures = {
  nodes: NODES, broken: BROKEN, generateMs, loadMs, sample: sample.length, sampledBroken: broken.length, collected, collectMs, apiCalls,
  callsHealthy, callsBroken, unavailableFacts, stoppedEarly: collected < sample.length, maxRssKB: process.resourceUsage().maxRSS,
};
process.stdout.write(`${JSON.stringify(figures)}\n`);
process.exit(0);
