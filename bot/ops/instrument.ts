// Where the metrics are recorded without jobs/ knowing about them: BullMQ worker events, a counting IncidentSink,
// a counting ClusterReader proxy and a counting fetch under every Slack WebClient.
import type { Job, Worker } from 'bullmq';
import type { Logger } from 'pino';
import type { DiagnosisTarget, IncidentSink, IncidentTarget, ReportContext } from '../../jobs/incident-sink.ts';
import type { Incident, TimelineEntry } from '../../jobs/incidents/incident.ts';
import { toKubeApiError, KubeApiError } from '../../jobs/kube/kube-api-error.ts';
import type { ProposalStore } from '../../jobs/remediation/proposal-store.ts';
import { RemediateJobSchema } from '../../jobs/remediation/remediate-job.ts';
import type { RemediationOutcome as WorkerOutcome } from '../../jobs/remediation/remediate-worker.ts';
import type { Report } from '../../runbooks/engine/contract.ts';
import type { Metrics, QueueName } from './metrics.ts';

/** Seconds the attempt ran: BullMQ stamps processedOn when it starts and finishedOn when it ends for good. */
function attemptSeconds(job: Job): number {
  const start = job.processedOn ?? Date.now();
  return ((job.finishedOn ?? Date.now()) - start) / 1000;
}

/** jobs_total and job_duration_seconds from the worker's events; `failed` only when BullMQ will not retry. */
export function observeJobs(worker: Worker, queue: QueueName, metrics: Metrics): void {
  worker.on('completed', (job) => metrics.jobFinished(queue, 'completed', attemptSeconds(job)));
  worker.on('failed', (job) => {
    if (job === undefined) return;
    // moveToFailed sets finishedOn only when the job goes to the failed set; a retried attempt keeps none.
    metrics.jobFinished(queue, typeof job.finishedOn === 'number' ? 'failed' : 'retried', attemptSeconds(job));
  });
}

/** remediations_total for what the remediate worker did, labelled with the proposal's action. */
export function observeRemediations(worker: Worker<unknown, WorkerOutcome>, proposals: ProposalStore, metrics: Metrics, logger: Logger): void {
  const record = async (job: Job, outcome: WorkerOutcome | 'error'): Promise<void> => {
    const data = RemediateJobSchema.safeParse(job.data);
    const proposal = data.success ? await proposals.find(data.data.proposalId) : null;
    metrics.remediation(proposal?.action ?? 'unknown', outcome);
  };
  const recorded = (p: Promise<void>): void => void p.catch((err: unknown) => logger.warn({ err }, 'could not record a remediation metric'));
  worker.on('completed', (job, outcome) => recorded(record(job, outcome)));
  worker.on('failed', (job) => {
    if (job !== undefined) recorded(record(job, 'error'));
  });
}

/** Counts each finding of each report posted (findings_total), then hands everything to the real sink. */
export class CountingSink implements IncidentSink {
  constructor(
    private readonly inner: IncidentSink,
    private readonly metrics: Metrics,
  ) {}

  collecting(t: DiagnosisTarget): Promise<void> {
    return this.inner.collecting(t);
  }

  healthy(t: DiagnosisTarget, report: Report): Promise<void> {
    return this.inner.healthy(t, report);
  }

  async report(t: IncidentTarget, report: Report, context: ReportContext): Promise<void> {
    await this.inner.report(t, report, context);
    for (const f of report.findings) this.metrics.finding(f.runbookId, f.severity);
  }

  failed(t: DiagnosisTarget, message: string): Promise<void> {
    return this.inner.failed(t, message);
  }

  postEntry(incident: Incident, entry: TimelineEntry): Promise<void> {
    return this.inner.postEntry(incident, entry);
  }

  refreshSummary(incident: Incident): Promise<void> {
    return this.inner.refreshSummary(incident);
  }
}

/**
 * The same cluster object, with every rejected call counted by KubeApiError reason (deadline = a call the
 * reader itself gave up on). A Proxy keeps the full ClusterReader & ClusterWriter surface without restating it.
 */
export function countKubeErrors<T extends object>(cluster: T, metrics: Metrics): T {
  return new Proxy(cluster, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      const fn = value as (...args: unknown[]) => unknown;
      return (...args: unknown[]): unknown => {
        const out = fn.apply(target, args);
        if (!(out instanceof Promise)) return out;
        return out.catch((e: unknown) => {
          const err = toKubeApiError(e, String(prop));
          metrics.kubernetesApiError(err instanceof KubeApiError ? err.reason : 'deadline');
          throw e;
        });
      };
    },
  });
}

/** `chat.postMessage` from `…/api/chat.postMessage`; response_url posts and file uploads are `other`. */
function slackMethod(url: string | URL | Request): string {
  const href = typeof url === 'string' ? url : url instanceof URL ? url.href : url.url;
  return /\/api\/([A-Za-z0-9_.]+)(?:\?|$)/.exec(href)?.[1] ?? 'other';
}

/**
 * A fetch for Bolt's and the WebClients' clientOptions: every Slack request of the process goes through it
 * (Bolt hands listeners pooled WebClients that share these options), so errors are counted in one place —
 * HTTP errors (each 429 attempt too), `ok: false` answers and network failures.
 */
export function countingSlackFetch(metrics: Metrics, base: typeof fetch = globalThis.fetch): (url: string | URL, init?: RequestInit) => Promise<Response> {
  return async (url, init) => {
    const method = slackMethod(url);
    let res: Response;
    try {
      res = await base(url, init);
    } catch (e) {
      metrics.slackApiError(method);
      throw e;
    }
    if (res.status >= 400) metrics.slackApiError(method);
    else if (method !== 'other' && (res.headers.get('content-type') ?? '').includes('json')) {
      const body: unknown = await res
        .clone()
        .json()
        .catch(() => null);
      if (typeof body === 'object' && body !== null && (body as { ok?: unknown }).ok === false) metrics.slackApiError(method);
    }
    return res;
  };
}
