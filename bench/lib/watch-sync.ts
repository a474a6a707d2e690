// Waiting for a watching bot to settle: its Lease taken, its informers' initial lists answered (nodes, cilium agents,
// the operator, cilium-config), then its CPU quiet. Shared by the watch bench and the idle profile.
import type { BenchStack } from './stack.ts';
import type { LoopSample } from './loop-probe.ts';
import { waitUntil } from './stats.ts';

export const WATCH_LEASE = { namespace: 'kube-system', name: 'cilium-runbook-watch' };

export function leaseHolder(stack: BenchStack, lease: { namespace: string; name: string } = WATCH_LEASE): string | undefined {
  const found = stack.kube.store.get('coordination.k8s.io/v1', 'Lease', lease.namespace, lease.name);
  const holder = (found?.['spec'] as { holderIdentity?: string } | undefined)?.holderIdentity;
  return holder === undefined || holder === '' ? undefined : holder;
}

export interface WatchSync {
  /** Start → the initial lists answered, ms. */
  listedMs: number;
  /** Start → the bot's CPU under 10 % of a core over a second, ms. */
  quietMs: number;
  /** The probe with the highest peak RSS while settling. */
  peak: LoopSample;
}

/** Call right after the stack started; `probe` is the watching bot's. */
export async function waitForWatchSync(stack: BenchStack, probe: () => Promise<LoopSample | null>, lease = WATCH_LEASE): Promise<WatchSync> {
  const t0 = performance.now();
  await waitUntil(() => leaseHolder(stack, lease), 60_000, 'the watch lease', 50);
  const listed = () => {
    const lists = stack.kube.requestLog.entries().filter((e) => e.verb === 'list' && e.status === 200);
    const pods = lists.filter((e) => e.resource === 'pods' && /labelSelector=/.test(e.query)).length;
    return lists.some((e) => e.resource === 'nodes' && e.query === '') && pods >= 2 && lists.some((e) => e.resource === 'configmaps');
  };
  await waitUntil(listed, 180_000, "the watch informers' initial lists", 50);
  const listedMs = performance.now() - t0;
  let peak: LoopSample | null = null;
  for (let i = 0; i < 120; i++) {
    await new Promise((r) => setTimeout(r, 1000));
    const s = await probe();
    if (s === null) throw new Error('the bot is not in a child process');
    if (peak === null || s.maxRssBytes > peak.maxRssBytes) peak = s;
    if (s.cpuMs / s.wallMs < 0.1) break;
  }
  if (peak === null) throw new Error('no probe of the bot');
  return { listedMs, quietMs: performance.now() - t0, peak };
}
