// The demo's live channel view: each message, reply, ephemeral and file is printed once as readable text (never
// raw JSON, `\n` escapes or a stray `{}`), edits once they settle, and buttons keep the numbers they were shown with.
import { describe, expect, it } from 'vitest';
import type { EphemeralMessage, StoredFile, StoredMessage } from '../../../sandbox/slack/types.ts';
import { SlackFeed, type FeedSource } from '../../../sandbox/slack/transcript/feed.ts';

const CH = { id: 'C0INCIDENTS', name: 'incidents' };

class FakeWorkspace implements FeedSource {
  readonly msgs: StoredMessage[] = [];
  readonly eph: EphemeralMessage[] = [];
  private clock = 1_800_000_000;
  private nextTs(): string {
    this.clock += 1;
    return `${this.clock}.000100`;
  }
  post(text: string, opts: { thread?: string; blocks?: unknown[]; files?: StoredFile[]; user?: string } = {}): StoredMessage {
    const ts = this.nextTs();
    const m: StoredMessage = {
      type: 'message', channel: CH.id, ts, text, blocks: opts.blocks ?? [], history: [], source: 'chat.postMessage',
      ...(opts.user === undefined ? { user: 'U0BOT', bot_id: 'B0BOT' } : { user: opts.user }),
      ...(opts.thread !== undefined && { thread_ts: opts.thread }),
      ...(opts.files !== undefined && { files: opts.files }),
    };
    if (opts.thread !== undefined) {
      const root = this.msgs.find((x) => x.ts === opts.thread);
      if (root !== undefined) root.thread_ts = root.ts;
    }
    this.msgs.push(m);
    return m;
  }
  whisper(user: string, text: string, thread?: string): void {
    this.eph.push({ channel: CH.id, user, ts: this.nextTs(), text, blocks: [], source: 'response_url', history: [], ...(thread !== undefined && { thread_ts: thread }) });
  }
  messages(): StoredMessage[] {
    return this.msgs.filter((m) => m.thread_ts === undefined || m.thread_ts === m.ts);
  }
  thread(_ch: string, ts: string): StoredMessage[] {
    return this.msgs.filter((m) => m.thread_ts === ts && m.ts !== ts);
  }
  ephemerals(): EphemeralMessage[] {
    return this.eph;
  }
}

const names: Record<string, string> = { U0BOT: 'cilium-runbook', U0ONCALL: 'oncall', U0LEAD: 'lead' };
const feedOf = (w: FakeWorkspace, extra: Partial<ConstructorParameters<typeof SlackFeed>[1]> = {}) =>
  new SlackFeed(w, { channel: CH, userName: (id) => names[id] ?? id, editSettleMs: 1_000, ...extra });

const button = (label: string, actionId: string, confirm = false) => ({
  type: 'button', text: { type: 'plain_text', text: label }, action_id: actionId, value: actionId,
  ...(confirm && { confirm: { title: { type: 'plain_text', text: `${label}?` }, text: { type: 'plain_text', text: 'Sets spec.unschedulable=true' }, confirm: { type: 'plain_text', text: 'Apply' }, deny: { type: 'plain_text', text: 'Cancel' } } }),
});

