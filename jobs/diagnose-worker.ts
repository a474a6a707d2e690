// Consumer side of the `diagnose` queue: validate the payload, collect evidence, run the runbooks, post the report.
// Bad input fails at once (UnrecoverableError); an unreachable API is retried with backoff; the last failure is
// still reported in the thread, so nobody waits on silence.
import { UnrecoverableError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { analyze } from '../runbooks/engine/analyze.ts';
import type { Evidence } from '../runbooks/engine/evidence.ts';
import { collectEvidence, type CollectOptions } from './collect/collect-evidence.ts';
import type { NodeProbe } from './collect/node-probe/probe-evidence.ts';
import { DIAGNOSE_QUEUE, DiagnoseJobSchema } from './diagnose-job.ts';
import type { IncidentSink } from './incident-sink.ts';
import type { ClusterReader } from './kube/cluster-reader.ts';
import type { IncidentStore } from './incidents/incident-store.ts';
import { diffRuns, summarizeRun } from './incidents/run-diff.ts';
import type { ProposalStore } from './remediation/proposal-store.ts';
import { ACTIONS, effectiveRisk } from './remediation/actions.ts';
import type { RemediationButton } from './incident-sink.ts';
import type { Report } from '../runbooks/engine/contract.ts';
import type { IncidentTarget } from './incident-sink.ts';
import { incidentForFindings } from './incidents/open-on-finding.ts';
import { AnalysisThread, EvidenceTooLargeError } from './analysis-thread.ts';
import { isFinalAttempt, jobWorkerOptions } from './worker-shell.ts';

export interface DiagnoseWorkerOptions {
  connection: ConnectionOptions;
  prefix: string;
  clusters: (name: string) => ClusterReader | undefined;
  sink: IncidentSink;
  incidents: IncidentStore;
  /** Set when remediation is enabled: proposals become buttons. */
  proposals?: ProposalStore;
  collect: CollectOptions;
  /** The node probe of a cluster, when NODE_PROBE_ENABLED (jobs/collect/node-probe). */
  nodeProbes?: (cluster: string) => NodeProbe | undefined;
  logger: Logger;
  concurrency?: number;
  /** Job lock; a crashed worker's job is retried after about this long (default 30 s). */
  lockMs?: number;
  /**
   * Awaited before each step of a job (collect, analyze, post): where the worker shares its process with the HTTP
   * receiver, it waits there while slash commands wait for their ack (bot/ack-first.ts).
   */
  beforeStep?: () => Promise<void>;
  /**
   * Runs the runbooks; by default in a worker thread with a time budget (jobs/analysis-thread.ts), so that large or
   * crafted evidence neither blocks the process nor runs on for minutes.
   */
  analyze?: (e: Evidence) => Promise<Report>;
  /** Budget of one analysis in the default thread (default ANALYSIS_BUDGET_MS, 20 s). */
  analysisBudgetMs?: number;
}

/**
 * Times a job may stall (its worker stopped renewing the lock: killed, or its event loop blocked past JOB_LOCK_MS)
 * and still be run again. A worker killed mid-job stalls it once; a job that stalls again and again is the cause.
 */
export const MAX_STALLS = 3;

function stalledTooOften(stalls: number): string {
  return `this diagnosis was given up after its worker stopped ${stalls} times while running it (each time it was picked ` +
    'up again after JOB_LOCK_MS). Something in this node\'s evidence makes the worker crash or hang: run ' +
    '`cilium-runbook collect <node>` to look at it, and see the worker\'s log for this job id.';
}

export interface DiagnoseResult {
  findings: string[];
  unavailable: string[];
}

/** The API answered nothing at all (not even the node): worth a retry rather than an empty report. */
function apiUnreachable(e: Evidence): string | null {
  const probes = [e.node, e.peers, e.agentPod];
  if (probes.every((f) => !f.ok && (f.reason === 'unavailable' || f.reason === 'timeout'))) {
    return e.node.ok ? null : e.node.detail;
  }
  return null;
}

export async function processDiagnoseJob(job: Job, opts: DiagnoseWorkerOptions): Promise<DiagnoseResult> {
  const parsed = DiagnoseJobSchema.safeParse(job.data);
  if (!parsed.success) throw new UnrecoverableError(`invalid diagnose job payload: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const data = parsed.data;
  if (job.stalledCounter > MAX_STALLS) throw new UnrecoverableError(stalledTooOften(job.stalledCounter));
  const reader = opts.clusters(data.cluster);
  if (reader === undefined) throw new UnrecoverableError(`unknown cluster "${data.cluster}"`);
  const log = opts.logger.child({ jobId: job.id, incidentId: data.incidentId, cluster: data.cluster, node: data.node, attempt: job.attemptsMade + 1 });
  log.info('diagnosis started');

  const beforeStep = opts.beforeStep ?? (() => Promise.resolve());
  await beforeStep();
  // The progress edit runs beside the collection: the person waits for the report, not for the edit.
  const collecting = opts.sink.collecting({ ...data, ...(job.id !== undefined && { jobId: job.id }) });
  void collecting.catch(() => undefined); // awaited after the collection; handled now so it is never 'unhandled'
  const nodeProbe = opts.nodeProbes?.(data.cluster);
  const evidence = await collectEvidence(reader, data.node, { ...opts.collect, ...(nodeProbe !== undefined && { nodeProbe }), ...(job.id !== undefined && { jobId: job.id }) });
  await collecting;
  const unreachable = apiUnreachable(evidence);
  if (unreachable !== null) throw new Error(`the Kubernetes API of cluster "${data.cluster}" is unreachable: ${unreachable}`);
  await beforeStep();
  const report = await analyzeOnce(opts, evidence);
  // Idempotent per job: a worker killed after this step and retried finds the same run, not a new one.
  const step = (name: string) => `job:${job.id ?? ''}:${name}`;
  const jobTarget = { ...data, ...(job.id !== undefined && { jobId: job.id }) };
  if (data.incidentId === undefined && report.findings.length === 0) {
    // Nothing found and no incident open for the node: answer, open nothing.
    await beforeStep();
    await opts.sink.healthy(jobTarget, report);
    log.info({ unavailable: report.unavailable.map((u) => u.fact) }, 'diagnosis answered without an incident: no finding');
    return { findings: [], unavailable: report.unavailable.map((u) => u.fact) };
  }
  const target = await incidentForFindings(opts.incidents, opts.sink, jobTarget, step);
  const incidentId = target.incidentId;
  const { run, previous } = await opts.incidents.recordRun(incidentId, summarizeRun(report, evidence, new Date().toISOString()), step('run'));
  const top = report.findings[0];
  await opts.incidents.update(incidentId, {
    topFinding: top === undefined ? 'no runbook matched' : `${top.runbookId}: ${top.title}`,
    severity: top?.severity ?? (report.inconclusive.length > 0 ? 'unknown' : 'healthy'),
  });
  await opts.incidents.append(incidentId, {
    actor: 'bot',
    kind: 'diagnosis-posted',
    text: `Run ${run.run}: ${report.findings.length === 0 ? 'no finding' : report.findings.map((f) => `${f.runbookId} (${f.severity})`).join(', ')}`,
  }, step('posted'));
  await beforeStep();
  const buttons = opts.proposals === undefined ? undefined : await createButtons(opts.proposals, target, report, step('proposals'));
  await opts.sink.report(target, report, { run: run.run, diff: previous === null ? null : diffRuns(previous, run), ...(buttons !== undefined && { buttons }) });
  // The incident may have been opened by this job: its id goes on the line that says the report is posted.
  log.info({ incidentId, findings: report.findings.map((f) => f.runbookId), unavailable: report.unavailable.map((u) => u.fact) }, 'diagnosis posted');
  return { findings: report.findings.map((f) => f.runbookId), unavailable: report.unavailable.map((u) => u.fact) };
}

/** Evidence too large to analyse in the budget would be as large on a retry: that failure is final. */
async function analyzeOnce(opts: DiagnoseWorkerOptions, evidence: Evidence): Promise<Report> {
  try {
    return await (opts.analyze ?? ((e: Evidence) => Promise.resolve(analyze(e))))(evidence);
  } catch (e) {
    if (e instanceof EvidenceTooLargeError) throw new UnrecoverableError(e.message);
    throw e;
  }
}

/** Stores each proposed action under an opaque id; the buttons carry only that id. */
async function createButtons(store: ProposalStore, job: IncidentTarget, report: Report, idempotencyKey: string): Promise<RemediationButton[]> {
  // A retried job reuses the proposals it already created, so the buttons it posts are the same ones.
  const existing = await store.findByKey<RemediationButton[]>(idempotencyKey);
  if (existing !== null) return existing;
  const buttons: RemediationButton[] = [];
  for (const [index, finding] of report.findings.entries()) {
    for (const p of finding.proposals) {
      const proposal = await store.create({
        incidentId: job.incidentId,
        cluster: job.cluster,
        node: job.node,
        action: p.action,
        params: { node: job.node, ...p.params },
        risk: effectiveRisk(p.action, p.risk),
        reason: p.reason,
        runbookId: finding.runbookId,
        requestedBy: job.requestedBy,
      });
      const action = ACTIONS[p.action];
      buttons.push({ proposalId: proposal.id, finding: index, label: action.label(proposal), change: action.change(proposal), risk: proposal.risk });
    }
  }
  await store.rememberByKey(idempotencyKey, buttons);
  return buttons;
}

export function startDiagnoseWorker(options: DiagnoseWorkerOptions): Worker<unknown, DiagnoseResult> {
  const thread = options.analyze === undefined ? new AnalysisThread(options.analysisBudgetMs) : null;
  thread?.warm();
  const opts: DiagnoseWorkerOptions = thread === null ? options : { ...options, analyze: (e) => thread.analyze(e) };
  const worker = new Worker<unknown, DiagnoseResult>(
    DIAGNOSE_QUEUE,
    async (job) => {
      try {
        return await processDiagnoseJob(job, opts);
      } catch (e) {
        const final = isFinalAttempt(job, e);
        const message = e instanceof Error ? e.message : String(e);
        const target = DiagnoseJobSchema.safeParse(job.data);
        // Every line of a job carries its ids, so one grep follows an incident through the log.
        const log = opts.logger.child({ jobId: job.id, ...(target.success && { incidentId: target.data.incidentId }) });
        log.warn({ err: message, final }, 'diagnosis attempt failed');
        if (final && target.success) {
          const incidentId = target.data.incidentId;
          await (incidentId === undefined ? Promise.resolve() : opts.incidents.append(incidentId, { actor: 'bot', kind: 'diagnosis-failed', text: message }, `job:${job.id ?? ''}:failed`).then(() => undefined))
            .then(() => opts.sink.failed({ ...target.data, ...(job.id !== undefined && { jobId: job.id }) }, message)).catch((postErr: unknown) => {
            log.error({ err: postErr }, 'could not post the failure to Slack');
          });
        }
        throw e;
      }
    },
    // A killed worker's job goes back to the queue once its lock lapses (each retry is idempotent). The job itself
    // gives up past MAX_STALLS and says so in the thread; BullMQ's own limit, one further, is a backstop only.
    jobWorkerOptions({ connection: opts.connection, prefix: opts.prefix, concurrency: opts.concurrency ?? 4, maxStalledCount: MAX_STALLS + 1, checkStalledEveryLock: true, ...(opts.lockMs !== undefined && { lockMs: opts.lockMs }) }),
  );
  worker.on('error', (err) => opts.logger.error({ err }, 'diagnose worker error'));
  worker.on('closed', () => void thread?.close());
  return worker;
}
