// The shell of the bot's job workers (jobs/worker-shell.ts) on a real Redis and BullMQ: every failed attempt is
// logged, the last one is posted where the request came from (once), an invalid payload is not, a failed post is
// logged without hiding the job's own error, and the shared options hold what the workers rely on.
import { randomUUID } from 'node:crypto';
import { Job, Queue, UnrecoverableError } from 'bullmq';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { jobWorkerOptions, startJobWorker } from '../../jobs/worker-shell.ts';

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

interface Target { thread: string }
interface LogLine { level: number; msg: string; jobId?: string; final?: boolean; err?: unknown }

function shell(run: (job: Job) => Promise<string>, failedPost?: (target: Target, message: string) => Promise<void>) {
  const connection = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null });
  closers.push(() => Promise.resolve(connection.disconnect()));
  const prefix = `shell-${randomUUID().slice(0, 8)}`;
  const queueName = 'work';
  const lines: LogLine[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) });
  const posted: Array<{ target: Target; message: string }> = [];
  const worker = startJobWorker<Target, string>({
    queue: queueName, what: 'test job', connection, prefix, logger, concurrency: 1,
    run,
    parse: (data) => (typeof (data as Partial<Target>).thread === 'string' ? (data as Target) : undefined),
    failed: failedPost ?? ((target, message) => {
      posted.push({ target, message });
      return Promise.resolve();
    }),
  });
  const queue = new Queue(queueName, { connection, prefix });
  closers.push(() => queue.obliterate({ force: true }).then(() => queue.close()), () => worker.close());
  // Polls the job's state rather than waiting on QueueEvents: nothing to miss.
  const add = async (data: unknown, attempts: number): Promise<{ state: 'completed' | 'failed'; value: string }> => {
    const { id } = await queue.add('j', data, { attempts, backoff: { type: 'fixed', delay: 10 } });
    for (let i = 0; i < 600; i++) {
      const job = id === undefined ? undefined : await Job.fromId(queue, id);
      const state = await job?.getState();
      if (job !== undefined && state === 'completed') return { state, value: String(job.returnvalue) };
      if (job !== undefined && state === 'failed') return { state, value: job.failedReason };
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`job ${id ?? '?'} did not finish`);
  };
  return { add, lines, posted };
}

describe('startJobWorker', () => {
  it('returns what the job returns, and posts nothing', async () => {
    const s = shell((job) => Promise.resolve(`done ${String((job.data as Target).thread)}`));
    expect(await s.add({ thread: 't1' }, 2)).toEqual({ state: 'completed', value: 'done t1' });
    expect(s.posted).toEqual([]);
    expect(s.lines.filter((l) => l.level >= 40)).toEqual([]);
  });

  it('logs every failed attempt and posts only the last one, once, with its message', async () => {
    let attempt = 0;
    const s = shell(() => Promise.reject(new Error(`API unreachable (attempt ${++attempt})`)));
    expect(await s.add({ thread: 't2' }, 3)).toEqual({ state: 'failed', value: 'API unreachable (attempt 3)' });
    const warnings = s.lines.filter((l) => l.msg === 'test job attempt failed');
    expect(warnings.map((l) => [l.err, l.final])).toEqual([
      ['API unreachable (attempt 1)', false],
      ['API unreachable (attempt 2)', false],
      ['API unreachable (attempt 3)', true],
    ]);
    expect(s.posted).toEqual([{ target: { thread: 't2' }, message: 'API unreachable (attempt 3)' }]);
  });

  it('posts an unrecoverable failure at once, without retrying', async () => {
    let runs = 0;
    const s = shell(() => {
      runs++;
      return Promise.reject(new UnrecoverableError('pod shop/x no longer exists'));
    });
    expect(await s.add({ thread: 't3' }, 4)).toEqual({ state: 'failed', value: 'pod shop/x no longer exists' });
    expect(runs).toBe(1);
    expect(s.posted).toEqual([{ target: { thread: 't3' }, message: 'pod shop/x no longer exists' }]);
  });

  it('does not post the failure of a payload that says nowhere to post it', async () => {
    const s = shell(() => Promise.reject(new UnrecoverableError('invalid payload')));
    expect(await s.add({ nothread: true }, 1)).toEqual({ state: 'failed', value: 'invalid payload' });
    expect(s.lines.some((l) => l.msg === 'test job attempt failed' && l.final === true)).toBe(true);
    expect(s.posted).toEqual([]);
  });

  it('logs a failure post that failed, and the job still fails with its own error', async () => {
    const s = shell(() => Promise.reject(new UnrecoverableError('cluster gone')), () => Promise.reject(new Error('slack down')));
    expect(await s.add({ thread: 't4' }, 1)).toEqual({ state: 'failed', value: 'cluster gone' });
    expect(s.lines.filter((l) => l.msg === 'could not post the test job failure').length).toBe(1);
  });
});

describe('jobWorkerOptions', () => {
  it('checks for stalled jobs as often as a lock can lapse when asked, else at BullMQ\'s 30 s', () => {
    const connection = { host: '127.0.0.1', port: 1 };
    expect(jobWorkerOptions({ connection, prefix: 'p', concurrency: 2, lockMs: 5000, maxStalledCount: 3, checkStalledEveryLock: true })).toEqual({
      connection, prefix: 'p', concurrency: 2, lockDuration: 5000, stalledInterval: 5000, maxStalledCount: 3,
    });
    const defaults = jobWorkerOptions({ connection, prefix: 'p', concurrency: 1 });
    expect([defaults.lockDuration, defaults.stalledInterval, defaults.maxStalledCount, defaults.drainDelay]).toEqual([30_000, undefined, undefined, undefined]);
  });
});
