import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { Redis } from 'ioredis';
import { DiagnoseQueue } from '../../jobs/diagnose-queue.ts';
import type { DiagnoseJob } from '../../jobs/diagnose-job.ts';

const job = (node: string): DiagnoseJob => ({
  incidentId: 'INC-1',
  cluster: 'sandbox',
  node,
  channelId: 'C0INCIDENT',
  threadTs: '1700000000.000100',
  requestedBy: 'U0ONCALL',
  requestedAt: new Date().toISOString(),
});

describe('DiagnoseQueue on real Redis', () => {
  const opened: DiagnoseQueue[] = [];
  const connections: Redis[] = [];
  afterEach(async () => {
    for (const q of opened.splice(0)) {
      await q.queue.obliterate({ force: true });
      await q.close();
    }
    for (const c of connections.splice(0)) c.disconnect();
  });

  function open(): DiagnoseQueue {
    const connection = new Redis(inject('redisUrl'), { maxRetriesPerRequest: 1 });
    connections.push(connection);
    const q = new DiagnoseQueue({ connection, prefix: `test-${randomUUID()}` });
    opened.push(q);
    return q;
  }

  it('queues one job per cluster+node and reports the duplicate with the existing job id', async () => {
    const q = open();
    const first = await q.enqueue(job('node-7'));
    expect(first.queued).toBe(true);
    const second = await q.enqueue(job('node-7'));
    expect(second).toEqual({ queued: false, existingJobId: first.queued ? first.jobId : '' });
    const other = await q.enqueue(job('node-8'));
    expect(other.queued).toBe(true);
    expect(await q.queue.getWaitingCount()).toBe(2);
    const active = await q.activeJobFor('sandbox', 'node-7');
    expect(active?.data.threadTs).toBe('1700000000.000100');
    expect(await q.activeJobFor('sandbox', 'node-9')).toBeNull();
  });

  it('100 concurrent requests for the same node queue exactly one job', async () => {
    const q = open();
    const results = await Promise.all(Array.from({ length: 100 }, () => q.enqueue(job('node-1'))));
    expect(results.filter((r) => r.queued)).toHaveLength(1);
    expect(await q.queue.getWaitingCount()).toBe(1);
  });

  it('refuses invalid payloads before anything reaches Redis', async () => {
    const q = open();
    await expect(q.enqueue({ ...job('node-1'), node: 'node;rm -rf /' })).rejects.toThrow();
    await expect(q.enqueue({ ...job('node-1'), channelId: 'not a channel' })).rejects.toThrow();
    expect(await q.queue.getWaitingCount()).toBe(0);
  });
});
