// The shell every job worker of the bot shares: BullMQ's Worker with the bot's options, the attempt's failure
// logged, the last failure posted (nobody waits on silence), and connection errors into the JSON log.
import { UnrecoverableError, Worker, type ConnectionOptions, type Job, type WorkerOptions } from 'bullmq';
import type { Logger } from 'pino';

export interface JobWorkerOptions {
  connection: ConnectionOptions;
  prefix: string;
  concurrency: number;
  /** How long a job's lock lasts without renewal (BullMQ renews it every half of it while the job runs). */
  lockMs?: number;
  /** How often a job whose worker died may come back before BullMQ fails it (BullMQ's default: 1). */
  maxStalledCount?: number;
  /**
   * Look for stalled jobs (their worker died, so their lock lapsed) as often as a lock can lapse, instead of BullMQ's
   * 30 s: for the workers whose jobs someone waits on. Each check is a Redis script per worker.
   */
  checkStalledEveryLock?: boolean;
}

/** The options every worker of the bot runs with. */
export function jobWorkerOptions(opts: JobWorkerOptions): WorkerOptions {
  const lockMs = opts.lockMs ?? 30_000;
  // drainDelay stays BullMQ's 5 s. 10 s (BullMQ's own block ceiling, taskforcesh/bullmq#1658) would halve an idle
  // worker's polls; it was tried together with a stalled check every lock period on every worker, and the
  // worker-kill-remediate fault test then timed out on a diagnosis (which of the two did it is not known).
  return {
    connection: opts.connection,
    prefix: opts.prefix,
    concurrency: opts.concurrency,
    lockDuration: lockMs,
    ...(opts.checkStalledEveryLock === true && { stalledInterval: lockMs }),
    ...(opts.maxStalledCount !== undefined && { maxStalledCount: opts.maxStalledCount }),
  };
}

/** Whether BullMQ will not try this job again after the attempt that just failed. */
export function isFinalAttempt(job: Pick<Job, 'attemptsMade' | 'opts'>, err: unknown): boolean {
  return err instanceof UnrecoverableError || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
}

export interface JobShellOptions<T, R> extends JobWorkerOptions {
  queue: string;
  /** Names the job in log lines: "<what> attempt failed", "could not post the <what> failure". */
  what: string;
  logger: Logger;
  run: (job: Job) => Promise<R>;
  /** The job's payload, when valid: a payload that is not cannot say where to post its failure. */
  parse: (data: unknown) => T | undefined;
  /** Posts the last failure where the request came from; its own failure is logged, not thrown. */
  failed: (target: T, message: string, job: Job) => Promise<void>;
}

export function startJobWorker<T, R>(opts: JobShellOptions<T, R>): Worker<unknown, R> {
  const worker = new Worker<unknown, R>(
    opts.queue,
    async (job) => {
      try {
        return await opts.run(job);
      } catch (e) {
        const final = isFinalAttempt(job, e);
        const message = e instanceof Error ? e.message : String(e);
        opts.logger.warn({ jobId: job.id, err: message, final }, `${opts.what} attempt failed`);
        const target = final ? opts.parse(job.data) : undefined;
        if (target !== undefined) {
          await opts.failed(target, message, job).catch((err: unknown) => opts.logger.error({ jobId: job.id, err }, `could not post the ${opts.what} failure`));
        }
        throw e;
      }
    },
    jobWorkerOptions(opts),
  );
  worker.on('error', (err) => opts.logger.error({ err }, `${opts.queue} worker error`));
  return worker;
}
