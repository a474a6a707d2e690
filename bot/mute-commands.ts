// `/cilium mute <node|pool|runbook> <duration> [--cluster <name>]` and `/cilium mutes`: silence the watch for a
// node, a node pool or a cause (e.g. kernel-too-old) until the mute expires; the list is only for the asker.
import type { RespondFn } from '@slack/bolt';
import { InvalidCommandError } from './errors.ts';
import { escapeMrkdwn, inlineCode, slackUser } from './render/mrkdwn.ts';
import { formatTime } from './render/incident-summary.ts';
import { parseMuteDuration, type MuteStore } from '../jobs/watch/mutes.ts';

export type MuteCommand = { kind: 'mute'; target: string; durationMs: number } | { kind: 'mutes' };

export const MUTE_USAGE = [
  '• `/cilium mute <node|pool|runbook> <duration>` — the watch posts nothing about it until then (e.g. `/cilium mute workers-legacy 2h`)',
  '• `/cilium mutes` — the live mutes',
].join('\n');

/** A node, a pool or a runbook id: lower-case letters, digits, ".", "-" and "_" (label values allow "_"). */
const TARGET = /^[a-z0-9]([-a-z0-9._]{0,251}[a-z0-9])?$/;

export function parseMuteArgs(verb: 'mute' | 'mutes', args: string[], usage: string): MuteCommand {
  if (verb === 'mutes') {
    if (args.length > 0) throw new InvalidCommandError('`mutes` takes no arguments.', usage);
    return { kind: 'mutes' };
  }
  const [target, duration] = args;
  if (args.length !== 2 || target === undefined || duration === undefined) {
    throw new InvalidCommandError('`mute` takes what to mute and for how long, e.g. `/cilium mute node-7 30m`.', usage);
  }
  if (!TARGET.test(target)) throw new InvalidCommandError(`${escapeMrkdwn(JSON.stringify(target.slice(0, 60)))} is not a node, pool or runbook name.`, usage);
  const durationMs = parseMuteDuration(duration);
  if (durationMs === null) throw new InvalidCommandError(`${escapeMrkdwn(JSON.stringify(duration.slice(0, 20)))} is not a duration: use 90s, 30m, 2h or 1d (at most 30d).`, usage);
  return { kind: 'mute', target, durationMs };
}

export async function runMuteCommand(cmd: MuteCommand, ctx: { mutes: MuteStore | undefined; cluster: string; userId: string; respond: RespondFn }): Promise<void> {
  if (ctx.mutes === undefined) {
    await ctx.respond({ response_type: 'ephemeral', text: 'The watch is not enabled in this deployment (WATCH_ENABLED=true turns it on), so there is nothing to mute.' });
    return;
  }
  if (cmd.kind === 'mute') {
    const mute = await ctx.mutes.mute(ctx.cluster, cmd.target, cmd.durationMs, ctx.userId);
    await ctx.respond({ response_type: 'ephemeral', text: `Muted ${inlineCode(mute.target)} in ${escapeMrkdwn(ctx.cluster)} until ${formatTime(new Date(mute.until).toISOString())}: the watch reports it again after that if it persists.` });
    return;
  }
  const live = await ctx.mutes.list(ctx.cluster);
  const text = live.length === 0
    ? 'No mutes.'
    : ['*Mutes*', ...live.map((m) => `• ${inlineCode(m.target)} until ${formatTime(new Date(m.until).toISOString())}, by ${slackUser(m.by)}`)].join('\n');
  await ctx.respond({ response_type: 'ephemeral', text });
}
