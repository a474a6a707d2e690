// Coded errors that carry the fix. One class per code; `toUserMessage` renders any throwable once, for humans.
import { randomUUID } from 'node:crypto';
import { IncidentNotFoundError } from '../jobs/incidents/incident-store.ts';

export const ErrorCode = {
  InvalidCommand: 'invalid_command',
  NodeNotFound: 'node_not_found',
  PodNotFound: 'pod_not_found',
  ChannelNotAllowed: 'channel_not_allowed',
  QueueUnavailable: 'queue_unavailable',
  Config: 'config_invalid',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export abstract class CodedError extends Error {
  abstract readonly code: ErrorCode;
}

export class InvalidCommandError extends CodedError {
  readonly code = ErrorCode.InvalidCommand;
  constructor(
    readonly problem: string,
    readonly usage: string,
  ) {
    super(`${problem}\n${usage}`);
  }
}

export class NodeNotFoundError extends CodedError {
  readonly code = ErrorCode.NodeNotFound;
  constructor(
    readonly node: string,
    readonly cluster: string,
    readonly suggestions: string[],
  ) {
    const hint = suggestions.length > 0 ? ` Did you mean ${suggestions.map((s) => `\`${s}\``).join(', ')}?` : '';
    super(`Node \`${node}\` does not exist in cluster \`${cluster}\`.${hint}`);
  }
}

/** `diagnose pod`: no such pod (suggestions: the closest `ns/pod` names), or a name several pods start with. */
export class PodNotFoundError extends CodedError {
  readonly code = ErrorCode.PodNotFound;
  constructor(
    readonly pod: string,
    readonly cluster: string,
    readonly suggestions: string[],
    readonly ambiguous = false,
  ) {
    const list = suggestions.map((s) => `\`${s}\``).join(', ');
    super(ambiguous
      ? `\`${pod}\` matches several pods in cluster \`${cluster}\`: ${list}. Name one of them.`
      : `Pod \`${pod}\` does not exist in cluster \`${cluster}\`.${suggestions.length > 0 ? ` Did you mean ${list}?` : ''} \`kubectl get pods -A\` lists them.`);
  }
}

export class ChannelNotAllowedError extends CodedError {
  readonly code = ErrorCode.ChannelNotAllowed;
  constructor(readonly channelId: string) {
    super(`This bot is not enabled in <#${channelId}>. Ask an admin to add the channel to ALLOWED_CHANNELS.`);
  }
}

export class QueueUnavailableError extends CodedError {
  readonly code = ErrorCode.QueueUnavailable;
  constructor(readonly detail: string) {
    super(`The job queue is unavailable (${detail}); nothing was queued. Try again in a minute.`);
  }
}

export class ConfigError extends CodedError {
  readonly code = ErrorCode.Config;
  constructor(readonly problems: string[]) {
    super(`cilium-runbook cannot start; fix the configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

export function isCodedError(e: unknown): e is CodedError {
  return e instanceof CodedError;
}

/** The one place a throwable becomes user-facing text; unknown errors get an id that is also logged. */
export function toUserMessage(e: unknown): { text: string; errorId?: string } {
  if (isCodedError(e) || e instanceof IncidentNotFoundError) return { text: e.message };
  const errorId = randomUUID().slice(0, 8);
  return { text: `Something went wrong (error id \`${errorId}\`); the bot's log has the details.`, errorId };
}
