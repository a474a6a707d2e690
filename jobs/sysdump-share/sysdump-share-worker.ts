// Consumer side of the `sysdump` queue: download the shared archive (through the sink, with the bot token), analyse
// it in a thread of its own, then answer in the thread it was shared in: the fleet summary of every node, and, when
// exactly one node has a critical finding, that node's incident opened or joined with its report in the incident's
// thread (several such nodes: the grouped summary says which, each with `/cilium diagnose <node>`).
// A refused download or archive fails at once (UnrecoverableError) and says why in the thread.
import { UnrecoverableError, type ConnectionOptions, type Job, type Worker } from 'bullmq';
import type { Logger } from 'pino';
import type { Report } from '../../runbooks/engine/contract.ts';
import type { IncidentSink } from '../incident-sink.ts';
import type { IncidentStore } from '../incidents/incident-store.ts';
import type { Incident } from '../incidents/incident.ts';
import { diffRuns, summarizeRun } from '../incidents/run-diff.ts';
import { SysdumpError } from '../sysdump/archive-errors.ts';
import type { CriticalNode, SysdumpAnalysis } from './sysdump-analysis.ts';
import { SYSDUMP_QUEUE, SysdumpJobSchema, type SysdumpJob } from './sysdump-share-job.ts';
import { analyseSysdumpInThread, SysdumpTooSlowError } from './sysdump-thread.ts';
import { startJobWorker } from '../worker-shell.ts';

/** The shared file could not be read (too large, not visible to the app, not a zip): the message says what to do. */
export class SharedArchiveRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SharedArchiveRefusedError';
  }
}

/** The incident a sysdump's one critical node opened or joined. */
export interface JoinedIncident {
  id: string;
  node: string;
  channelId: string;
  threadTs: string;
  created: boolean;
}

/** The chat side of a shared sysdump; bot/ implements it with the Web API. */
export interface SysdumpSink {
  /** The archive's bytes; SharedArchiveRefusedError when it is too large or cannot be read. */
  download(job: SysdumpJob): Promise<{ name: string; bytes: Uint8Array }>;
  /** Posts a new incident's root message (its thread is the incident's timeline); returns its ts. */
  incidentRoot(channelId: string, text: string): Promise<string>;
  /** The fleet summary, in the thread the archive was shared in, naming the incident it opened or joined. */
  summary(job: SysdumpJob, analysis: SysdumpAnalysis, incident: JoinedIncident | null): Promise<void>;
  /** The analysis failed for good: say why in that thread. */
  failed(job: SysdumpJob, message: string): Promise<void>;
}

export interface SysdumpWorkerOptions {
  connection: ConnectionOptions;
  prefix: string;
  sink: SysdumpSink;
  incidents: IncidentStore;
  /** Posts the node's report into its incident thread, as a diagnosis does. */
  incidentSink: IncidentSink;
  logger: Logger;
  lockMs?: number;
  /** Analyses the archive; by default in a thread of its own (sysdump-thread.ts). */
  analyse?: (bytes: Uint8Array, name: string) => Promise<SysdumpAnalysis>;
}

export interface SysdumpResult {
  layout: string;
  nodes: number;
  critical: string[];
  incident: string | null;
}

/** The open incident's thread, waiting briefly when a slash command has claimed it but not posted its root yet. */
async function withThread(store: IncidentStore, incident: Incident): Promise<Incident> {
  for (let i = 0; i < 50 && incident.threadTs === ''; i++) {
    await new Promise((r) => setTimeout(r, 100));
    incident = await store.get(incident.id);
  }
  if (incident.threadTs === '') throw new Error(`${incident.id} has no thread yet`);
  return incident;
}

