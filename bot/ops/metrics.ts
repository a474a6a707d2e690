// Prometheus metrics of one bot process. Each Metrics owns its Registry (not prom-client's global one), so tests
// can start several bots in one process; callers use the typed methods and never spell a label.
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export type QueueName = 'diagnose' | 'remediate';
/** `retried`: an attempt failed and BullMQ will try again; `failed`: the job failed for good. */
export type JobState = 'completed' | 'failed' | 'retried';
export type CommandOutcome = 'ok' | 'invalid' | 'not-allowed' | 'not-found' | 'queue-unavailable' | 'error';
/** Click outcomes (remediation-handler) and job outcomes (remediate worker) of a proposed action. */
export type RemediationOutcome =
  | 'tampered'
  | 'unknown-proposal'
  | 'wrong-thread'
  | 'disabled'
  | 'refused'
  | 'expired'
  | 'duplicate'
  | 'closed'
  | 'approved'
  | 'queued'
  | 'applied'
  | 'precondition-gone'
  | 'dry-run-failed'
  | 'apply-failed'
  | 'error';

export const METRIC_NAMES = {
  commands: 'cilium_runbook_commands_total',
  jobs: 'cilium_runbook_jobs_total',
  jobDuration: 'cilium_runbook_job_duration_seconds',
  findings: 'cilium_runbook_findings_total',
  remediations: 'cilium_runbook_remediations_total',
  kubeErrors: 'cilium_runbook_kubernetes_api_errors_total',
  slackErrors: 'cilium_runbook_slack_api_errors_total',
} as const;

export class Metrics {
  readonly registry = new Registry();
  private readonly commands: Counter<'command' | 'outcome'>;
  private readonly jobs: Counter<'queue' | 'state'>;
  private readonly jobDuration: Histogram<'queue'>;
  private readonly findings: Counter<'runbook' | 'severity'>;
  private readonly remediations: Counter<'action' | 'outcome'>;
  private readonly kubeErrors: Counter<'reason'>;
  private readonly slackErrors: Counter<'method'>;

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.commands = new Counter({ name: METRIC_NAMES.commands, help: '/cilium commands handled, by subcommand and outcome', labelNames: ['command', 'outcome'], registers });
    this.jobs = new Counter({ name: METRIC_NAMES.jobs, help: 'Job attempts finished, by queue and state (completed, retried, failed)', labelNames: ['queue', 'state'], registers });
    this.jobDuration = new Histogram({
      name: METRIC_NAMES.jobDuration,
      help: 'Time from a job attempt starting to finishing, in seconds',
      labelNames: ['queue'],
      // A diagnosis takes a second or two; collector deadlines and retries stretch it to minutes.
      buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300],
      registers,
    });
    this.findings = new Counter({ name: METRIC_NAMES.findings, help: 'Findings posted in diagnosis reports, by runbook and severity', labelNames: ['runbook', 'severity'], registers });
    this.remediations = new Counter({ name: METRIC_NAMES.remediations, help: 'Remediation clicks and jobs, by action and outcome', labelNames: ['action', 'outcome'], registers });
    this.kubeErrors = new Counter({ name: METRIC_NAMES.kubeErrors, help: 'Failed Kubernetes API calls, by reason (forbidden, not-found, timeout, unavailable)', labelNames: ['reason'], registers });
    this.slackErrors = new Counter({ name: METRIC_NAMES.slackErrors, help: 'Failed Slack Web API requests (HTTP error, ok:false or network), by method', labelNames: ['method'], registers });
    // The event-loop lag histogram's timer: prom-client's 10 ms default wakes an idle bot 100 times a second; lag
    // worth alerting on is hundreds of ms, so 100 ms resolution loses nothing an operator would act on.
    if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 100 });
  }

  commandHandled(command: string, outcome: CommandOutcome): void {
    this.commands.inc({ command, outcome });
  }

  jobFinished(queue: QueueName, state: JobState, seconds: number): void {
    this.jobs.inc({ queue, state });
    if (Number.isFinite(seconds) && seconds >= 0) this.jobDuration.observe({ queue }, seconds);
  }

  finding(runbookId: string, severity: string): void {
    this.findings.inc({ runbook: runbookId, severity });
  }

  remediation(action: string, outcome: RemediationOutcome): void {
    this.remediations.inc({ action, outcome });
  }

  kubernetesApiError(reason: string): void {
    this.kubeErrors.inc({ reason });
  }

  slackApiError(method: string): void {
    this.slackErrors.inc({ method });
  }

  /** The registry in the Prometheus text exposition format. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
