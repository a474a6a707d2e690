// The `remediate` worker: re-check the precondition against the live cluster, run the change server-side with
// dryRun=All and post what it would change, apply it, then re-diagnose the node and say whether the finding is
// gone. Every step is a timeline entry in the incident's thread. The job is only a proposal id: before any write
// the worker authorises the stored proposal itself (execution-check.ts), never trusting the job.
import { UnrecoverableError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { analyze } from '../../runbooks/engine/analyze.ts';
import { collectEvidence, type CollectOptions } from '../collect/collect-evidence.ts';
import { describePermission } from '../collect/fact-outcome.ts';
import type { IncidentSink } from '../incident-sink.ts';
import type { IncidentStore } from '../incidents/incident-store.ts';
import { summarizeRun } from '../incidents/run-diff.ts';
import type { ClusterReader } from '../kube/cluster-reader.ts';
import type { ClusterWriter } from '../kube/cluster-writer.ts';
import { DeadlineExceededError, KubeApiError, toKubeApiError } from '../kube/kube-api-error.ts';
import { remediationActions, type Precondition } from './actions.ts';
import { authoriseExecution, type ApproverDirectory } from './execution-check.ts';
import type { Proposal } from './proposal.ts';
import type { ProposalStore } from './proposal-store.ts';
import { REMEDIATE_QUEUE, RemediateJobSchema, type RemediateJob } from './remediate-job.ts';
import { jobWorkerOptions } from '../worker-shell.ts';

export interface RemediateWorkerOptions {
  connection: ConnectionOptions;
  prefix: string;
  clusters: (name: string) => (ClusterReader & ClusterWriter) | undefined;
  proposals: ProposalStore;
  incidents: IncidentStore;
  sink: IncidentSink;
  collect: CollectOptions;
  logger: Logger;
  lockMs?: number;
  /** The approver configuration the worker runs with, and group membership read now: checked before any write. */
  approvers: ApproverDirectory;
  now?: () => Date;
}

/** Conflicts (409) tolerated while applying before giving up: each means the object changed under us. */
const MAX_CONFLICTS = 3;

export type RemediationOutcome = 'applied' | 'precondition-gone' | 'dry-run-failed' | 'apply-failed' | 'refused';

/** The permission a refused write needs, read from the Forbidden message (`cannot patch resource "nodes"`). */
function missingPermission(e: KubeApiError): string | null {
  const m = /cannot (\w+) resource "([^"]+)"(?: in API group "([^"]*)")?(?: in the namespace "([^"]+)")?/.exec(e.message);
  if (m === null) return null;
  return describePermission({ verb: m[1] ?? '', resource: m[2] ?? '', ...(m[3] ? { group: m[3] } : {}), ...(m[4] ? { namespace: m[4] } : {}) });
}

function failureText(e: unknown, what: string): string {
  const err = e instanceof KubeApiError || e instanceof DeadlineExceededError ? e : toKubeApiError(e, what);
  if (err instanceof KubeApiError && (err.status === 403 || err.status === 401)) {
    const perm = missingPermission(err);
    return `${err.message}${perm === null ? '' : `. Grant the bot ${perm} (the remediation overlay in deploy/ has it)`}`;
  }
  return err.message;
}

export async function processRemediation(job: Job, opts: RemediateWorkerOptions): Promise<RemediationOutcome> {
  const parsed = RemediateJobSchema.safeParse(job.data);
  if (!parsed.success) throw new UnrecoverableError(`invalid remediate job: ${parsed.error.message}`);
  // Longer than an attempt's precondition, dry run and write; short enough that a dead attempt's lock does not hold
  // its retry for long (BullMQ re-delivers the job after JOB_LOCK_MS anyway). The lock is defence in depth: the
  // write itself is guarded by the resourceVersion or uid its precondition saw.
  const lockTtlMs = Math.max(2_000, (opts.lockMs ?? 30_000) * 2);
  return opts.proposals.withApplyLock(parsed.data.proposalId, lockTtlMs, () => remediateOnce(parsed.data, opts, job.id));
}

