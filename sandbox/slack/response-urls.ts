// response_url endpoints minted for slash commands and interactions: record every post and apply it like
// Slack (ephemeral / in_channel, replace_original, delete_original); 5 uses within 30 minutes.
import { randomBytes } from 'node:crypto';
import type { WorkspaceStore } from './store.ts';
import type { ResponseUrlPost } from './types.ts';
import { readMessageContent, type ApiBody } from './web-api/message-content.ts';
import { isObject } from './block-kit/checks.ts';

export interface ResponseTarget {
  kind: 'commands' | 'actions';
  channel: string;
  user: string;
  /** The message holding the clicked button (actions only). */
  messageTs?: string;
  isEphemeral?: boolean;
  threadTs?: string;
  createdAt: number;
  uses: number;
}

const MAX_USES = 5;
const TTL_MS = 30 * 60_000;

export class ResponseUrls {
  private readonly targets = new Map<string, ResponseTarget>();
  readonly posts: ResponseUrlPost[] = [];

  constructor(
    private readonly store: WorkspaceStore,
    private readonly baseUrl: () => string,
  ) {}

  mint(target: Omit<ResponseTarget, 'createdAt' | 'uses'>): string {
    const path = `/${target.kind}/${this.store.identity.teamId}/${Date.now()}/${randomBytes(12).toString('hex')}`;
    this.targets.set(path, { ...target, createdAt: Date.now(), uses: 0 });
    return `${this.baseUrl()}${path}`;
  }

  owns(path: string): boolean {
    return path.startsWith('/commands/') || path.startsWith('/actions/');
  }

  /** An HTTP POST to a response_url. */
  handlePost(path: string, raw: Buffer): { status: number; body: string } {
    const url = `${this.baseUrl()}${path}`;
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      body = raw.toString('utf8');
    }
    const result = this.handle(path, body);
    this.posts.push({ responseUrl: url, body, status: result.status, at: Date.now() });
    return result;
  }

  private handle(path: string, body: unknown): { status: number; body: string } {
    const t = this.targets.get(path);
    if (!t) return { status: 404, body: 'no_such_url' };
    if (Date.now() - t.createdAt > TTL_MS) return { status: 404, body: 'expired_url' };
    if (t.uses >= MAX_USES) return { status: 404, body: 'used_url' };
    t.uses += 1;
    if (!isObject(body)) return { status: 400, body: 'invalid_payload' };
    const err = this.apply(t, body, 'response_url');
    return err ? { status: 400, body: String(err.error) } : { status: 200, body: JSON.stringify({ ok: true }) };
  }

  /** Applies a response (response_url post or a slash command's ack body); returns the error body if refused. */
  apply(t: Omit<ResponseTarget, 'createdAt' | 'uses'>, body: Record<string, unknown>, source: string): ApiBody | undefined {
    const truthy = (v: unknown): boolean => v === true || v === 'true';
    if (truthy(body.delete_original) && t.messageTs) {
      const orig = t.isEphemeral ? this.store.findEphemeral(t.channel, t.messageTs) : this.store.find(t.channel, t.messageTs);
      if (orig) orig.deleted = true;
      return undefined;
    }
    const r = readMessageContent(body, { requireContent: true, overLongText: 'truncate' });
    if (!r.ok) return r.body;
    const text = r.content.text ?? '';
    const blocks = r.content.blocks ?? [];
    if (truthy(body.replace_original) && t.messageTs) {
      if (t.isEphemeral) {
        const e = this.store.findEphemeral(t.channel, t.messageTs);
        if (e) {
          e.history.push({ text: e.text, blocks: e.blocks, replacedAt: Date.now() });
          e.text = text;
          e.blocks = blocks;
        }
      } else {
        const m = this.store.find(t.channel, t.messageTs);
        if (m) this.store.updateMessage(m, { text, blocks, user: this.store.identity.botUserId });
      }
      return undefined;
    }
    const threadTs = typeof body.thread_ts === 'string' ? body.thread_ts : t.threadTs;
    if (body.response_type === 'in_channel') {
      this.store.addMessage({
        channel: t.channel,
        text,
        blocks,
        ...(threadTs ? { thread_ts: threadTs } : {}),
        user: this.store.identity.botUserId,
        bot_id: this.store.identity.botId,
        source,
      });
    } else {
      this.store.addEphemeral({ channel: t.channel, user: t.user, text, blocks, source, ...(threadTs ? { thread_ts: threadTs } : {}) });
    }
    return undefined;
  }
}
