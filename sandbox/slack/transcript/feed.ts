// A live view of one channel as a person in Slack sees it: new messages, thread replies, the ephemerals only the
// user sees, uploaded files, and edits once they settle — each printed once, as readable text (Block Kit → text).
// Buttons get numbers so a terminal user can click them (`click 2 as @lead`). Reads the emulator's state only.
import type { EphemeralMessage, StoredFile, StoredMessage } from '../types.ts';
import { messageBodyLines } from './blocks-to-text.ts';

export interface FeedSource {
  messages(channelId: string): StoredMessage[];
  thread(channelId: string, threadTs: string): StoredMessage[];
  ephemerals(filter?: { channelId?: string; userId?: string }): EphemeralMessage[];
}

export interface FeedButton {
  n: number;
  channelId: string;
  messageTs: string;
  actionId: string;
  label: string;
  /** The confirm dialog Slack shows before sending the click, when the button has one. */
  confirm?: { title: string; text: string; confirm: string; deny: string };
  /** Set for a button in an ephemeral message: only this user can see (and click) it. */
  onlyUser?: string;
}

export interface FeedOptions {
  channel: { id: string; name: string };
  /** Display name of a user id (`oncall`); the id itself when unknown. */
  userName: (id: string) => string;
  /** An edit is printed once the message has not changed for this long (the summary line is edited often). */
  editSettleMs?: number;
  /** Called for each uploaded file; returns where it was saved, so the reader can open it. */
  saveFile?: (file: StoredFile) => string | undefined;
  /** How many lines of a text file (a postmortem) to print inline. */
  fileLines?: number;
}

interface Seen {
  printed: string;
  latest: string;
  changedAt: number;
}

type Item = { kind: 'message'; m: StoredMessage } | { kind: 'ephemeral'; e: EphemeralMessage };

const TEXT_FILE = /\.(md|txt|log|json|ya?ml)$/i;

function clock(ts: string): string {
  return new Date(Number(ts.split('.')[0]) * 1000).toISOString().slice(11, 19);
}

function plainText(v: unknown): string {
  return typeof v === 'object' && v !== null && typeof (v as { text?: unknown }).text === 'string' ? (v as { text: string }).text : '';
}

/** Buttons of a message's actions blocks and section accessories, in order. */
function buttonsOf(blocks: unknown[]): Array<Omit<FeedButton, 'n' | 'channelId' | 'messageTs' | 'onlyUser'>> {
  const out: Array<Omit<FeedButton, 'n' | 'channelId' | 'messageTs' | 'onlyUser'>> = [];
  for (const b of blocks) {
    if (typeof b !== 'object' || b === null) continue;
    const block = b as { elements?: unknown; accessory?: unknown };
    const elements = [...(Array.isArray(block.elements) ? (block.elements as unknown[]) : []), block.accessory];
    for (const el of elements) {
      if (typeof el !== 'object' || el === null) continue;
      const e = el as { type?: unknown; action_id?: unknown; text?: unknown; confirm?: unknown };
      if (e.type !== 'button' || typeof e.action_id !== 'string') continue;
      const c = e.confirm as { title?: unknown; text?: unknown; confirm?: unknown; deny?: unknown } | undefined;
      out.push({
        actionId: e.action_id,
        label: plainText(e.text),
        ...(c !== undefined && { confirm: { title: plainText(c.title), text: plainText(c.text), confirm: plainText(c.confirm) || 'Confirm', deny: plainText(c.deny) || 'Cancel' } }),
      });
    }
  }
  return out;
}

export class SlackFeed {
  private readonly seen = new Map<string, Seen>();
  private readonly buttonList: FeedButton[] = [];
  private readonly savedFiles = new Set<string>();
  /** When anything visible last appeared or changed (ms since the epoch); 0 before the first change. */
  lastChangeAt = 0;

  constructor(
    private readonly source: FeedSource,
    private readonly opts: FeedOptions,
  ) {}

  /** Marks everything visible now as already shown (e.g. messages posted before the demo's prompt). */
  skipExisting(): void {
    for (const item of this.items()) {
      const sig = this.signature(item);
      this.seen.set(this.key(item), { printed: sig, latest: sig, changedAt: 0 });
    }
  }

  /** The lines to print now: new items at once, edits once settled (or all of them when `flush`). */
  poll(now = Date.now(), flush = false): string[] {
    const settleMs = this.opts.editSettleMs ?? 1_000;
    const out: Array<{ ts: string; lines: string[] }> = [];
    for (const item of this.items()) {
      const key = this.key(item);
      const sig = this.signature(item);
      const seen = this.seen.get(key);
      if (seen === undefined) {
        this.seen.set(key, { printed: sig, latest: sig, changedAt: now });
        this.lastChangeAt = now;
        out.push({ ts: this.ts(item), lines: this.render(item, false) });
        continue;
      }
      if (sig !== seen.latest) {
        seen.latest = sig;
        seen.changedAt = now;
        this.lastChangeAt = now;
      }
      if (seen.printed !== seen.latest && (flush || now - seen.changedAt >= settleMs)) {
        seen.printed = seen.latest;
        out.push({ ts: this.ts(item), lines: this.render(item, true) });
      }
    }
    // Slack ts strings share one fixed-width format, so string order is time order.
    out.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
    return out.flatMap((o) => ['', ...o.lines]);
  }

