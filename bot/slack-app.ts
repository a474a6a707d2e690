// The Bolt app: turns `/cilium …` into typed commands and replies. It acknowledges first (well inside Slack's
// 3 s), then looks the node up, opens the incident thread and queues the job. It never talks to Kubernetes
// itself: node lookups go through the NodeLister that jobs/ provides.
import { App, type RespondFn, type SlashCommand } from '@slack/bolt';
import { boltLogger } from './bolt-logger.ts';
import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import { parseCiliumCommand, USAGE } from './command-grammar.ts';
import { ChannelNotAllowedError, InvalidCommandError, NodeNotFoundError, QueueUnavailableError, toUserMessage } from './errors.ts';
import { lookupNode, type NodeLister } from './node-directory.ts';
import type { DiagnoseQueue } from '../jobs/diagnose-queue.ts';
import { renderRootMessage } from './render/root-message.ts';

export interface SlackAppDeps {
  config: Config;
  queue: Pick<DiagnoseQueue, 'enqueue' | 'activeJobFor'>;
  nodes: NodeLister;
  logger: Logger;
}

export function createSlackApp(deps: SlackAppDeps): App {
  const { config } = deps;
  const clientOptions = config.slack.apiUrl === undefined ? {} : { slackApiUrl: config.slack.apiUrl };
  const app =
    config.slack.mode === 'socket'
      ? new App({
          token: config.slack.botToken,
          appToken: config.slack.appToken,
          socketMode: true,
          clientOptions,
          logger: boltLogger(deps.logger),
        })
      : new App({
          token: config.slack.botToken,
          signingSecret: config.slack.signingSecret,
          clientOptions,
          logger: boltLogger(deps.logger),
        });

  app.command('/cilium', async ({ command, ack, respond, client }) => {
    let parsed;
    try {
      if (config.allowedChannels.length > 0 && !config.allowedChannels.includes(command.channel_id)) {
        throw new ChannelNotAllowedError(command.channel_id);
      }
      parsed = parseCiliumCommand(command.text);
    } catch (e) {
      await ack({ response_type: 'ephemeral', text: toUserMessage(e).text });
      return;
    }
    if (parsed.kind === 'help') {
      await ack({ response_type: 'ephemeral', text: USAGE });
      return;
    }
    await ack();
    const cluster = parsed.cluster ?? config.clusterName;
    try {
      if (cluster !== config.clusterName) {
        throw new InvalidCommandError(`Unknown cluster \`${cluster}\`; this bot serves \`${config.clusterName}\`.`, USAGE);
      }
      await startDiagnosis(deps, client, command, respond, cluster, parsed.node);
    } catch (e) {
      const { text, errorId } = toUserMessage(e);
      if (errorId !== undefined) deps.logger.error({ err: e, errorId, command: command.text }, 'slash command failed');
      await respond({ response_type: 'ephemeral', text });
    }
  });

  return app;
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
  const root = await client.chat.postMessage({
    channel: command.channel_id,
    ...renderRootMessage({ node, cluster, requestedBy: command.user_id, state: 'queued' }),
  });
  if (root.ts === undefined) throw new Error('chat.postMessage returned no ts');
  const result = await withQueue(() =>
    deps.queue.enqueue({
      cluster,
      node,
      channelId: command.channel_id,
      threadTs: root.ts as string,
      requestedBy: command.user_id,
      requestedAt: new Date().toISOString(),
    }),
  ).catch(async (e: unknown) => {
    await client.chat.update({
      channel: command.channel_id,
      ts: root.ts as string,
      ...renderRootMessage({ node, cluster, requestedBy: command.user_id, state: 'failed', detail: toUserMessage(e).text }),
    });
    throw e;
  });
  deps.logger.info({ cluster, node, result, threadTs: root.ts }, 'diagnosis requested');
  if (!result.queued) {
    // Lost a race with another request between the check and the enqueue: say so where people look.
    await client.chat.update({
      channel: command.channel_id,
      ts: root.ts,
      ...renderRootMessage({ node, cluster, requestedBy: command.user_id, state: 'duplicate' }),
    });
  }
}

async function alreadyRunningText(client: WebClient, node: string, job: { channelId: string; threadTs: string }): Promise<string> {
  try {
    const link = await client.chat.getPermalink({ channel: job.channelId, message_ts: job.threadTs });
    return `\`${node}\` is already being diagnosed; the report will be in <${link.permalink ?? ''}|this thread>.`;
  } catch {
    return `\`${node}\` is already being diagnosed; the report will be in its thread in <#${job.channelId}>.`;
  }
}

async function withQueue<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    throw new QueueUnavailableError(e instanceof Error ? e.message : String(e));
  }
}
