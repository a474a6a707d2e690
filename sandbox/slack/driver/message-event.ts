// The Events API delivery Slack makes when a person posts in a channel the app's bot is in and the app subscribes to
// `message.channels`: an `event_callback` wrapper (token, team_id, api_app_id, event, type, event_id, event_time,
// authorizations, is_ext_shared_channel, event_context) around the `message` event. A message that shares files has
// subtype `file_share` with `files`, `upload`, `display_as_bot`, and no `team` field (@slack/types
// FileShareMessageEvent, docs.slack.dev/tools/node-slack-sdk/reference/types/interfaces/FileShareMessageEvent;
// slackapi/slack-api-specs#62). Over Socket Mode it is an `events_api` envelope; over HTTP a signed JSON POST.
// The app only gets the events its manifest subscribes to (settings.event_subscriptions.bot_events).
import { randomBytes } from 'node:crypto';
import type { WorkspaceStore } from '../store.ts';
import type { DeliveryResult, MessageEventArgs, StoredMessage } from '../types.ts';
import { fileObject } from '../web-api/file-downloads.ts';
import { VERIFICATION_TOKEN } from './payloads.ts';
import { ACK_DEADLINE_MS, SLACK_REQUEST_HEADERS, signRequest } from './http-delivery.ts';
import type { DriverDeps } from './app-driver.ts';

/** The `message` event of a stored message, as Slack sends it to an app. */
export function messageEvent(store: WorkspaceStore, baseUrl: string, channelId: string, m: StoredMessage): Record<string, unknown> {
  const files = m.files ?? [];
  const common = {
    type: 'message',
    text: m.text,
    user: m.user,
    ts: m.ts,
    ...(m.thread_ts !== undefined && { thread_ts: m.thread_ts }),
    channel: channelId,
    event_ts: m.ts,
    channel_type: 'channel',
  };
  if (files.length === 0) return { ...common, team: store.identity.teamId };
  return { ...common, subtype: 'file_share', files: files.map((f) => fileObject(store, baseUrl, f)), upload: false, display_as_bot: false };
}

export function eventCallback(store: WorkspaceStore, event: Record<string, unknown>): Record<string, unknown> {
  const id = store.identity;
  return {
    token: VERIFICATION_TOKEN,
    team_id: id.teamId,
    api_app_id: id.appId,
    event,
    type: 'event_callback',
    event_id: `Ev${randomBytes(5).toString('hex').toUpperCase()}`,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ enterprise_id: null, team_id: id.teamId, user_id: id.botUserId, is_bot: true, is_enterprise_install: false }],
    is_ext_shared_channel: false,
    event_context: randomBytes(12).toString('hex'),
  };
}

export async function sendMessageEvent(
  deps: DriverDeps & { botEvents: string[]; baseUrl: () => string },
  a: MessageEventArgs,
): Promise<DeliveryResult & { payload: Record<string, unknown> }> {
  if (!deps.botEvents.includes('message.channels')) {
    throw new Error(`Slack emulator: the app does not subscribe to message.channels (bot_events: ${deps.botEvents.join(', ') || 'none'}); Slack would not send it this message`);
  }
  const msg = deps.store.find(a.channelId, a.messageTs);
  if (!msg) throw new Error(`Slack emulator: no message ${a.channelId}/${a.messageTs}`);
  if (!deps.store.isMember(a.channelId, deps.store.identity.botUserId)) throw new Error(`Slack emulator: the bot is not in ${a.channelId}; Slack sends it no message events from there`);
  const payload = eventCallback(deps.store, messageEvent(deps.store, deps.baseUrl(), a.channelId, msg));
  if (a.via === 'socket') {
    const ack = await deps.socket.send('events_api', payload, ACK_DEADLINE_MS);
    return { status: ack.acked ? 200 : 408, body: '', ackMs: ack.ackMs, timedOut: !ack.acked, responseUrl: '', payload };
  }
  const target = deps.httpTarget();
  if (!target) throw new Error('Slack emulator: call setHttpTarget(url) before delivering over HTTP');
  const body = JSON.stringify(payload);
  const timestamp = Math.floor(Date.now() / 1000);
  const started = performance.now();
  const res = await fetch(target, {
    method: 'POST',
    headers: { ...SLACK_REQUEST_HEADERS, 'Content-Type': 'application/json', 'X-Slack-Request-Timestamp': String(timestamp), 'X-Slack-Signature': signRequest(deps.signingSecret, timestamp, body) },
    body,
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  const ackMs = performance.now() - started;
  return { status: res.status, body: text, ackMs, timedOut: ackMs > ACK_DEADLINE_MS, responseUrl: '', payload };
}
