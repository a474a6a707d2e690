// Issue 17: a job that keeps stalling (its worker killed, or its event loop blocked past the lock, again and again)
// is given up after MAX_STALLS, with the reason in the incident's thread and timeline, instead of being re-run every
// lock period up to 50 times. Real Redis, real BullMQ stall detection: a "crashing" consumer takes the job and
// never renews its lock, a second worker's stalled checker puts it back, and so on; then the diagnose worker runs.
import { randomUUID } from 'node:crypto';
import { Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { DIAGNOSE_QUEUE } from '../../jobs/diagnose-job.ts';
import { DiagnoseQueue } from '../../jobs/diagnose-queue.ts';
import { MAX_STALLS, startDiagnoseWorker } from '../../jobs/diagnose-worker.ts';
import type { DiagnosisTarget, IncidentSink } from '../../jobs/incident-sink.ts';
import { IncidentStore } from '../../jobs/incidents/incident-store.ts';

const LOCK_MS = 300;
const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

function redis(): Redis {
  const r = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null });
  closers.push(() => Promise.resolve(r.disconnect()));
  return r;
}

/** Records what would reach Slack. */
class RecordingSink implements IncidentSink {
  readonly failures: { target: DiagnosisTarget; message: string }[] = [];
  collecting(): Promise<void> { return Promise.resolve(); }
  healthy(): Promise<void> { return Promise.resolve(); }
  report(): Promise<void> { return Promise.resolve(); }
  failed(target: DiagnosisTarget, message: string): Promise<void> {
    this.failures.push({ target, message });
    return Promise.resolve();
  }
  postEntry(): Promise<void> { return Promise.resolve(); }
  refreshSummary(): Promise<void> { return Promise.resolve(); }
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function setup() {
  const prefix = `test-${randomUUID()}`;
  const queue = new DiagnoseQueue({ connection: redis(), prefix, attempts: 4 });
  closers.push(() => queue.queue.obliterate({ force: true }).then(() => queue.close()));
  const incidents = new IncidentStore(redis(), prefix);
  const { incident } = await incidents.openOrReuse({ cluster: 'sandbox', node: 'node-7', channelId: 'C0INCIDENT', openedBy: 'U0ONCALL' });
  const enqueued = await queue.enqueue({ incidentId: incident.id, cluster: 'sandbox', node: 'node-7', channelId: 'C0INCIDENT', threadTs: '1700000000.000100', requestedBy: 'U0ONCALL', requestedAt: new Date().toISOString() });
  if (!enqueued.queued) throw new Error('not queued');
  // The stalled checker of a worker that never takes jobs itself, with production's limit (MAX_STALLS + 1).
  const checker = new Worker(DIAGNOSE_QUEUE, null, { connection: redis(), prefix, autorun: false, lockDuration: LOCK_MS, stalledInterval: 100, maxStalledCount: MAX_STALLS + 1 });
  closers.push(() => checker.close(true));
  void checker.startStalledCheckTimer();
  return { prefix, queue, incidents, incident, jobId: enqueued.jobId };
}

/** Takes the job as a worker that then dies would (its lock is never renewed), and waits until it is put back. */
async function stallOnce(prefix: string, queue: DiagnoseQueue, jobId: string, count: number): Promise<void> {
  const crasher = new Worker(DIAGNOSE_QUEUE, null, { connection: redis(), prefix, autorun: false, lockDuration: LOCK_MS });
  const taken = await until('the crashing consumer to take the job', async () => (await crasher.getNextJob(randomUUID(), { block: false })) ?? undefined);
  expect(taken.id).toBe(jobId);
  await crasher.close(true);
  await until(`stall ${count}`, async () => {
    const job: Job | undefined = await queue.queue.getJob(jobId);
    return job !== undefined && job.stalledCounter === count && (await job.getState()) === 'waiting' ? true : undefined;
  });
}

/** The job once failed, read after its state says so (a job read before would lack its failedReason). */
function failedJob(queue: DiagnoseQueue, jobId: string): Promise<Job | undefined> {
  return until('the job to fail', async () => ((await queue.queue.getJobState(jobId)) === 'failed' ? queue.queue.getJob(jobId) : undefined));
}

function diagnoseWorker(prefix: string, incidents: IncidentStore, sink: RecordingSink, analyzed: string[]) {
  const worker = startDiagnoseWorker({
    connection: redis(), prefix, clusters: () => undefined, sink, incidents, collect: { deadlineMs: 1_000, tailLines: 10, limitBytes: 1024 },
    logger: pino({ level: 'silent' }), lockMs: LOCK_MS, analyze: () => {
      analyzed.push('called');
      return Promise.reject(new Error('not reached: no cluster in this test'));
    },
  });
  closers.push(() => worker.close());
  return worker;
}

describe('a diagnosis that keeps stalling (issue 17)', () => {
  it(`is given up after ${MAX_STALLS + 1} stalls, with a message in the thread and the timeline`, async () => {
    const { prefix, queue, incidents, incident, jobId } = await setup();
    for (let n = 1; n <= MAX_STALLS + 1; n++) await stallOnce(prefix, queue, jobId, n);
    const sink = new RecordingSink();
    diagnoseWorker(prefix, incidents, sink, []);
    const failed = await failedJob(queue, jobId);
    expect(failed?.failedReason).toMatch(/given up after its worker stopped 4 times/);
    expect(failed?.attemptsMade).toBeLessThanOrEqual(1); // not retried: the same evidence would stall it again
    await until('the failure in the thread', () => Promise.resolve(sink.failures.length > 0 ? true : undefined));
    expect(sink.failures).toHaveLength(1);
    expect(sink.failures[0]?.target).toMatchObject({ incidentId: incident.id, threadTs: '1700000000.000100', jobId });
    expect(sink.failures[0]?.message).toMatch(/given up .* 4 times .*JOB_LOCK_MS.*cilium-runbook collect/);
    const timeline = await incidents.timeline(incident.id);
    expect(timeline.filter((e) => e.kind === 'diagnosis-failed').map((e) => e.text)).toEqual([sink.failures[0]?.message]);
  }, 60_000);

  it(`a job stalled ${MAX_STALLS} times (workers killed mid-job) still runs`, async () => {
    const { prefix, queue, incidents, jobId } = await setup();
    for (let n = 1; n <= MAX_STALLS; n++) await stallOnce(prefix, queue, jobId, n);
    const sink = new RecordingSink();
    diagnoseWorker(prefix, incidents, sink, []);
    const failed = await failedJob(queue, jobId);
    // It ran: it got as far as looking up its cluster (none in this test), past the stall check.
    expect(failed?.failedReason).toBe('unknown cluster "sandbox"');
  }, 60_000);
});
