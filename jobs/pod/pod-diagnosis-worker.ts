// Consumer side of the `diagnose-pod` queue: validate, find the pod again (it may have moved or gone since the
// command), diagnose it, post the report into the request's thread through the sink bot/ implements. A pod that is
// gone is said at once (no retry); an unreachable API is retried; the last failure is posted too.
import { UnrecoverableError, type ConnectionOptions, type Job, type Worker } from 'bullmq';
import type { Logger } from 'pino';
import type { ClusterReader } from '../kube/cluster-reader.ts';
import type { CollectOptions } from '../collect/collect-evidence.ts';
import type { PodDiagnosis } from '../../runbooks/engine/pod-diagnosis.ts';
import { POD_DIAGNOSIS_QUEUE, PodDiagnosisJobSchema, type PodDiagnosisJob } from './pod-diagnosis-job.ts';
import { findPod } from './find-pod.ts';
import { runPodDiagnosis } from './run-pod-diagnosis.ts';
import { startJobWorker } from '../worker-shell.ts';

export interface PodDiagnosisSink {
  report(job: PodDiagnosisJob, diagnosis: PodDiagnosis): Promise<void>;
  failed(job: PodDiagnosisJob, message: string): Promise<void>;
}

export interface PodDiagnosisWorkerOptions {
  connection: ConnectionOptions;
  prefix: string;
  clusters: (name: string) => ClusterReader | undefined;
  sink: PodDiagnosisSink;
  collect: CollectOptions;
  logger: Logger;
  lockMs?: number;
  concurrency?: number;
  /** Awaited before collecting and before posting: in HTTP mode, slash commands waiting for their ack go first
   * (bot/ack-first.ts), as for node diagnoses. */
  beforeStep?: () => Promise<void>;
}

export interface PodDiagnosisResult { findings: string[]; drops: number }

export async function processPodDiagnosisJob(job: Pick<Job, 'data' | 'id'>, opts: Pick<PodDiagnosisWorkerOptions, 'clusters' | 'sink' | 'collect' | 'beforeStep'>): Promise<PodDiagnosis> {
  const beforeStep = opts.beforeStep ?? (() => Promise.resolve());
  const parsed = PodDiagnosisJobSchema.safeParse(job.data);
  if (!parsed.success) throw new UnrecoverableError(`invalid diagnose-pod job payload: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const data = parsed.data;
  const reader = opts.clusters(data.cluster);
  if (reader === undefined) throw new UnrecoverableError(`unknown cluster "${data.cluster}"`);
  await beforeStep();
  const found = await findPod(reader, data.namespace, data.pod);
  if (found.kind !== 'found') {
    const why = found.kind === 'unscheduled' ? 'is not scheduled on a node yet' : 'no longer exists';
    throw new UnrecoverableError(`pod ${data.namespace}/${data.pod} ${why}; \`kubectl -n ${data.namespace} get pods\` lists the current ones`);
  }
  const diagnosis = await runPodDiagnosis(reader, found.pod, { collect: opts.collect });
  await beforeStep();
  await opts.sink.report(data, diagnosis);
  return diagnosis;
}

export function startPodDiagnosisWorker(opts: PodDiagnosisWorkerOptions): Worker<unknown, PodDiagnosisResult> {
  return startJobWorker({
    queue: POD_DIAGNOSIS_QUEUE, what: 'pod diagnosis', connection: opts.connection, prefix: opts.prefix, logger: opts.logger,
    concurrency: opts.concurrency ?? 2, ...(opts.lockMs !== undefined && { lockMs: opts.lockMs }),
    run: async (job) => {
      const d = await processPodDiagnosisJob(job, opts);
      const drops = d.flows.status === 'read' ? d.flows.summary.groups.reduce((n, g) => n + g.count, 0) : 0;
      opts.logger.info({ jobId: job.id, pod: `${d.pod.namespace}/${d.pod.name}`, node: d.pod.node, findings: d.report.findings.map((f) => f.runbookId), drops }, 'pod diagnosis posted');
      return { findings: d.report.findings.map((f) => f.runbookId), drops };
    },
    parse: (data) => PodDiagnosisJobSchema.safeParse(data).data,
    failed: (target, message) => opts.sink.failed(target, message),
  });
}
