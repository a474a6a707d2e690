// The Bolt app: turns `/cilium …` into typed commands and replies. It acknowledges first (well inside Slack's
// 3 s), then does the work. It never talks to Kubernetes itself: node lookups go through the NodeLister from jobs/.
import { App, SocketModeReceiver, type RespondFn, type SlashCommand } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import type { AckFirstGate } from './ack-first.ts';
import type { ReplayCache } from './replay-cache.ts';
import { boltLogger } from './bolt-logger.ts';
import { createHttpReceiver } from './http-receiver.ts';
import { parseCiliumCommand, USAGE, type CiliumCommand } from './command-grammar.ts';
import { ChannelNotAllowedError, InvalidCommandError, NodeNotFoundError, PodNotFoundError, QueueUnavailableError, toUserMessage } from './errors.ts';
import { countingSlackFetch } from './ops/instrument.ts';
import type { CommandOutcome, Metrics } from './ops/metrics.ts';
import { lookupNode, type NodeLister } from './node-directory.ts';
import { runIncidentCommand } from './incident-commands.ts';
import { SlackIncidentSink } from './slack-incident-sink.ts';
import { failedRootText, pendingRootText } from './render/no-incident.ts';
import type { DiagnoseQueue } from '../jobs/diagnose-queue.ts';
import type { IncidentStore } from '../jobs/incidents/incident-store.ts';
import type { Incident } from '../jobs/incidents/incident.ts';
import type { SweepQueue } from '../jobs/fleet/sweep-job.ts';
import { sweepProgressMessage } from './render/fleet-report.ts';
import type { PreflightQueue } from '../jobs/preflight/preflight-job.ts';
import { startPreflight } from './preflight-slack.ts';
import { inlineCode, slackChannel } from './render/mrkdwn.ts';
import { alreadyRunningText, withQueue } from './thread-job-slack.ts';
import { renderWhyDroppedSlack } from './render/why-dropped-slack.ts';
import type { WhyDroppedService } from '../jobs/hubble/why-dropped-service.ts';
import { runMuteCommand } from './mute-commands.ts';
import type { MuteStore } from '../jobs/watch/mutes.ts';
import { startPodDiagnosis, type PodDiagnosisDeps } from './diagnose-pod-slack.ts';

export interface SlackAppDeps {
  config: Config;
  queue: Pick<DiagnoseQueue, 'enqueue' | 'activeJobFor'>;
  nodes: NodeLister;
  incidents: IncidentStore;
  logger: Logger;
  metrics?: Metrics;
  /** The `sweep` queue (`/cilium diagnose --all`); without it the command says sweeps are not enabled. */
  sweeps?: Pick<SweepQueue, 'enqueue' | 'activeJobFor'>;
  /** The `preflight` queue (`/cilium preflight <version>`); without it the command says preflights are not enabled. */
  preflights?: Pick<PreflightQueue, 'enqueue' | 'activeJobFor'>;
  /** HTTP mode: what a command does after its ack waits while other commands still wait for theirs. */
  acks?: AckFirstGate;
  /** HTTP mode: signed requests already seen, shared by replicas through Redis (replay-cache.ts). */
  replays?: ReplayCache;
  /** `/cilium why-dropped`: reads Hubble Relay (jobs/hubble); without it the command says Hubble is not configured. */
  whyDropped?: WhyDroppedService;
  /** `/cilium mute`, `/cilium mutes` (Redis, shared with the watch); absent when the watch is off. */
  mutes?: MuteStore;
  /** `/cilium diagnose pod`: its queue and the pod lookup; without them the command says it is not enabled. */
  podDiagnoses?: PodDiagnosisDeps;
}

/** The Socket Mode client of each app, so readiness can ask whether its WebSocket is open. */
const socketClients = new WeakMap<App, SocketModeReceiver['client']>();

export function socketModeClientOf(app: App): SocketModeReceiver['client'] | undefined {
  return socketClients.get(app);
}

