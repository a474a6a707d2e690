// The real bot against the sandbox emulators, for the fuzz tests: a stack with a log capture (pino → array), a
// counter of unhandled rejections, and a raw signed poster for payloads the emulator's driver would not build.
import { pino } from 'pino';
import { inject } from 'vitest';
import { startBot } from '../../bot/bot.ts';
import type { Config } from '../../bot/config.ts';
import { startSandboxStack, type SandboxStack } from '../../sandbox/sandbox-stack.ts';
import { signRequest } from '../../sandbox/slack/index.ts';
import type { Scenario } from '../../sandbox/scenario/index.ts';

export interface LogRecord {
  level: number;
  msg: string;
  [key: string]: unknown;
}

export interface FuzzStack extends SandboxStack {
  logs: LogRecord[];
  /** The bot's /slack/events URL (http mode). */
  eventsUrl: string;
}

export async function fuzzStack(scenario: Scenario, opts: { mode: 'http' | 'socket'; config?: (base: Config) => Config }): Promise<FuzzStack> {
  const s = await startSandboxStack({ scenario, redisUrl: inject('redisUrl'), startBot: false, mode: opts.mode });
  const logs: LogRecord[] = [];
  const stream = { write: (line: string) => void logs.push(JSON.parse(line) as LogRecord) };
  const config = opts.config === undefined ? s.config : opts.config(s.config);
  s.bot = await startBot(config, { logger: pino({ level: 'info' }, stream) });
  return Object.assign(s, { logs, eventsUrl: `http://127.0.0.1:${s.config.slack.httpPort}/slack/events` });
}

/** Counts unhandled rejections while installed (vitest would otherwise only report them after the run). */
export function rejectionCounter(): { count: () => number; reasons: unknown[]; dispose: () => void } {
  const reasons: unknown[] = [];
  const onRejection = (reason: unknown) => void reasons.push(reason);
  process.on('unhandledRejection', onRejection);
  return { count: () => reasons.length, reasons, dispose: () => void process.off('unhandledRejection', onRejection) };
}

/** POSTs a form body to the bot as Slack would, signed with `secret` (or an explicit signature) at `timestamp`. */
export async function postSignedRaw(
  url: string,
  body: string | Buffer,
  o: { secret: string; timestamp?: number | string; signature?: string; contentType?: string },
): Promise<{ status: number; text: string; contentType: string }> {
  const ts = o.timestamp ?? Math.floor(Date.now() / 1000);
  const bodyText = typeof body === 'string' ? body : body.toString('latin1');
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'Content-Type': o.contentType ?? 'application/x-www-form-urlencoded',
      'X-Slack-Request-Timestamp': String(ts),
      'X-Slack-Signature': o.signature ?? signRequest(o.secret, Number(ts), bodyText),
    },
    body,
    signal: AbortSignal.timeout(15_000),
  });
  return { status: res.status, text: await res.text(), contentType: res.headers.get('content-type') ?? '' };
}

/** Every job the diagnose queue has seen, in any state. */
export async function diagnoseJobCount(s: SandboxStack): Promise<number> {
  return (await s.bot?.queue.queue.getJobCountByTypes('waiting', 'active', 'completed', 'failed', 'delayed', 'prioritized', 'waiting-children')) ?? -1;
}