async function remediateOnce(data: RemediateJob, opts: RemediateWorkerOptions, jobId: string | undefined): Promise<RemediationOutcome> {
  const proposal = await opts.proposals.find(data.proposalId);
  if (proposal === null) throw new UnrecoverableError(`proposal ${data.proposalId} no longer exists`);
  const cluster = opts.clusters(proposal.cluster);
  if (cluster === undefined) throw new UnrecoverableError(`unknown cluster ${proposal.cluster}`);
  // Cilium is looked for where the diagnosis looks (CILIUM_NAMESPACE), so a bot with namespaced reads can act.
  const action = remediationActions({ ciliumNamespace: opts.collect.ciliumNamespace })[proposal.action];
  const log = opts.logger.child({ jobId, incidentId: proposal.incidentId, proposalId: proposal.id, action: proposal.action, node: proposal.node });
  // Every step's entry has a key: a worker killed and restarted re-runs the job, finds the entries it already
  // made (and the ledger the messages it already posted), and never applies a change twice.
  const say = async (step: string, text: string): Promise<void> => {
    log.info({ step }, 'remediation step');
    const entry = await opts.incidents.append(proposal.incidentId, { actor: 'bot', kind: 'remediation', text }, `remediate:${proposal.id}:${step}`);
    await opts.sink.postEntry(await opts.incidents.get(proposal.incidentId), entry);
  };
  const name = `\`${proposal.action}\` (${action.label(proposal)})`;
  const approvedBy = proposal.approvals.map((a) => `<@${a.userId}>`).join(' and ');

  if (proposal.state === 'failed') return 'apply-failed';
  if (proposal.state === 'done') {
    // Died after the change and before (or while) saying so: say it now (a keyed entry is never said twice).
    await say('applied', `${name}: applied, approved by ${approvedBy}.`);
    await verify(proposal, cluster, opts, say);
    return 'applied';
  }
  const check = (): Promise<Precondition> =>
    action.precondition(cluster, cluster, proposal).catch((e: unknown) => ({ ok: false as const, reason: `could not check: ${failureText(e, 'precondition')}` }));
  // An earlier attempt died while writing: if the precondition no longer holds, its write happened.
  const interrupted = proposal.state === 'applying';
  const alreadyApplied = async (reason: string): Promise<RemediationOutcome> => {
    await opts.proposals.setState(proposal.id, 'done');
    await say('applied', `${name}: applied (the attempt that made the change was interrupted; ${reason}), approved by ${approvedBy}.`);
    await verify(proposal, cluster, opts, say);
    return 'applied';
  };
  /** Refused at execution: said in the thread; an approved proposal is closed for good, a pending one left as it is. */
  const refuse = async (reason: string): Promise<RemediationOutcome> => {
    log.warn({ reason, state: proposal.state }, 'remediation refused at execution');
    if (proposal.state !== 'proposed') await opts.proposals.setState(proposal.id, 'failed');
    await say('refused', `${name}: not applied — refused when it was about to run: ${reason}.`);
    return 'refused';
  };
  const authorised = () => authoriseExecution(proposal, (opts.now ?? (() => new Date()))(), opts.approvers);
  // An interrupted write is resolved first: if it happened, saying so writes nothing; only writing again needs authority.
  let pre: Precondition;
  if (interrupted) {
    pre = await check();
    if (!pre.ok) return alreadyApplied(pre.reason);
    const decision = await authorised();
    if (!decision.allowed) return refuse(decision.reason);
  } else {
    const decision = await authorised();
    if (!decision.allowed) return refuse(decision.reason);
    pre = await check();
    await opts.proposals.setState(proposal.id, 'running');
    await opts.incidents.setStatus(proposal.incidentId, 'mitigating');
    if (!pre.ok) {
      await opts.proposals.setState(proposal.id, 'failed');
      await say('precondition', `${name}: not applied — ${pre.reason}.`);
      return 'precondition-gone';
    }
  }
  let planned: string[];
  try {
    planned = await action.run(cluster, cluster, proposal, true);
  } catch (e) {
    await opts.proposals.setState(proposal.id, 'failed');
    await say('dry-run-failed', `${name}: the server-side dry run failed, nothing was applied — ${failureText(e, 'dry run')}`);
    return 'dry-run-failed';
  }
  await say('dry-run', `${name}: dry run (dryRun=All) accepted; it will change:\n${planned.map((l) => `• ${l}`).join('\n')}`);
  await opts.proposals.setState(proposal.id, 'applying');
  let applied: string[] | undefined;
  // The write insists on what the precondition saw; a 409 means the object changed since (a late write of an
  // interrupted attempt, a person, a controller, a kubelet status update): check again, then write again.
  for (let conflicts = 0; applied === undefined; conflicts++) {
    try {
      applied = await action.run(cluster, cluster, proposal, false, pre.ok ? pre.guard : undefined);
    } catch (e) {
      const conflict = e instanceof KubeApiError && e.status === 409;
      if (conflict && conflicts < MAX_CONFLICTS) {
        log.info({ conflicts }, 'the object changed since the precondition was checked; checking again');
        pre = await check();
        if (pre.ok) continue;
        if (interrupted) return alreadyApplied(pre.reason);
        await opts.proposals.setState(proposal.id, 'failed');
        await say('precondition', `${name}: not applied — it changed while being applied and ${pre.reason}.`);
        return 'precondition-gone';
      }
      await opts.proposals.setState(proposal.id, 'failed');
      const text = conflict ? `the object kept changing (${MAX_CONFLICTS + 1} conflicts); nothing was written. Diagnose again and approve a new proposal` : failureText(e, 'apply');
      await say('apply-failed', `${name}: applying failed — ${text}`);
      return 'apply-failed';
    }
  }
  await opts.proposals.setState(proposal.id, 'done');
  await say('applied', `${name}: applied, approved by ${approvedBy}:\n${applied.map((l) => `• ${l}`).join('\n')}`);
  await verify(proposal, cluster, opts, say);
  return 'applied';
}

