// Issue 19 (one watcher at a time): the Lease election against the emulator with the real client-node and kubectl:
// one leader among candidates, 409 on a stale write, hand-over after the lease expires, at once after a release.
import { KubeConfig, type V1Lease } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKubeEmulator, type KubeEmulator } from '../../sandbox/kube/index.ts';
import { clientNodeLeaseClient, LeaseElector, type LeaseClient, type LeaseTiming } from '../../jobs/watch/lease-elector.ts';
import { kubectlRunner, testScenario } from '../sandbox-kube/fixture.ts';

// Short but in client-go's proportions (duration > deadline > retry): no assertion depends on them.
const TIMING: LeaseTiming = { leaseDurationMs: 1500, renewDeadlineMs: 1000, retryPeriodMs: 100 };
const NAMESPACE = 'kube-system';

let emu: KubeEmulator;
let kc: KubeConfig;
beforeAll(async () => {
  emu = await startKubeEmulator({ scenario: testScenario() });
  kc = new KubeConfig();
  kc.loadFromFile(emu.kubeconfigPath);
});
afterAll(async () => {
  await emu.stop();
});

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function candidate(name: string, identity: string, log: string[]): LeaseElector {
  return new LeaseElector({
    client: clientNodeLeaseClient(kc, NAMESPACE, name), namespace: NAMESPACE, name, identity, timing: TIMING,
    onStartedLeading: () => log.push(`${identity} started`),
    onStoppedLeading: () => log.push(`${identity} stopped`),
  });
}

/** Reads and rewrites the Lease until the write is not a 409 (the leader writes too); the request count after it. */
async function edit(client: LeaseClient, change: (lease: V1Lease) => V1Lease, requests: () => unknown[]): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const lease = await client.get();
    if (lease === null) throw new Error('no lease');
    if ((await client.replace(change(lease))) !== 'conflict') return requests().length;
  }
  throw new Error('the lease kept changing under the edit');
}

