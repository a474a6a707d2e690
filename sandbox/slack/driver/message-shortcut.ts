// A person uses one of the app's message shortcuts on a message: Slack sends a `message_action` interaction
// (docs.slack.dev/reference/interaction-payloads/shortcuts-interaction-payload; Bolt's MessageShortcut type):
// type, callback_id, trigger_id, response_url, message_ts, action_ts, token, team, user, channel, and the whole
// message (text, ts, thread_ts, user, files with their url_private…). Over HTTP it is the signed `payload=` form,
// over Socket Mode an `interactive` envelope; the app has 3 s to ack either way.
// Slack only offers shortcuts the app declares with `type: message`: using another is refused here, as the client
// would never show it.
import { isObject } from '../block-kit/checks.ts';
import type { WorkspaceStore } from '../store.ts';
import type { MessageShortcutArgs, MessageShortcutResult, SlackShortcutSeed, StoredMessage } from '../types.ts';
import { fileObject } from '../web-api/file-downloads.ts';
import { deliver, type DriverDeps } from './app-driver.ts';
import { newTriggerId, VERIFICATION_TOKEN } from './payloads.ts';

function apiMessage(store: WorkspaceStore, baseUrl: string, m: StoredMessage): Record<string, unknown> {
  return {
    type: 'message',
    ...(m.subtype !== undefined && { subtype: m.subtype }),
    text: m.text,
    ...(m.user !== undefined && { user: m.user }),
    ...(m.bot_id !== undefined && { bot_id: m.bot_id, app_id: m.app_id }),
    ts: m.ts,
    ...(m.thread_ts !== undefined && { thread_ts: m.thread_ts }),
    ...(m.blocks.length > 0 && { blocks: m.blocks }),
    ...(m.files !== undefined && m.files.length > 0 && { files: m.files.map((f) => fileObject(store, baseUrl, f)), upload: false, display_as_bot: false }),
    team: store.identity.teamId,
  };
}

export function messageActionPayload(
  store: WorkspaceStore,
  a: { baseUrl: string; callbackId: string; channelId: string; userId: string; msg: StoredMessage; responseUrl: string; triggerId: string },
): Record<string, unknown> {
  const id = store.identity;
  const user = store.users.get(a.userId);
  return {
    type: 'message_action',
    token: VERIFICATION_TOKEN,
    action_ts: store.nextTs(),
    team: { id: id.teamId, domain: id.teamDomain },
    user: { id: a.userId, username: user?.name ?? 'unknown', name: user?.name ?? 'unknown', team_id: id.teamId },
    channel: { id: a.channelId, name: store.channels.get(a.channelId)?.name ?? 'unknown' },
    is_enterprise_install: false,
    enterprise: null,
    callback_id: a.callbackId,
    trigger_id: a.triggerId,
    response_url: a.responseUrl,
    message_ts: a.msg.ts,
    message: apiMessage(store, a.baseUrl, a.msg),
  };
}

export async function sendMessageShortcut(
  deps: DriverDeps & { shortcuts: SlackShortcutSeed[]; baseUrl: () => string },
  a: MessageShortcutArgs,
): Promise<MessageShortcutResult> {
  const declared = deps.shortcuts.find((s) => s.callback_id === a.callbackId);
  if (declared?.type !== 'message') {
    const offered = deps.shortcuts.filter((s) => s.type === 'message').map((s) => s.callback_id);
    throw new Error(`Slack emulator: the app declares no message shortcut "${a.callbackId}" (declared: ${offered.join(', ') || 'none'}); Slack would not offer it`);
  }
  const msg = deps.store.find(a.channelId, a.messageTs);
  if (!msg) throw new Error(`Slack emulator: no message ${a.channelId}/${a.messageTs} to use a shortcut on`);
  if (!deps.store.isMember(a.channelId, a.userId)) throw new Error(`Slack emulator: ${a.userId} cannot see ${a.channelId}`);
  // Like a button's: replies through it go to the channel (or thread) of the message, ephemeral by default.
  const responseUrl = deps.responseUrls.mint({ kind: 'actions', channel: a.channelId, user: a.userId, ...(msg.thread_ts !== undefined && { threadTs: msg.thread_ts }) });
  const triggerId = newTriggerId();
  const payload = messageActionPayload(deps.store, { baseUrl: deps.baseUrl(), callbackId: a.callbackId, channelId: a.channelId, userId: a.userId, msg, responseUrl, triggerId });
  const d = await deliver(deps, {
    via: a.via,
    kind: 'interactive',
    form: new URLSearchParams({ payload: JSON.stringify(payload) }).toString(),
    payload,
    ...(a.timestamp !== undefined && { timestamp: a.timestamp }),
    ...(a.signature !== undefined && { signature: a.signature }),
  });
  return { status: d.status, body: d.body, ackMs: d.ackMs, timedOut: d.timedOut, responseUrl, triggerId, payload: isObject(payload) ? payload : {} };
}
