// Hosts the Kubernetes API emulator with a generated 5,000-node cluster (FLEET_NODES, FLEET_BROKEN broken) and
// runs the sweep (bench/fleet/sweep-run.ts) against it in a separate process; the emulator's request log counts
// the API calls. Prints one JSON line.
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFleetCluster } from './fleet-cluster.ts';
import type { SweepRunFigures } from './sweep-run.ts';

export interface SweepFigures extends SweepRunFigures {
  generateMs: number;
  loadMs: number;
  /** Command to report, as the sweep process saw it (spawn included). */
  wallMs: number;
  apiCalls: number;
  byResource: Record<string, number>;
  emulatorMaxRssKB: number;
}

const RUN = join(dirname(fileURLToPath(import.meta.url)), 'sweep-run.ts');

const { kube, generateMs, loadMs } = await startFleetCluster();
kube.requestLog.clear();
const t = performance.now();
const run = await new Promise<SweepRunFigures>((resolve, reject) => {
  execFile(process.execPath, ['--import', 'tsx', RUN], { env: { ...process.env, FLEET_KUBECONFIG: kube.kubeconfigPath }, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
    if (err !== null) reject(new Error(`${err.message}\n${stderr}`));
    else resolve(JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as SweepRunFigures);
  });
});
const wallMs = performance.now() - t;
const byResource: Record<string, number> = {};
for (const e of kube.requestLog.entries()) {
  const key = `${e.verb} ${e.resource}${e.subresource !== undefined ? `/${e.subresource}` : ''}`;
  byResource[key] = (byResource[key] ?? 0) + 1;
}
const figures: SweepFigures = { ...run, generateMs, loadMs, wallMs, apiCalls: kube.requestLog.count(), byResource, emulatorMaxRssKB: process.resourceUsage().maxRSS };
await kube.stop();
process.stdout.write(`${JSON.stringify(figures)}\n`);
process.exit(0);
