// One person at the demo prompt: slash commands as a sandbox user, button clicks as any user, and everything the
// bot posts printed as it lands (SlackFeed). A command returns once the bot has answered and gone quiet — its
// queues (diagnose, sweep, remediate) idle and nothing new for a moment — not on one fixed message, so a sweep,
// a second run or an incident command shows as soon as it is posted.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_CHANNEL, DEMO_USERS, type SandboxStack } from '../sandbox-stack.ts';
import { SlackFeed } from '../slack/transcript/feed.ts';

export const DEMO_HELP = `Demo commands (everything else goes to the bot as in Slack):
  /cilium <args>            a slash command as the current user, e.g. /cilium diagnose node-2, /cilium sweep
  /cilium                   the bot's help
  click <n> [as @user]      click button n (numbers are shown under each message); add "deny" to cancel its dialog
  buttons                   list the buttons shown so far
  user @name                act as another sandbox user (${DEMO_USERS.map((u) => `@${u.name}`).join(', ')})
  thread <INC-n>            print an incident's whole thread again
  help                      this list;  quit (or Ctrl-D) to stop`;

export interface SessionOptions {
  out: (line: string) => void;
  /** Where uploaded files (the exported postmortem) are written for the reader; called on the first file. */
  filesDir: () => string;
  /** Slack delivery the bot listens on. */
  via: 'socket' | 'http';
  /** How long one command may keep the prompt before it is handed back (its output still prints later). */
  commandTimeoutMs: number;
  /** The bot has answered when nothing changed for this long and no job is queued or running. */
  quietMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class DemoSession {
  readonly feed: SlackFeed;
  private userId: string;
  private ticker: NodeJS.Timeout | undefined;

  constructor(
    private readonly stack: SandboxStack,
    private readonly opts: SessionOptions,
  ) {
    this.userId = DEMO_USERS[0]?.id ?? 'U0ONCALL';
    const names = new Map<string, string>(DEMO_USERS.map((u) => [u.id, u.name]));
    names.set(stack.slack.botUserId, 'cilium-runbook');
    this.feed = new SlackFeed(stack.slack, {
      channel: DEMO_CHANNEL,
      userName: (id) => names.get(id) ?? id,
      saveFile: (f) => {
        const dir = opts.filesDir();
        mkdirSync(dir, { recursive: true });
        const path = join(dir, f.name.replace(/[^A-Za-z0-9._-]/g, '_'));
        writeFileSync(path, f.content);
        return path;
      },
    });
  }

  get user(): string {
    return DEMO_USERS.find((u) => u.id === this.userId)?.name ?? this.userId;
  }

  /** Prints what the bot posts in the background too (a verification that lands after the prompt came back). */
  startFeed(intervalMs = 200): void {
    this.ticker ??= setInterval(() => this.print(this.feed.poll()), intervalMs);
  }

  stopFeed(): void {
    if (this.ticker !== undefined) clearInterval(this.ticker);
    this.ticker = undefined;
  }

  /** Runs one line typed at the prompt. Returns false when the person asked to quit. */
  async run(line: string): Promise<boolean> {
    const text = line.trim();
    if (text === '') return true;
    const [word = '', ...rest] = text.split(/\s+/);
    switch (word.toLowerCase()) {
      case 'quit':
      case 'exit':
        return false;
      case 'help':
      case '?':
        this.opts.out(DEMO_HELP);
        return true;
      case 'buttons':
        this.listButtons();
        return true;
      case 'user':
        this.switchUser(rest[0] ?? '');
        return true;
      case 'thread':
        this.printThread(rest[0] ?? '');
        return true;
      case 'click':
        await this.click(rest);
        return true;
      default:
        await this.slash(text.replace(/^\/cilium(\s+|$)/, ''));
        return true;
    }
  }

  /** `/cilium <text>` as the current user; returns once the bot has answered and gone quiet. */
  async slash(text: string, userId = this.userId): Promise<void> {
    const started = Date.now();
    const sent = await this.stack.slack.slashCommand({ text, userId, channelId: DEMO_CHANNEL.id, command: '/cilium', via: this.opts.via });
    this.opts.out(`> /cilium ${text}`.trimEnd() + `   (@${this.nameOf(userId)}; acknowledged in ${sent.ackMs.toFixed(0)} ms${sent.timedOut ? ', too late: Slack shows an error' : ''})`);
    await this.settle(started);
  }

  /** `click <n> [as @user] [deny]`: the confirm dialog as Slack shows it, then the signed block_actions click. */
  async click(args: string[]): Promise<void> {
    const n = Number(args[0]);
    const asAt = args.findIndex((a) => a.toLowerCase() === 'as');
    const who = asAt >= 0 ? this.userByName(args[asAt + 1] ?? '') : this.userId;
    const deny = args.some((a) => a.toLowerCase() === 'deny');
    const button = Number.isInteger(n) ? this.feed.button(n) : undefined;
    if (button === undefined) {
      this.opts.out(`No button ${args[0] ?? ''}: type \`buttons\` to list them (1–${this.feed.buttons().length}).`);
      return;
    }
    if (who === undefined) {
      this.opts.out(`Unknown user ${args[asAt + 1] ?? ''}; sandbox users: ${DEMO_USERS.map((u) => `@${u.name}`).join(', ')}.`);
      return;
    }
    if (button.onlyUser !== undefined && button.onlyUser !== who) {
      this.opts.out(`Button ${n} is in a message only @${this.nameOf(button.onlyUser)} can see.`);
      return;
    }
    this.opts.out(`> @${this.nameOf(who)} clicks [ ${button.label} ]`);
    if (button.confirm !== undefined) {
      const c = button.confirm;
      this.opts.out(
        [`  ┌ dialog: ${c.title}`, ...c.text.split('\n').map((l) => `  │ ${l}`), `  └ [ ${c.deny} ]  [ ${c.confirm} ]  → @${this.nameOf(who)} clicks ${deny ? c.deny : c.confirm}`].join('\n'),
      );
    }
    const started = Date.now();
    const res = await this.stack.slack.clickButton({
      channelId: button.channelId,
      messageTs: button.messageTs,
      actionId: button.actionId,
      userId: who,
      via: this.opts.via,
      confirmed: !deny,
    });
    if (deny && button.confirm !== undefined) {
      this.opts.out('  (cancelled in the dialog: nothing is sent to the bot)');
      return;
    }
    if (res.status !== 200) this.opts.out(`  (the bot answered the click with HTTP ${res.status})`);
    await this.settle(started);
  }

  /** Waits until the bot has answered (something new since `started`) and is idle, then prints the rest. */
  async settle(started: number): Promise<void> {
    const quietMs = this.opts.quietMs ?? 400;
    // A command that changes nothing visible (rare) still hands the prompt back soon.
    const silentMs = 3_000;
    for (;;) {
      this.print(this.feed.poll());
      const now = Date.now();
      const answered = this.feed.lastChangeAt >= started;
      const quiet = now - Math.max(this.feed.lastChangeAt, started) >= quietMs;
      if (quiet && (answered || now - started >= silentMs) && !(await this.botBusy())) break;
      if (now - started >= this.opts.commandTimeoutMs) {
        this.opts.out(`(still working after ${Math.round(this.opts.commandTimeoutMs / 1000)} s; what it posts will appear here)`);
        break;
      }
      await sleep(100);
    }
    this.print(this.feed.poll(Date.now(), true));
  }

  /** True while a diagnosis, sweep or remediation is queued or running (its result is still to be posted). */
  async botBusy(): Promise<boolean> {
    const bot = this.stack.bot;
    if (bot === undefined) return false;
    const queues = [bot.queue.queue, bot.sweepQueue.queue, bot.remediateQueue.queue];
    const counts = await Promise.all(queues.map((q) => q.getJobCounts('active', 'waiting', 'delayed', 'prioritized', 'waiting-children')));
    return counts.some((c) => Object.values(c).some((v) => v > 0));
  }

  listButtons(): void {
    const all = this.feed.buttons();
    if (all.length === 0) {
      this.opts.out(this.stack.config.remediation.enabled ? 'No buttons yet: a diagnosis with a fix posts them.' : 'No buttons: remediation is off (start the demo with --remediation).');
      return;
    }
    for (const b of all) {
      const msg = this.stack.slack.message(b.channelId, b.messageTs);
      const root = msg?.thread_ts !== undefined && msg.thread_ts !== msg.ts ? this.stack.slack.message(b.channelId, msg.thread_ts) : undefined;
      const where = root === undefined ? '' : ` (thread "${(root.text.split('\n')[0] ?? '').slice(0, 50)}")`;
      this.opts.out(`  ${b.n}) ${b.label}${b.confirm !== undefined ? ' — asks to confirm' : ''}${b.onlyUser !== undefined ? ` — only @${this.nameOf(b.onlyUser)} sees it` : ''}${where}`);
    }
  }

  private switchUser(name: string): void {
    const id = this.userByName(name);
    if (id === undefined) {
      this.opts.out(`Unknown user "${name}"; sandbox users: ${DEMO_USERS.map((u) => `@${u.name}`).join(', ')}.`);
      return;
    }
    this.userId = id;
    this.opts.out(`You are now @${this.user}.`);
  }

  private printThread(incidentId: string): void {
    const id = incidentId.toUpperCase();
    const root = this.stack.slack.messages(DEMO_CHANNEL.id).find((m) => m.text.startsWith(`${id}:`) || m.text.startsWith(`${id} `));
    if (root === undefined) {
      this.opts.out(`No thread for "${incidentId}" in #${DEMO_CHANNEL.name} (try /cilium incidents).`);
      return;
    }
    this.opts.out(this.stack.slack.renderThread(DEMO_CHANNEL.id, root.ts));
  }

  private userByName(name: string): string | undefined {
    const bare = name.replace(/^@/, '').toLowerCase();
    return DEMO_USERS.find((u) => u.name === bare || u.id.toLowerCase() === bare)?.id;
  }

  private nameOf(id: string): string {
    return DEMO_USERS.find((u) => u.id === id)?.name ?? id;
  }

  private print(lines: string[]): void {
    if (lines.length > 0) this.opts.out(lines.join('\n'));
  }
}
