import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { IncidentStore } from '../../jobs/incidents/incident-store.ts';
import { renderPostmortem } from '../../bot/render/timeline.ts';

const connections: Redis[] = [];
afterAll(() => {
  for (const c of connections) c.disconnect();
});

function store(prefix: string): IncidentStore {
  const redis = new Redis(inject('redisUrl'));
  connections.push(redis);
  return new IncidentStore(redis, prefix);
}

const input = { cluster: 'sandbox', node: 'node-7', channelId: 'C0INCIDENTS', openedBy: 'U0ONCALL' };

describe('IncidentStore on real Redis', () => {
  it('reuses the open incident for the same cluster+node, and opens a new one after resolve', async () => {
    const s = store(`test-${randomUUID()}`);
    const first = await s.openOrReuse(input);
    expect(first.created).toBe(true);
    expect(first.incident.id).toMatch(/^INC-\d+$/);
    const again = await s.openOrReuse(input);
    expect(again).toMatchObject({ created: false, incident: { id: first.incident.id } });
    expect((await s.openOrReuse({ ...input, node: 'node-8' })).incident.id).not.toBe(first.incident.id);
    await s.setStatus(first.incident.id, 'resolved');
    const next = await s.openOrReuse(input);
    expect(next.created).toBe(true);
    expect(next.incident.id).not.toBe(first.incident.id);
    expect((await s.listOpen()).map((i) => i.node).sort()).toEqual(['node-7', 'node-8']);
  });

  it('20 concurrent openers of the same node get one incident', async () => {
    const prefix = `test-${randomUUID()}`;
    const results = await Promise.all(Array.from({ length: 20 }, () => store(prefix).openOrReuse(input)));
    expect(new Set(results.map((r) => r.incident.id)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
  });

  it('concurrent writers on separate connections lose no timeline entry, and seq is gap-free', async () => {
    const prefix = `test-${randomUUID()}`;
    const { incident } = await store(prefix).openOrReuse(input);
    const writers = Array.from({ length: 4 }, () => store(prefix));
    await Promise.all(
      writers.flatMap((w, wi) => Array.from({ length: 100 }, (_, i) => w.append(incident.id, { actor: `U0W${wi}`, kind: 'note', text: `writer ${wi} entry ${i}` }))),
    );
    const reader = writers[0] ?? store(prefix);
    const timeline = await reader.timeline(incident.id);
    expect(timeline).toHaveLength(400);
    expect(timeline.map((e) => e.seq)).toEqual(Array.from({ length: 400 }, (_, i) => i + 1));
    expect(new Set(timeline.map((e) => e.text)).size).toBe(400);
    for (const e of timeline) expect(e.at).toMatch(/Z$/);

    const markdown = renderPostmortem(await reader.get(incident.id), timeline, []);
    for (const e of timeline) expect(markdown).toContain(e.text);
  });

  it('survives a new store instance (as after a restart) and keeps runs in order for the diff', async () => {
    const prefix = `test-${randomUUID()}`;
    const a = store(prefix);
    const { incident } = await a.openOrReuse(input);
    await a.recordRun(incident.id, { at: new Date().toISOString(), findings: [{ runbookId: 'kernel-too-old', severity: 'critical', title: 't' }], metrics: { agentRestarts: 14 } });
    const b = store(prefix);
    const { run, previous } = await b.recordRun(incident.id, { at: new Date().toISOString(), findings: [], metrics: { agentRestarts: 19 } });
    expect(run.run).toBe(2);
    expect(previous?.metrics.agentRestarts).toBe(14);
    expect((await b.get(incident.id)).runs).toBe(2);
  });

  it('an unknown incident id is a clear error', async () => {
    await expect(store(`test-${randomUUID()}`).get('INC-999')).rejects.toThrow(/There is no incident INC-999/);
  });
});