  /** Every button shown so far, numbered in the order they appeared. */
  buttons(): FeedButton[] {
    return [...this.buttonList];
  }

  button(n: number): FeedButton | undefined {
    return this.buttonList.find((b) => b.n === n);
  }

  private items(): Item[] {
    const ch = this.opts.channel.id;
    const items: Item[] = [];
    const keys = new Set<string>();
    for (const m of this.source.messages(ch)) {
      if (!keys.has(m.ts)) items.push({ kind: 'message', m });
      keys.add(m.ts);
      if (m.thread_ts !== m.ts) continue;
      for (const r of this.source.thread(ch, m.ts)) {
        if (!keys.has(r.ts)) items.push({ kind: 'message', m: r });
        keys.add(r.ts);
      }
    }
    for (const e of this.source.ephemerals({ channelId: ch })) items.push({ kind: 'ephemeral', e });
    return items;
  }

  private key(item: Item): string {
    return item.kind === 'message' ? `m:${item.m.ts}` : `e:${item.e.ts}`;
  }

  private ts(item: Item): string {
    return item.kind === 'message' ? item.m.ts : item.e.ts;
  }

  private signature(item: Item): string {
    const x = item.kind === 'message' ? item.m : item.e;
    const files = item.kind === 'message' ? (item.m.files ?? []).map((f) => f.id).join(',') : '';
    return JSON.stringify([x.text, x.blocks, files]);
  }

  private threadLabel(threadTs: string): string {
    const root = this.source.messages(this.opts.channel.id).find((m) => m.ts === threadTs);
    const first = (root?.text ?? threadTs).split('\n')[0] ?? threadTs;
    return first.length > 60 ? `${first.slice(0, 59)}…` : first;
  }

  private render(item: Item, edited: boolean): string[] {
    const channel = `#${this.opts.channel.name}`;
    if (item.kind === 'ephemeral') {
      const e = item.e;
      const where = e.thread_ts === undefined ? channel : `${channel} › thread "${this.threadLabel(e.thread_ts)}"`;
      const head = `${edited ? '✎ updated · ' : ''}${where} · only you can see this (@${this.opts.userName(e.user)}) · ${clock(e.ts)}`;
      return [head, ...this.body(e.text, e.blocks, e.ts, e.user)];
    }
    const m = item.m;
    const author = m.bot_id !== undefined ? `${this.opts.userName(m.user ?? '')} [bot]` : `@${this.opts.userName(m.user ?? '')}`;
    const isReply = m.thread_ts !== undefined && m.thread_ts !== m.ts;
    const where = isReply ? `${channel} › thread "${this.threadLabel(m.thread_ts as string)}"${m.reply_broadcast ? ' (also sent to the channel)' : ''}` : channel;
    const head = `${edited ? '✎ edited · ' : ''}${where} · ${author} · ${clock(m.ts)}`;
    return [head, ...this.body(m.text, m.blocks, m.ts), ...(m.files ?? []).flatMap((f) => this.file(f))];
  }

  private body(text: string, blocks: unknown[], ts: string, onlyUser?: string): string[] {
    const lines = messageBodyLines(text, blocks).map((l) => `  ${l}`);
    const found = buttonsOf(blocks);
    if (found.length === 0) return lines;
    const labels = found.map((b) => {
      const existing = this.buttonList.find((x) => x.messageTs === ts && x.actionId === b.actionId);
      const n = existing?.n ?? this.buttonList.length + 1;
      if (existing === undefined) {
        this.buttonList.push({ ...b, n, channelId: this.opts.channel.id, messageTs: ts, ...(onlyUser !== undefined && { onlyUser }) });
      }
      return `${n}) ${b.label}`;
    });
    return [...lines, `  ↳ buttons — ${labels.join(' · ')}   (type: click <n> as @user)`];
  }

  private file(f: StoredFile): string[] {
    const saved = this.savedFiles.has(f.id) ? undefined : this.opts.saveFile?.(f);
    this.savedFiles.add(f.id);
    const lines = [`  📎 ${f.title} (${f.name}, ${f.content.length} bytes)${saved === undefined ? '' : ` saved to ${saved}`}`];
    if (!TEXT_FILE.test(f.name)) return lines;
    const max = this.opts.fileLines ?? 400;
    const text = f.content.toString('utf8').split('\n');
    const shown = text.slice(0, max).map((l) => `  │ ${l}`);
    return [...lines, ...shown, ...(text.length > max ? [`  │ … ${text.length - max} more lines in the file`] : [])];
  }
}
