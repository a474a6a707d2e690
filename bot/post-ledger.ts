// Idempotent posting: every message the bot posts for a job step has a key. The ledger in Redis remembers what was
// posted; a step retried after a crash finds its message instead of posting it again. A crash between "posted" and
// "remembered" is covered too: the message carries the key in its metadata, and a "pending" entry makes the retry
// look for it in the thread (conversations.replies) before posting.
import type { Redis } from 'ioredis';
import type { ChatPostMessageArguments, WebClient } from '@slack/web-api';

const EVENT_TYPE = 'cilium_runbook_post';
const TTL_SECONDS = 14 * 24 * 3600;

type ThreadPost = Extract<ChatPostMessageArguments, { channel: string }> & { thread_ts: string; text: string };

interface FoundMessage {
  ts?: string;
  metadata?: { event_type?: string; event_payload?: Record<string, unknown> };
  files?: Array<{ name?: string }>;
}

export class PostLedger {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(key: string): string {
    return `${this.prefix}:posted:${key}`;
  }

  private async findInThread(client: WebClient, channel: string, threadTs: string, match: (m: FoundMessage) => boolean): Promise<string | null> {
    const res = await client.conversations.replies({ channel, ts: threadTs, include_all_metadata: true, limit: 1000 });
    const found = res.messages?.find(match);
    return found?.ts ?? null;
  }

  /** Posts `message` into its thread once per `key`; returns the message ts. */
  async post(client: WebClient, key: string, message: ThreadPost): Promise<string> {
    const k = this.key(key);
    const previous = await this.redis.get(k);
    if (previous !== null && previous !== 'pending') return previous;
    if (previous === 'pending') {
      const ts = await this.findInThread(client, message.channel, message.thread_ts, (m) => m.metadata?.event_type === EVENT_TYPE && m.metadata.event_payload?.key === key);
      if (ts !== null) {
        await this.redis.set(k, ts, 'EX', TTL_SECONDS);
        return ts;
      }
    }
    await this.redis.set(k, 'pending', 'EX', TTL_SECONDS);
    const res = await client.chat.postMessage({ ...message, metadata: { event_type: EVENT_TYPE, event_payload: { key } } });
    if (res.ts === undefined) throw new Error('chat.postMessage returned no ts');
    await this.redis.set(k, res.ts, 'EX', TTL_SECONDS);
    return res.ts;
  }

  /** Runs an upload once per `key`; a pending one counts as done when a file of that name is already in the thread. */
  async upload(client: WebClient, key: string, where: { channel: string; threadTs: string; filenames: string[] }, upload: () => Promise<unknown>): Promise<void> {
    const k = this.key(key);
    const previous = await this.redis.get(k);
    if (previous === 'done') return;
    if (previous === 'pending') {
      const ts = await this.findInThread(client, where.channel, where.threadTs, (m) => (m.files ?? []).some((f) => f.name !== undefined && where.filenames.includes(f.name)));
      if (ts !== null) {
        await this.redis.set(k, 'done', 'EX', TTL_SECONDS);
        return;
      }
    }
    await this.redis.set(k, 'pending', 'EX', TTL_SECONDS);
    await upload();
    await this.redis.set(k, 'done', 'EX', TTL_SECONDS);
  }
}
