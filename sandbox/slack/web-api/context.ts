// What a Web API method handler gets, and how stored messages look on the wire.
import type { Params } from '../http/body.ts';
import type { WorkspaceStore } from '../store.ts';
import type { StoredMessage } from '../types.ts';
import type { ApiBody } from './message-content.ts';

export interface EmulatorEnv {
  /** http://127.0.0.1:PORT */
  baseUrl: string;
  /** Mints a single-use Socket Mode URL (apps.connections.open). */
  mintSocketUrl(): string;
}

export interface CallContext {
  params: Params;
  store: WorkspaceStore;
  env: EmulatorEnv;
  tokenKind: 'bot' | 'app';
}

export type TokenKind = 'bot' | 'app' | 'any';

export interface MethodSpec {
  token: TokenKind;
  handler(ctx: CallContext): ApiBody | Promise<ApiBody>;
}

/** A stored message as Slack returns it from chat.postMessage / chat.update / reactions.get. */
export function toApiMessage(m: StoredMessage, teamId: string): Record<string, unknown> {
  return {
    type: 'message',
    ...(m.subtype !== undefined ? { subtype: m.subtype } : {}),
    text: m.text,
    ...(m.user !== undefined ? { user: m.user } : {}),
    ...(m.bot_id !== undefined ? { bot_id: m.bot_id, app_id: m.app_id } : {}),
    ts: m.ts,
    ...(m.thread_ts !== undefined ? { thread_ts: m.thread_ts } : {}),
    ...(m.blocks.length > 0 ? { blocks: m.blocks } : {}),
    ...(m.metadata !== undefined ? { metadata: m.metadata } : {}),
    ...(m.edited ? { edited: m.edited } : {}),
    ...(m.files ? { files: m.files.map((f) => ({ id: f.id, name: f.name, title: f.title, size: f.length })) } : {}),
    team: teamId,
  };
}