async function joinIncident(opts: SysdumpWorkerOptions, job: SysdumpJob, jobId: string, target: CriticalNode): Promise<{ incident: JoinedIncident; post: (r: Report) => Promise<void> }> {
  const store = opts.incidents;
  const step = (name: string) => `job:sysdump:${jobId}:${name}`;
  const opened = await store.openOrReuse({ cluster: job.cluster, node: target.node, channelId: job.channelId, openedBy: job.sharedBy });
  let incident = opened.incident;
  // An earlier attempt of this job opened the incident and died before its root message was recorded: this attempt
  // finishes opening it rather than waiting for a thread nobody else will post.
  const ours = opened.created || (incident.threadTs === '' && (await store.hasEntry(incident.id, step('opened'))));
  if (ours) {
    const entry = await store.append(incident.id, { actor: job.sharedBy, kind: 'opened', text: `opened ${incident.id} for node ${target.node} from the sysdump ${job.fileName}` }, step('opened'));
    const ts = await opts.sink.incidentRoot(job.channelId, `${incident.id}: ${target.node}, from the sysdump ${job.fileName}`);
    incident = await store.update(incident.id, { threadTs: ts });
    await opts.incidentSink.postEntry(incident, entry);
  } else {
    incident = await withThread(store, incident);
    const entry = await store.append(incident.id, { actor: job.sharedBy, kind: 'diagnosis-requested', text: `shared the sysdump ${job.fileName}; its report of ${target.node} follows` }, step('joined'));
    await opts.incidentSink.postEntry(incident, entry);
  }
  const joined: JoinedIncident = { id: incident.id, node: target.node, channelId: incident.channelId, threadTs: incident.threadTs, created: ours };
  const post = async (report: Report): Promise<void> => {
    const { run, previous } = await store.recordRun(joined.id, summarizeRun(report, target.evidence, new Date().toISOString()), step('run'));
    const top = report.findings[0];
    await store.update(joined.id, { topFinding: top === undefined ? 'no runbook matched' : `${top.runbookId}: ${top.title}`, severity: top?.severity ?? 'unknown' });
    await store.append(joined.id, { actor: 'bot', kind: 'diagnosis-posted', text: `Run ${run.run} (sysdump ${job.fileName}): ${report.findings.map((f) => `${f.runbookId} (${f.severity})`).join(', ')}` }, step('posted'));
    const diagnosis = { incidentId: joined.id, cluster: job.cluster, node: target.node, channelId: joined.channelId, threadTs: joined.threadTs, requestedBy: job.sharedBy, jobId: `sysdump:${jobId}` };
    await opts.incidentSink.report(diagnosis, report, { run: run.run, diff: previous === null ? null : diffRuns(previous, run) });
  };
  return { incident: joined, post };
}

export async function processSysdumpJob(job: Job, opts: SysdumpWorkerOptions): Promise<SysdumpResult> {
  const parsed = SysdumpJobSchema.safeParse(job.data);
  if (!parsed.success) throw new UnrecoverableError(`invalid sysdump job payload: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const data = parsed.data;
  const log = opts.logger.child({ jobId: job.id, fileId: data.fileId, channel: data.channelId, attempt: job.attemptsMade + 1 });
  let analysis: SysdumpAnalysis;
  try {
    const file = await opts.sink.download(data);
    log.info({ bytes: file.bytes.byteLength }, 'sysdump downloaded');
    analysis = await (opts.analyse ?? analyseSysdumpInThread)(file.bytes, file.name);
  } catch (e) {
    // The same archive would be refused again: no retry.
    if (e instanceof SharedArchiveRefusedError || e instanceof SysdumpError || e instanceof SysdumpTooSlowError) throw new UnrecoverableError(e.message);
    throw e;
  }
  const only = analysis.critical.length === 1 ? analysis.critical[0] : undefined;
  const joined = only === undefined ? null : await joinIncident(opts, data, job.id ?? data.fileId, only);
  await opts.sink.summary(data, analysis, joined?.incident ?? null);
  if (only !== undefined && joined !== null) await joined.post(only.report);
  const result = { layout: analysis.layout, nodes: analysis.fleet.totals.nodes, critical: analysis.critical.map((c) => c.node), incident: joined?.incident.id ?? null };
  log.info(result, 'sysdump answered');
  return result;
}

export function startSysdumpWorker(opts: SysdumpWorkerOptions): Worker<unknown, SysdumpResult> {
  return startJobWorker({
    queue: SYSDUMP_QUEUE, what: 'sysdump analysis', connection: opts.connection, prefix: opts.prefix, logger: opts.logger,
    // One archive at a time per process: each may hold up to the download limit in memory.
    concurrency: 1, maxStalledCount: 2, checkStalledEveryLock: true, ...(opts.lockMs !== undefined && { lockMs: opts.lockMs }),
    run: (job) => processSysdumpJob(job, opts),
    parse: (data) => SysdumpJobSchema.safeParse(data).data,
    failed: (target, message) => opts.sink.failed(target, message),
  });
}