describe('SlackFeed', () => {
  it('prints a new message and a thread reply once each, the reply under its thread', () => {
    const w = new FakeWorkspace();
    const feed = feedOf(w);
    const root = w.post('INC-1: diagnosing node-7…');
    const first = feed.poll(0).join('\n');
    expect(first).toContain('#incidents · cilium-runbook [bot]');
    expect(first).toContain('INC-1: diagnosing node-7…');
    w.post('Diagnosis of node-7: kernel-too-old', { thread: root.ts });
    const second = feed.poll(10).join('\n');
    expect(second).toContain('#incidents › thread "INC-1: diagnosing node-7…" · cilium-runbook [bot]');
    expect(second).toContain('Diagnosis of node-7');
    expect(second).not.toContain('INC-1: diagnosing node-7…\n'); // the root is not printed again
    expect(feed.poll(20)).toEqual([]);
  });

  it('renders an ephemeral reply as readable text: real line breaks, no JSON, no {}', () => {
    const w = new FakeWorkspace();
    const feed = feedOf(w);
    w.whisper('U0ONCALL', '*Usage*\n• `/cilium diagnose <node>`\n• `/cilium help`');
    const out = feed.poll(0).join('\n');
    expect(out).toContain('only you can see this (@oncall)');
    expect(out).toContain('  *Usage*\n  • `/cilium diagnose <node>`\n  • `/cilium help`');
    expect(out).not.toMatch(/\\n|\{"|\{\}/);
  });

  it('shows a text-only message\'s mrkdwn escapes as Slack does', () => {
    const w = new FakeWorkspace();
    const feed = feedOf(w);
    w.whisper('U0ONCALL', 'refused: &lt;@U0ONCALL&gt; asked for this diagnosis &amp; cannot approve');
    expect(feed.poll(0).join('\n')).toContain('refused: <@U0ONCALL> asked for this diagnosis & cannot approve');
  });

  it('shows an edit once it has settled, or at once when flushed, and only its latest version', () => {
    const w = new FakeWorkspace();
    const feed = feedOf(w);
    const root = w.post('INC-1 queued');
    feed.poll(0);
    root.text = 'INC-1 collecting';
    expect(feed.poll(100)).toEqual([]);
    root.text = 'INC-1 investigating: kernel-too-old';
    expect(feed.poll(500)).toEqual([]); // changed again: the settle time starts over
    const settled = feed.poll(1_600).join('\n');
    expect(settled).toContain('✎ edited · #incidents');
    expect(settled).toContain('INC-1 investigating: kernel-too-old');
    expect(settled).not.toContain('collecting');
    root.text = 'INC-1 resolved';
    expect(feed.poll(1_700, true).join('\n')).toContain('INC-1 resolved');
    expect(feed.lastChangeAt).toBe(1_700);
  });

  it('skipExisting: what was there before the prompt is not printed', () => {
    const w = new FakeWorkspace();
    w.post('older message');
    const feed = feedOf(w);
    feed.skipExisting();
    expect(feed.poll(0)).toEqual([]);
    w.post('newer message');
    expect(feed.poll(1).join('\n')).toContain('newer message');
  });

  it('numbers buttons in the order shown, keeps the numbers, and carries each confirm dialog', () => {
    const w = new FakeWorkspace();
    const feed = feedOf(w);
    const root = w.post('INC-1');
    const report = w.post('report', { thread: root.ts, blocks: [{ type: 'actions', elements: [button('Cordon node-7', 'remediate:p1', true), button('Label node-7', 'remediate:p2')] }] });
    const out = feed.poll(0).join('\n');
    expect(out).toContain('↳ buttons — 1) Cordon node-7 · 2) Label node-7');
    w.post('later', { thread: root.ts, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'again?' }, accessory: button('Retry', 'retry') }] });
    feed.poll(10);
    expect(feed.buttons().map((b) => [b.n, b.label, b.messageTs === report.ts])).toEqual([[1, 'Cordon node-7', true], [2, 'Label node-7', true], [3, 'Retry', false]]);
    expect(feed.button(1)?.confirm).toEqual({ title: 'Cordon node-7?', text: 'Sets spec.unschedulable=true', confirm: 'Apply', deny: 'Cancel' });
    expect(feed.button(2)?.confirm).toBeUndefined();
    // An edit re-renders the message with the same numbers.
    report.blocks = [{ type: 'actions', elements: [button('Cordon node-7', 'remediate:p1', true), button('Label node-7', 'remediate:p2')] }, { type: 'context', elements: [{ type: 'mrkdwn', text: 'approved 1 of 2' }] }];
    expect(feed.poll(20, true).join('\n')).toContain('1) Cordon node-7 · 2) Label node-7');
    expect(feed.buttons()).toHaveLength(3);
  });

  it('saves an uploaded text file once, says where, and prints its content', () => {
    const w = new FakeWorkspace();
    const saved: string[] = [];
    const feed = feedOf(w, { saveFile: (f) => (saved.push(f.name), `/tmp/out/${f.name}`), fileLines: 3 });
    const root = w.post('INC-1');
    const content = Buffer.from('# Postmortem draft: INC-1\n\n## Summary\n- Node: node-7\n');
    const file: StoredFile = { id: 'F1', name: 'INC-1-postmortem.md', title: 'INC-1 postmortem draft', length: content.length, content, completed: true };
    w.post('Postmortem draft for INC-1', { thread: root.ts, files: [file] });
    const out = feed.poll(0).join('\n');
    expect(out).toContain(`📎 INC-1 postmortem draft (INC-1-postmortem.md, ${content.length} bytes) saved to /tmp/out/INC-1-postmortem.md`);
    expect(out).toContain('  │ # Postmortem draft: INC-1\n  │ \n  │ ## Summary\n  │ … 2 more lines in the file');
    feed.poll(10, true);
    expect(saved).toEqual(['INC-1-postmortem.md']);
  });
});
