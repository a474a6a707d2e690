// The payloads Slack sends to the app: slash command fields (A.1) and block_actions (A.2), built from the
// workspace state so a click carries the real message, container and button.
import { randomBytes } from 'node:crypto';
import { isObject } from '../block-kit/checks.ts';
import type { WorkspaceStore } from '../store.ts';
import type { EphemeralMessage, StoredMessage } from '../types.ts';
import { toApiMessage } from '../web-api/context.ts';

export const VERIFICATION_TOKEN = 'sandbox-verification-token';

export function newTriggerId(): string {
  return `${Date.now()}.${Math.floor(Math.random() * 1e12)}.${randomBytes(16).toString('hex')}`;
}

export function slashCommandFields(
  store: WorkspaceStore,
  a: { command: string; text: string; userId: string; channelId: string; responseUrl: string; triggerId: string },
): Record<string, string> {
  const id = store.identity;
  return {
    token: VERIFICATION_TOKEN,
    team_id: id.teamId,
    team_domain: id.teamDomain,
    channel_id: a.channelId,
    channel_name: store.channels.get(a.channelId)?.name ?? 'unknown',
    user_id: a.userId,
    user_name: store.users.get(a.userId)?.name ?? 'unknown',
    command: a.command,
    text: a.text,
    api_app_id: id.appId,
    is_enterprise_install: 'false',
    response_url: a.responseUrl,
    trigger_id: a.triggerId,
  };
}

export interface FoundButton {
  button: Record<string, unknown>;
  blockId: string;
}

/** The element with this action_id in an actions block or a section accessory. */
export function findButton(blocks: unknown[], actionId: string): FoundButton | undefined {
  for (const b of blocks) {
    if (!isObject(b)) continue;
    const elements: unknown[] = Array.isArray(b.elements) ? (b.elements as unknown[]) : [];
    const candidates = [...elements, b.accessory];
    for (const el of candidates) {
      if (isObject(el) && el.action_id === actionId) {
        return { button: el, blockId: typeof b.block_id === 'string' ? b.block_id : '' };
      }
    }
  }
  return undefined;
}

export function blockActionsPayload(
  store: WorkspaceStore,
  a: {
    channelId: string;
    userId: string;
    msg: StoredMessage | EphemeralMessage;
    ephemeral: boolean;
    found: FoundButton;
    value?: string;
    responseUrl: string;
    triggerId: string;
  },
): Record<string, unknown> {
  const id = store.identity;
  const user = store.users.get(a.userId);
  const { button, blockId } = a.found;
  const value = a.value ?? button.value;
  const action: Record<string, unknown> = {
    type: button.type,
    action_id: button.action_id,
    block_id: blockId,
    ...(button.text !== undefined ? { text: button.text } : {}),
    ...(value !== undefined ? { value } : {}),
    ...(button.style !== undefined ? { style: button.style } : {}),
    ...(button.url !== undefined ? { url: button.url } : {}),
    action_ts: store.nextTs(),
  };
  const threadTs = a.msg.thread_ts;
  return {
    type: 'block_actions',
    user: { id: a.userId, username: user?.name ?? 'unknown', name: user?.name ?? 'unknown', team_id: id.teamId },
    api_app_id: id.appId,
    token: VERIFICATION_TOKEN,
    container: {
      type: 'message',
      message_ts: a.msg.ts,
      channel_id: a.channelId,
      is_ephemeral: a.ephemeral,
      ...(threadTs !== undefined ? { thread_ts: threadTs } : {}),
    },
    trigger_id: a.triggerId,
    team: { id: id.teamId, domain: id.teamDomain },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: a.channelId, name: store.channels.get(a.channelId)?.name ?? 'unknown' },
    // Ephemeral containers carry no message object (A.2).
    ...(a.ephemeral ? {} : { message: toApiMessage(a.msg as StoredMessage, id.teamId) }),
    state: { values: {} },
    response_url: a.responseUrl,
    actions: [action],
  };
}
