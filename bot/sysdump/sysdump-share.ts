// A cilium sysdump shared in Slack: a `message` event with subtype `file_share` in a channel the bot is in (the app
// subscribes to message.channels), or the "Diagnose this message" shortcut on such a message. Only files named as
// cilium-cli names its archives (cilium-sysdump-<ts>.zip) are taken; every other message is ignored. The handler
// only queues a `sysdump` job (one per file while it runs) and says so in the thread: the download and the
// analysis run in the worker (jobs/sysdump-share), never in the Bolt handler.
import type { App } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import { SYSDUMP_FILE_NAME, type SysdumpQueue } from '../../jobs/sysdump-share/sysdump-share-job.ts';
import type { AckFirstGate } from '../ack-first.ts';
import { inlineCode } from '../render/mrkdwn.ts';
import { MAX_SHARED_SYSDUMP_BYTES } from './sysdump-download.ts';

export interface SysdumpShareDeps {
  queue: Pick<SysdumpQueue, 'enqueue'>;
  /** The cluster whose incidents the archive's nodes open or join (CLUSTER_NAME). */
  cluster: string;
  /** Channels the bot answers in; empty = all (ALLOWED_CHANNELS). */
  allowedChannels: string[];
  logger: Logger;
  /** HTTP mode: the work after Bolt's ack of the event waits while commands still wait for theirs (ack-first.ts). */
  acks?: Pick<AckFirstGate, 'quiet'>;
}

export interface SharedFileRef {
  id: string;
  name: string;
}

/** The files of a message that are cilium sysdumps, by the name cilium-cli gives them. */
export function sharedSysdumps(files: unknown): SharedFileRef[] {
  if (!Array.isArray(files)) return [];
  return (files as Array<{ id?: unknown; name?: unknown }>).flatMap((f) => (typeof f.id === 'string' && typeof f.name === 'string' && SYSDUMP_FILE_NAME.test(f.name) ? [{ id: f.id, name: f.name }] : []));
}

/** Queues one analysis per sysdump and says so in the thread; returns the names queued or already running. */
export async function queueSharedSysdumps(
  deps: SysdumpShareDeps,
  client: WebClient,
  where: { channelId: string; threadTs: string; sharedBy: string },
  files: SharedFileRef[],
): Promise<string[]> {
  const names: string[] = [];
  for (const f of files) {
    const result = await deps.queue.enqueue({ cluster: deps.cluster, channelId: where.channelId, threadTs: where.threadTs, fileId: f.id, fileName: f.name, sharedBy: where.sharedBy, requestedAt: new Date().toISOString() });
    names.push(f.name);
    deps.logger.info({ fileId: f.id, channel: where.channelId, result }, 'sysdump shared');
    if (!result.queued) continue; // already being analysed: that job answers
    const text = `:hourglass_flowing_sand: Reading ${inlineCode(f.name)} (up to ${MAX_SHARED_SYSDUMP_BYTES / (1024 * 1024)} MiB): the fleet summary follows in this thread.`;
    await client.chat.postMessage({ channel: where.channelId, thread_ts: where.threadTs, text });
  }
  return names;
}

export function registerSysdumpShares(app: App, deps: SysdumpShareDeps): void {
  app.event('message', async ({ event, client }) => {
    if (event.subtype !== 'file_share') return;
    const files = sharedSysdumps(event.files);
    if (files.length === 0) return;
    if (deps.allowedChannels.length > 0 && !deps.allowedChannels.includes(event.channel)) {
      deps.logger.info({ channel: event.channel }, 'sysdump shared outside ALLOWED_CHANNELS: ignored');
      return;
    }
    try {
      await deps.acks?.quiet();
      await queueSharedSysdumps(deps, client, { channelId: event.channel, threadTs: event.thread_ts ?? event.ts, sharedBy: event.user }, files);
    } catch (e) {
      deps.logger.error({ err: e, channel: event.channel }, 'could not queue a shared sysdump');
      await client.chat.postMessage({ channel: event.channel, thread_ts: event.thread_ts ?? event.ts, text: ':x: Could not queue the sysdump for analysis (the job queue is unavailable); share it again in a moment.' }).catch(() => undefined);
    }
  });
}
