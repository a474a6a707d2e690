// Consumer side of the `preflight` queue: validate, run the preflight against the job's cluster, post the grouped
// report into the thread (through the sink bot/ implements over Slack). The last failed attempt is posted too.
import { UnrecoverableError, type ConnectionOptions, type Job, type Worker } from 'bullmq';
import type { Logger } from 'pino';
import type { ClusterReader } from '../kube/cluster-reader.ts';
import type { PreflightReport } from '../../runbooks/engine/preflight/index.ts';
import { PREFLIGHT_QUEUE, PreflightJobSchema, type PreflightJob } from './preflight-job.ts';
import { runPreflight } from './run-preflight.ts';
import { startJobWorker } from '../worker-shell.ts';

export interface PreflightSink {
  report(job: PreflightJob, report: PreflightReport): Promise<void>;
  failed(job: PreflightJob, message: string): Promise<void>;
}

export interface PreflightWorkerOptions {
  connection: ConnectionOptions;
  prefix: string;
  clusters: (name: string) => ClusterReader | undefined;
  sink: PreflightSink;
  logger: Logger;
  ciliumNamespace?: string;
  lockMs?: number;
}

export async function processPreflightJob(job: Pick<Job, 'data' | 'id'>, opts: Pick<PreflightWorkerOptions, 'clusters' | 'sink' | 'ciliumNamespace'>): Promise<PreflightReport> {
  const parsed = PreflightJobSchema.safeParse(job.data);
  if (!parsed.success) throw new UnrecoverableError(`invalid preflight job payload: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const reader = opts.clusters(parsed.data.cluster);
  if (reader === undefined) throw new UnrecoverableError(`unknown cluster "${parsed.data.cluster}"`);
  const report = await runPreflight(reader, {
    target: parsed.data.target,
    ...(parsed.data.values !== undefined && { values: parsed.data.values }),
    ...(opts.ciliumNamespace !== undefined && { ciliumNamespace: opts.ciliumNamespace }),
  });
  await opts.sink.report(parsed.data, report);
  return report;
}

export function startPreflightWorker(opts: PreflightWorkerOptions): Worker<unknown, { verdict: string; groups: number }> {
  return startJobWorker<PreflightJob, { verdict: string; groups: number }>({
    queue: PREFLIGHT_QUEUE, what: 'preflight', connection: opts.connection, prefix: opts.prefix, logger: opts.logger,
    concurrency: 1, ...(opts.lockMs !== undefined && { lockMs: opts.lockMs }),
    run: async (job) => {
      const report = await processPreflightJob(job, opts);
      opts.logger.info({ jobId: job.id, verdict: report.verdict, groups: report.groups.length }, 'preflight posted');
      return { verdict: report.verdict, groups: report.groups.length };
    },
    parse: (data) => PreflightJobSchema.safeParse(data).data,
    failed: (target, message) => opts.sink.failed(target, message),
  });
}
