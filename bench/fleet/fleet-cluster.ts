// The fleet benches' cluster: a generated one (FLEET_NODES nodes, FLEET_BROKEN of them on a kernel below Cilium's
// floor) loaded into a Kubernetes API emulator, with how long each step took.
import { startKubeEmulator, type KubeEmulator } from '../../sandbox/kube/index.ts';
import { generateCluster, type Scenario } from '../../sandbox/scenario/index.ts';

export const NODES = Number(process.env.FLEET_NODES ?? 5000);
export const BROKEN = Number(process.env.FLEET_BROKEN ?? 10);

export async function startFleetCluster(): Promise<{ scenario: Scenario; kube: KubeEmulator; generateMs: number; loadMs: number }> {
  let t = performance.now();
  const scenario = generateCluster({ nodes: NODES, broken: { count: BROKEN, reason: 'kernel-too-old' } });
  const generateMs = performance.now() - t;
  t = performance.now();
  const kube = await startKubeEmulator({ scenario });
  return { scenario, kube, generateMs, loadMs: performance.now() - t };
}