/**
 * @slack/socket-mode 2.x handles each frame in an async listener nobody awaits and reads `event.type` of whatever
 * JSON.parse returned: a frame `null`, or an events_api envelope without payload.event, rejects unhandled, which on
 * Node >= 15 ends the process. The same listener, wrapped so such a frame is logged and dropped instead.
 */
function containFrameErrors(client: SocketModeReceiver['client'], logger: Logger): void {
  const listeners = client.listeners('ws_message') as Array<(data: unknown, isBinary: boolean) => unknown>;
  client.removeAllListeners('ws_message');
  for (const listener of listeners) {
    const ignored = (err: unknown): void => logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'ignored a Socket Mode frame the client could not handle');
    client.on('ws_message', (data: unknown, isBinary: boolean) => {
      try {
        void Promise.resolve(listener.call(client, data, isBinary)).catch(ignored);
      } catch (err) {
        ignored(err);
      }
    });
  }
}

/** The outcome label of a command that threw. */
function commandOutcome(e: unknown): CommandOutcome {
  if (e instanceof InvalidCommandError) return 'invalid';
  if (e instanceof ChannelNotAllowedError) return 'not-allowed';
  if (e instanceof NodeNotFoundError || e instanceof PodNotFoundError) return 'not-found';
  if (e instanceof QueueUnavailableError) return 'queue-unavailable';
  return 'error';
}