/** Re-diagnoses the node and says whether the finding that proposed the action is gone, still there or changed. */
async function verify(proposal: Proposal, cluster: ClusterReader, opts: RemediateWorkerOptions, say: (step: string, t: string) => Promise<void>): Promise<void> {
  try {
    const evidence = await collectEvidence(cluster, proposal.node, opts.collect);
    const report = analyze(evidence);
    const { run } = await opts.incidents.recordRun(proposal.incidentId, summarizeRun(report, evidence, new Date().toISOString()), `remediate:${proposal.id}:verify-run`);
    const same = report.findings.find((f) => f.runbookId === proposal.runbookId);
    const verdict =
      same === undefined
        ? `the \`${proposal.runbookId}\` finding is gone`
        : `the \`${proposal.runbookId}\` finding is still there (${same.severity}): ${same.summary}`;
    const others = report.findings.filter((f) => f.runbookId !== proposal.runbookId).map((f) => `\`${f.runbookId}\``);
    await say('verify', `Verification (run ${run.run}): ${verdict}.${others.length > 0 ? ` Other findings now: ${others.join(', ')}.` : ''}`);
    const incident = await opts.incidents.get(proposal.incidentId);
    await opts.sink.refreshSummary(incident);
  } catch (e) {
    await say('verify', `Verification failed: ${e instanceof Error ? e.message : String(e)}. Run \`/cilium diagnose ${proposal.node}\` to check.`);
  }
}

export function startRemediateWorker(opts: RemediateWorkerOptions): Worker<unknown, RemediationOutcome> {
  const worker = new Worker<unknown, RemediationOutcome>(
    REMEDIATE_QUEUE,
    (job) => processRemediation(job, opts),
    // A killed worker's job comes back after its lock lapses; each step is idempotent, so it may come back often.
    jobWorkerOptions({ connection: opts.connection, prefix: opts.prefix, concurrency: 1, maxStalledCount: 50, checkStalledEveryLock: true, ...(opts.lockMs !== undefined && { lockMs: opts.lockMs }) }),
  );
  worker.on('error', (err) => opts.logger.error({ err }, 'remediate worker error'));
  // The job id is the proposal id.
  worker.on('failed', (job, err) => opts.logger.error({ jobId: job?.id, proposalId: job?.id, err: err.message }, 'remediation job failed'));
  return worker;
}
