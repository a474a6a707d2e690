// The watch's operator and cilium-config announcements on a real Redis, as two replicas (two connections) racing
// for them see it: one claim wins each change, a failed post gives its claim back, and the reporter posts a config
// change once with the keys changed since the last announced content.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { changedKeys, configHash, WatchAnnouncementStore } from '../../jobs/watch/watch-announcements.ts';
import { WatchReporter, type WatchPoster } from '../../jobs/watch/watch-reporter.ts';
import { WatchGroupStore } from '../../jobs/watch/watch-groups.ts';
import type { IncidentStore } from '../../jobs/incidents/incident-store.ts';

const connections: Redis[] = [];
afterAll(() => {
  for (const c of connections) c.disconnect();
});

function replicas(n: number): { redis: Redis; store: WatchAnnouncementStore }[] {
  const prefix = `test-${randomUUID()}`;
  return Array.from({ length: n }, () => {
    const redis = new Redis(inject('redisUrl'));
    connections.push(redis);
    return { redis, store: new WatchAnnouncementStore(redis, prefix, 'sandbox') };
  });
}

function reporter(r: { redis: Redis; store: WatchAnnouncementStore }, posted: string[], failNext = { value: false }): WatchReporter {
  const poster: WatchPoster = {
    postRoot: () => Promise.reject(new Error('not used')),
    postEntry: () => Promise.reject(new Error('not used')),
    refreshSummary: () => Promise.reject(new Error('not used')),
    postNotice: (_channel, text) => {
      if (failNext.value) {
        failNext.value = false;
        return Promise.reject(new Error('slack: ratelimited'));
      }
      posted.push(text);
      return Promise.resolve();
    },
  };
  return new WatchReporter({
    cluster: 'sandbox', channelId: 'C0WATCH', actor: 'U0BOT', incidents: {} as IncidentStore, queue: { enqueue: () => Promise.reject(new Error('not used')) },
    groups: new WatchGroupStore(r.redis, 'unused', 'sandbox'), announcements: r.store, poster, dampingMs: 1000, isLeader: () => true,
  });
}

describe('WatchAnnouncementStore on real Redis', () => {
  it('one replica wins the operator\'s unhealthy post and one its recovery; a released claim can be won again', async () => {
    const [a, b] = replicas(2);
    if (a === undefined || b === undefined) throw new Error('two replicas');
    expect(await a.store.operatorAnnounced()).toBe(false);
    expect(await Promise.all([a.store.claimOperatorUnhealthy('x'), b.store.claimOperatorUnhealthy('x')])).toEqual(expect.arrayContaining([true, false]));
    expect(await b.store.operatorAnnounced()).toBe(true);
    expect((await Promise.all([a.store.claimOperatorRecovered(), b.store.claimOperatorRecovered()])).filter(Boolean)).toHaveLength(1);
    expect(await a.store.operatorAnnounced()).toBe(false);
    expect(await a.store.claimOperatorUnhealthy('y')).toBe(true);
    await a.store.releaseOperator('unhealthy');
    expect(await b.store.claimOperatorUnhealthy('y')).toBe(true);
  });

  it('the config baseline moves only from the hash a replica read (compare-and-set)', async () => {
    const [a, b] = replicas(2);
    if (a === undefined || b === undefined) throw new Error('two replicas');
    const v1 = { hash: configHash({ debug: 'false' }), data: { debug: 'false' } };
    const v2 = { hash: configHash({ debug: 'true' }), data: { debug: 'true' } };
    expect(await a.store.moveConfigBaseline(null, v1)).toBe(true);
    expect(await b.store.moveConfigBaseline(null, v1)).toBe(false);
    expect(await Promise.all([a.store.moveConfigBaseline(v1.hash, v2), b.store.moveConfigBaseline(v1.hash, v2)])).toEqual(expect.arrayContaining([true, false]));
    expect(await b.store.configBaseline()).toEqual(v2);
  });

  it('the reporter: first sight posts nothing, a change posts once whichever replica sees it, a failed post is retried', async () => {
    const [a, b] = replicas(2);
    if (a === undefined || b === undefined) throw new Error('two replicas');
    const posted: string[] = [];
    const failNext = { value: false };
    const ra = reporter(a, posted, failNext);
    const rb = reporter(b, posted);
    await ra.config({ debug: 'false', 'routing-mode': 'tunnel' });
    expect(posted).toEqual([]);
    await Promise.all([ra.config({ debug: 'true', 'routing-mode': 'tunnel' }), rb.config({ debug: 'true', 'routing-mode': 'tunnel' })]);
    expect(posted).toEqual(['cilium-config changed (sandbox): debug. Agents read it when they start; restarted agents pick it up.']);
    failNext.value = true;
    await expect(ra.config({ debug: 'true' })).rejects.toThrow(/ratelimited/);
    await rb.config({ debug: 'true' });
    expect(posted.at(-1)).toMatch(/^cilium-config changed \(sandbox\): routing-mode\./);
    expect(posted).toHaveLength(2);

    await ra.operator({ kind: 'unhealthy', reason: 'cilium-operator-6b8f: CrashLoopBackOff, 7 restarts' });
    await rb.operator({ kind: 'unhealthy', reason: 'cilium-operator-6b8f: CrashLoopBackOff, 8 restarts' });
    await rb.operator({ kind: 'recovered' });
    await ra.operator({ kind: 'recovered' });
    expect(posted.slice(2).map((t) => t.split(':')[0])).toEqual(['cilium-operator unhealthy in sandbox for more than the damping window', 'cilium-operator recovered in sandbox.']);
  });

  it('changedKeys names changed, added and removed keys; configHash ignores key order', () => {
    expect(changedKeys({ a: '1', b: '2', c: '3' }, { a: '1', b: '20', d: '4' })).toEqual(['b', 'c', 'd']);
    expect(configHash({ a: '1', b: '2' })).toBe(configHash({ b: '2', a: '1' }));
    expect(configHash({ a: '1' })).not.toBe(configHash({ a: '2' }));
  });
});