export function createSlackApp(deps: SlackAppDeps): App {
  const { config, metrics } = deps;
  const clientOptions = {
    ...(config.slack.apiUrl !== undefined && { slackApiUrl: config.slack.apiUrl }),
    ...(metrics !== undefined && { fetch: countingSlackFetch(metrics) }),
  };
  const logger = boltLogger(deps.logger);
  let app: App;
  if (config.slack.mode === 'socket') {
    // Built here rather than by App so the bot keeps a handle on the SocketModeClient (readiness).
    const receiver = new SocketModeReceiver({ appToken: config.slack.appToken ?? '', logger, installerOptions: { clientOptions } });
    app = new App({ token: config.slack.botToken, receiver, socketMode: true, clientOptions, logger });
    socketClients.set(app, receiver.client);
    containFrameErrors(receiver.client, deps.logger);
  } else {
    // ExpressReceiver behind a guard: signature, a symmetric 5-minute window, no replays, then the ack gate.
    const receiver = createHttpReceiver({ signingSecret: config.slack.signingSecret ?? '', logger, ...(deps.acks !== undefined && { acks: deps.acks }), ...(deps.replays !== undefined && { replays: deps.replays }) });
    app = new App({ token: config.slack.botToken, receiver, clientOptions, logger });
  }

  app.command('/cilium', async ({ command, ack, respond, client }) => {
    let parsed: CiliumCommand;
    try {
      if (config.allowedChannels.length > 0 && !config.allowedChannels.includes(command.channel_id)) {
        throw new ChannelNotAllowedError(command.channel_id);
      }
      parsed = parseCiliumCommand(command.text);
    } catch (e) {
      metrics?.commandHandled('unknown', commandOutcome(e));
      await ack({ response_type: 'ephemeral', text: toUserMessage(e).text });
      return;
    }
    if (parsed.kind === 'help') {
      metrics?.commandHandled('help', 'ok');
      await ack({ response_type: 'ephemeral', text: USAGE });
      return;
    }
    await ack();
    try {
      await deps.acks?.quiet();
      if (parsed.kind === 'why-dropped') {
        const answer = deps.whyDropped === undefined
          ? { status: 'unavailable' as const, detail: 'this bot was started without a Hubble Relay reader' }
          : await deps.whyDropped(parsed.query);
        await respond({ response_type: 'ephemeral', text: renderWhyDroppedSlack(parsed.query, answer) });
      } else if (parsed.kind === 'diagnose' || parsed.kind === 'diagnose-pod' || parsed.kind === 'sweep' || parsed.kind === 'preflight') {
        const cluster = parsed.cluster ?? config.clusterName;
        const served = [config.clusterName, ...config.extraClusters.map((c) => c.name)];
        if (!served.includes(cluster)) {
          throw new InvalidCommandError(`Unknown cluster \`${cluster}\`; this bot serves ${served.map((c) => `\`${c}\``).join(', ')}.`, USAGE);
        }
        if (parsed.kind === 'preflight') await startPreflight(deps.preflights, client, command, respond, cluster, parsed);
        else if (parsed.kind === 'sweep') await startSweep(deps, client, command, respond, cluster);
        else if (parsed.kind === 'diagnose-pod') await startPodDiagnosis(deps.podDiagnoses ?? { queue: undefined, pods: undefined }, client, command, respond, cluster, parsed.pod);
        else await startDiagnosis(deps, client, command, respond, cluster, parsed.node);
      } else if (parsed.kind === 'mute' || parsed.kind === 'mutes') {
        await runMuteCommand(parsed, { mutes: deps.mutes, cluster: config.clusterName, userId: command.user_id, respond });
      } else {
        await runIncidentCommand(parsed, { store: deps.incidents, sink: new SlackIncidentSink(client, deps.incidents), client, respond, userId: command.user_id, logger: deps.logger });
      }
      metrics?.commandHandled(parsed.kind, 'ok');
    } catch (e) {
      metrics?.commandHandled(parsed.kind, commandOutcome(e));
      const { text, errorId } = toUserMessage(e);
      if (errorId !== undefined) deps.logger.error({ err: e, errorId, command: command.text }, 'slash command failed');
      await respond({ response_type: 'ephemeral', text });
    }
  });

  return app;
}

/** The open incident's thread, waiting briefly when another request has claimed it but not posted its root yet. */
async function withThread(store: IncidentStore, incident: Incident): Promise<Incident> {
  for (let i = 0; i < 50 && incident.threadTs === ''; i++) {
    await new Promise((r) => setTimeout(r, 100));
    incident = await store.get(incident.id);
  }
  if (incident.threadTs === '') throw new Error(`${incident.id} has no thread yet; try again in a moment`);
  return incident;
}

async function startDiagnosis(
  deps: SlackAppDeps,
  client: WebClient,
  command: SlashCommand,
  respond: RespondFn,
  cluster: string,
  node: string,
): Promise<void> {
  const found = await lookupNode(deps.nodes, cluster, node);
  if (!found.exists) throw new NodeNotFoundError(node, cluster, found.suggestions);

  const active = await withQueue(() => deps.queue.activeJobFor(cluster, node));
  if (active !== null) {
    await respond({ response_type: 'ephemeral', text: await alreadyRunningText(client, node, active.data) });
    return;
  }
  const store = deps.incidents;
  const sink = new SlackIncidentSink(client, store);
  const open = await withQueue(() => store.findOpen(cluster, node));
  if (open === null) {
    await diagnoseWithoutIncident(deps, client, command, cluster, node);
    return;
  }
  // The node's open incident: the report (recovery evidence, when it finds nothing) goes into its thread. The entry
  // is started (in thread order) before the job is queued and awaited after: the queue is not held up by Slack
  // round trips, and the entry still lands before the report.
  const incident = await withThread(store, open);
  const entry = await store.append(incident.id, { actor: command.user_id, kind: 'diagnosis-requested', text: `requested another diagnosis of ${node}` });
  const posting = sink.postEntry(incident, entry);
  if (incident.channelId !== command.channel_id) {
    await respond({ response_type: 'ephemeral', text: `${inlineCode(node)} already has an open incident, ${incident.id}; the new report goes into its thread in ${slackChannel(incident.channelId)}.` });
  }
  const queued = incident;
  // Started before the job exists, so this edit cannot land after the worker's own "collecting" or "done" edits.
  const showQueued = sink.refreshSummary(queued, 'queued');
  // Awaited below; marked handled now so a failure while the job is queued (Redis gone) is not an unhandled rejection.
  void posting.catch(() => undefined);
  void showQueued.catch(() => undefined);
  const result = await withQueue(() =>
    deps.queue.enqueue({
      incidentId: queued.id,
      cluster,
      node,
      channelId: queued.channelId,
      threadTs: queued.threadTs,
      requestedBy: command.user_id,
      requestedAt: new Date().toISOString(),
    }),
  ).catch(async (e: unknown) => {
    await Promise.all([posting, showQueued]).catch(() => undefined);
    await sink.refreshSummary(queued, 'idle', toUserMessage(e).text);
    throw e;
  });
  await Promise.all([posting, showQueued]);
  deps.logger.info({ cluster, node, incidentId: incident.id, result }, 'diagnosis requested');
  if (!result.queued) {
    // Lost a race with another request between the check and the enqueue: the running job answers in this thread.
    await respond({ response_type: 'ephemeral', text: `\`${node}\` is already being diagnosed; the report will be in the ${incident.id} thread.` });
  }
}

/**
 * A node without an open incident: a root message says the diagnosis is under way, and the job opens an incident
 * under it only if it finds something (jobs/incidents/open-on-finding.ts); otherwise the root says the node is healthy.
 */
async function diagnoseWithoutIncident(deps: SlackAppDeps, client: WebClient, command: SlashCommand, cluster: string, node: string): Promise<void> {
  const root = await client.chat.postMessage({ channel: command.channel_id, text: pendingRootText(node, cluster, 'queued') });
  if (root.ts === undefined) throw new Error('chat.postMessage returned no ts');
  const threadTs = root.ts;
  const result = await withQueue(() =>
    deps.queue.enqueue({ cluster, node, channelId: command.channel_id, threadTs, requestedBy: command.user_id, requestedAt: new Date().toISOString() }),
  ).catch(async (e: unknown) => {
    await client.chat.update({ channel: command.channel_id, ts: threadTs, text: failedRootText(node, cluster, toUserMessage(e).text) });
    throw e;
  });
  deps.logger.info({ cluster, node, result }, 'diagnosis requested (no open incident)');
  if (!result.queued) {
    // Lost a race with another request between the check and the enqueue: the running job answers in its own thread.
    await client.chat.update({ channel: command.channel_id, ts: threadTs, text: `${inlineCode(node)} is already being diagnosed; its report goes into that request's thread.` });
  }
}

/** `/cilium diagnose --all`: one sweep per cluster at a time; the root message shows its progress. */
async function startSweep(deps: SlackAppDeps, client: WebClient, command: SlashCommand, respond: RespondFn, cluster: string): Promise<void> {
  const sweeps = deps.sweeps;
  if (sweeps === undefined) {
    await respond({ response_type: 'ephemeral', text: 'Fleet sweeps are not enabled in this deployment.' });
    return;
  }
  const active = await withQueue(() => sweeps.activeJobFor(cluster));
  if (active !== null) {
    await respond({ response_type: 'ephemeral', text: await alreadyRunningText(client, `--all (${cluster})`, active.data) });
    return;
  }
  const root = await client.chat.postMessage({ channel: command.channel_id, ...sweepProgressMessage(cluster, null) });
  if (root.ts === undefined) throw new Error('chat.postMessage returned no ts');
  const result = await withQueue(() =>
    sweeps.enqueue({ cluster, channelId: command.channel_id, threadTs: root.ts as string, requestedBy: command.user_id, requestedAt: new Date().toISOString() }),
  );
  deps.logger.info({ cluster, result }, 'fleet sweep requested');
  if (!result.queued) {
    // Lost a race with another request: that sweep answers in its own thread; this root says so.
    await client.chat.update({ channel: command.channel_id, ts: root.ts, text: `A fleet sweep of \`${cluster}\` is already running; its report goes into its own thread.` });
  }
}

// Moved to thread-job-slack.ts with the rest of the queued-thread pieces; re-exported for the modules importing it here.
export { withQueue };