describe('LeaseElector', () => {
  it('elects one of two candidates, and the other takes over only once the abandoned lease has expired', async () => {
    const log: string[] = [];
    const a = candidate('watch-a', 'replica-a', log);
    const b = candidate('watch-a', 'replica-b', log);
    a.start();
    b.start();
    await until(() => a.isLeader || b.isLeader, 'a leader');
    const [leader, other] = a.isLeader ? [a, b] : [b, a];
    // Past the lease duration (many renewals) the same replica still leads, never having stopped.
    await new Promise((r) => setTimeout(r, 2 * TIMING.leaseDurationMs));
    expect(leader.isLeader).toBe(true);
    expect(other.isLeader).toBe(false);
    expect(log.filter((l) => l.endsWith('stopped'))).toEqual([]);
    const first = emu.store.get('coordination.k8s.io/v1', 'Lease', NAMESPACE, 'watch-a') as { spec: { holderIdentity: string; leaseTransitions: number } } | undefined;
    expect(first?.spec.holderIdentity).toBe(leader === a ? 'replica-a' : 'replica-b');

    leader.abandon(); // killed: no release
    await until(() => other.isLeader, 'the hand-over');
    const after = emu.store.get('coordination.k8s.io/v1', 'Lease', NAMESPACE, 'watch-a') as { spec: { holderIdentity: string; leaseTransitions: number } } | undefined;
    expect(after?.spec.holderIdentity).toBe(other === a ? 'replica-a' : 'replica-b');
    expect(after?.spec.leaseTransitions).toBe((first?.spec.leaseTransitions ?? 0) + 1);
    expect(log.filter((l) => l.endsWith('started'))).toHaveLength(2);
    await other.stop();
  });

  it('hands over at once when the leader stops cleanly (the lease is released)', async () => {
    const log: string[] = [];
    const a = candidate('watch-b', 'replica-a', log);
    a.start();
    await until(() => a.isLeader, 'a to lead');
    await a.stop();
    expect(log).toEqual(['replica-a started', 'replica-a stopped']);
    const released = emu.store.get('coordination.k8s.io/v1', 'Lease', NAMESPACE, 'watch-b') as { spec: { holderIdentity: string } } | undefined;
    expect(released?.spec.holderIdentity).toBe('');
    const b = candidate('watch-b', 'replica-b', log);
    expect(await b.tryAcquireOrRenew()).toBe(true);
  });

  it('stops leading once it cannot renew past the renew deadline', async () => {
    const log: string[] = [];
    const a = candidate('watch-c', 'replica-a', log);
    a.start();
    await until(() => a.isLeader, 'a to lead');
    emu.faults.add({ path: '/leases/watch-c', status: 503 });
    try {
      await until(() => !a.isLeader, 'a to stop leading');
      expect(log).toEqual(['replica-a started', 'replica-a stopped']);
    } finally {
      emu.faults.clear();
      await a.stop();
    }
  });

  it('the leader renews with one write a round, and reads the Lease only after another writer made its write a 409', async () => {
    const log: string[] = [];
    const a = candidate('watch-e', 'replica-a', log);
    const requests = () => emu.requestLog.entries().filter((e) => e.path.endsWith('/leases/watch-e'));
    a.start();
    await until(() => a.isLeader, 'a to lead');
    const before = requests().length;
    await until(() => requests().length - before >= 8, 'eight renewals');
    const renewals = requests().slice(before);
    expect(renewals.map((e) => `${e.verb} ${e.status}`)).toEqual(renewals.map(() => 'update 200'));

    // Someone else writes the Lease, keeping the holder (an annotation added by hand): the leader's next write
    // carries a stale resourceVersion (409), so it reads the Lease and renews on top of it, still leading.
    const edits = clientNodeLeaseClient(kc, NAMESPACE, 'watch-e');
    const afterEdit = await edit(edits, (lease) => ({ ...lease, metadata: { ...lease.metadata, annotations: { edited: 'by hand' } } }), requests);
    await until(() => requests().length - afterEdit >= 3, 'the leader after the edit');
    expect(requests().slice(afterEdit, afterEdit + 3).map((e) => `${e.verb} ${e.status}`)).toEqual(['update 409', 'get 200', 'update 200']);
    const renewed = emu.store.get('coordination.k8s.io/v1', 'Lease', NAMESPACE, 'watch-e') as { metadata: { annotations?: Record<string, string> }; spec: { holderIdentity: string } } | undefined;
    expect(renewed?.spec.holderIdentity).toBe('replica-a');
    expect(renewed?.metadata.annotations).toEqual({ edited: 'by hand' });
    expect(a.isLeader).toBe(true);
    expect(log).toEqual(['replica-a started']);

    // Another replica takes the Lease over (as after a partition): the leader's write is a 409, its read shows the
    // new holder, and it stops leading at once.
    await edit(edits, (lease) => ({ ...lease, spec: { ...lease.spec, holderIdentity: 'replica-b' } }), requests);
    await until(() => !a.isLeader, 'a to stop leading');
    expect(log).toEqual(['replica-a started', 'replica-a stopped']);
    await a.stop();
  });

  it('a write with a stale resourceVersion is a 409 Conflict, and kubectl shows the holder', async () => {
    const client = clientNodeLeaseClient(kc, NAMESPACE, 'watch-d');
    const created = await client.create({ metadata: { name: 'watch-d', namespace: NAMESPACE }, spec: { holderIdentity: 'x', leaseDurationSeconds: 15 } });
    expect(created).not.toBe('conflict');
    if (created === 'conflict') return;
    expect(await client.create({ metadata: { name: 'watch-d', namespace: NAMESPACE }, spec: {} })).toBe('conflict');
    const renewed = await client.replace({ ...created, spec: { ...created.spec, holderIdentity: 'y' } });
    expect(renewed).not.toBe('conflict');
    expect(await client.replace({ ...created, spec: { ...created.spec, holderIdentity: 'z' } })).toBe('conflict');
    const r = await kubectlRunner()(emu.kubeconfigPath, ['get', 'lease', '-n', NAMESPACE, 'watch-d']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^NAME\s+HOLDER\s+AGE\nwatch-d\s+y\s+\d+s\n$/);
  });
});
