// Consumer side of the `sweep` queue: validate, run the sweep with throttled progress on the root message, post
// the grouped report into its thread. A failure after the last attempt is posted too, so nobody waits on silence.
import { UnrecoverableError, type ConnectionOptions, type Job, type Worker } from 'bullmq';
import type { Logger } from 'pino';
import type { CollectOptions } from '../collect/collect-evidence.ts';
import type { ClusterReader } from '../kube/cluster-reader.ts';
import { runSweep, type FleetReport, type SweepOptions, type SweepProgress } from './sweep.ts';
import { SWEEP_QUEUE, SweepJobSchema } from './sweep-job.ts';
import { throttled, type SweepSink } from './sweep-sink.ts';
import { AnalysisThread } from '../analysis-thread.ts';
import { startJobWorker } from '../worker-shell.ts';

export interface SweepWorkerOptions {
  connection: ConnectionOptions;
  prefix: string;
  clusters: (name: string) => ClusterReader | undefined;
  sink: SweepSink;
  collect: CollectOptions;
  logger: Logger;
  sweep?: Omit<SweepOptions, 'collect' | 'onProgress'>;
  /** Minimum time between progress edits of the root message (default 1000 ms: chat.update is rate-limited). */
  progressIntervalMs?: number;
  lockMs?: number;
}

export type SweepResult = Pick<FleetReport, 'totals' | 'apiCalls' | 'durationMs'> & { groups: string[] };

export async function processSweepJob(job: Job, opts: SweepWorkerOptions): Promise<SweepResult> {
  const parsed = SweepJobSchema.safeParse(job.data);
  if (!parsed.success) throw new UnrecoverableError(`invalid sweep job payload: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const target = { ...parsed.data, ...(job.id !== undefined && { jobId: job.id }) };
  const reader = opts.clusters(target.cluster);
  if (reader === undefined) throw new UnrecoverableError(`unknown cluster "${target.cluster}"`);
  const log = opts.logger.child({ jobId: job.id, cluster: target.cluster, attempt: job.attemptsMade + 1 });
  log.info('fleet sweep started');
  const progress = throttled<SweepProgress>((p) => opts.sink.progress(target, p), opts.progressIntervalMs ?? 1000, (err) => log.warn({ err }, 'progress update failed'));
  let report: FleetReport;
  try {
    report = await runSweep(reader, { ...opts.sweep, collect: opts.collect, onProgress: (p) => progress.push(p) });
  } finally {
    await progress.flush();
  }
  await opts.sink.report(target, report);
  log.info({ groups: report.groups.map((g) => g.sentence), apiCalls: report.apiCalls, ms: report.durationMs }, 'fleet sweep posted');
  return { totals: report.totals, apiCalls: report.apiCalls, durationMs: report.durationMs, groups: report.groups.map((g) => g.sentence) };
}

export function startSweepWorker(options: SweepWorkerOptions): Worker<unknown, SweepResult> {
  // The deep collections' runbooks run in a worker thread with a time budget, as a diagnosis's do: a node with crafted
  // logs costs that node ("evidence too large"), never the acks of the process.
  const thread = options.sweep?.analyze === undefined ? new AnalysisThread() : null;
  const opts: SweepWorkerOptions = thread === null ? options : { ...options, sweep: { ...options.sweep, analyze: (e) => thread.analyze(e) } };
  const worker = startJobWorker({
    queue: SWEEP_QUEUE, what: 'fleet sweep', connection: opts.connection, prefix: opts.prefix, logger: opts.logger,
    // One sweep at a time per process: each already runs its own bounded concurrency.
    concurrency: 1, maxStalledCount: 5, checkStalledEveryLock: true, ...(opts.lockMs !== undefined && { lockMs: opts.lockMs }),
    run: (job) => processSweepJob(job, opts),
    parse: (data) => SweepJobSchema.safeParse(data).data,
    failed: (target, message, job) => opts.sink.failed({ ...target, ...(job.id !== undefined && { jobId: job.id }) }, message),
  });
  worker.on('closed', () => void thread?.close());
  return worker;
}
