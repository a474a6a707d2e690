// The fleet sweep alone, in its own process (so its peak RSS is the sweep's, not the emulator's): runSweep against
// the kubeconfig in FLEET_KUBECONFIG, as `cilium-runbook diagnose --all` runs it. Prints one JSON line.
import { runSweep } from '../../jobs/fleet/sweep.ts';
import { ClientNodeCluster, loadKubeConfig } from '../../jobs/kube/client-node-cluster.ts';

export interface SweepRunFigures {
  sweepMs: number;
  clientCalls: number;
  groups: string[];
  drift: string[];
  deepCollected: number;
  nodes: number;
  progressUpdates: number;
  maxRssKB: number;
  /** RSS just before the sweep's first call: tsx, client-node and the app's modules loaded. */
  rssBeforeKB: number;
}

const reader = new ClientNodeCluster('fleet', loadKubeConfig({ kubeconfigPath: process.env.FLEET_KUBECONFIG ?? '' }));
let progressUpdates = 0;
const rssBeforeKB = Math.round(process.memoryUsage().rss / 1024);
const t = performance.now();
const pageSize = Number(process.env.FLEET_PAGE_SIZE ?? 0) || undefined;
const report = await runSweep(reader, { ...(pageSize !== undefined && { pageSize }), collect: { deadlineMs: 60_000, tailLines: 2000, limitBytes: 2 * 1024 * 1024 }, onProgress: () => void progressUpdates++ });
const figures: SweepRunFigures = {
  sweepMs: performance.now() - t,
  clientCalls: report.apiCalls,
  groups: report.groups.map((g) => g.sentence),
  drift: report.drift.sentences,
  deepCollected: report.totals.deepCollected,
  nodes: report.totals.nodes,
  progressUpdates,
  maxRssKB: process.resourceUsage().maxRSS,
  rssBeforeKB,
};
process.stdout.write(`${JSON.stringify(figures)}\n`);
process.exit(0);
