// Drives the bot like Slack: slash commands and button clicks over HTTP (signed) or Socket Mode, with
// the ack timed against Slack's 3 s deadline and a slash command's ack body applied as its visible reply.
import type { ResponseUrls } from '../response-urls.ts';
import type { SocketModeServer } from '../socket/socket-server.ts';
import type { WorkspaceStore } from '../store.ts';
import type { ClickButtonArgs, ClickButtonResult, DeliveryResult, PreparedHttpRequest, SlashCommandArgs, SlashCommandResult } from '../types.ts';
import { isObject } from '../block-kit/checks.ts';
import { ACK_DEADLINE_MS, ackBodyToPayload, postSigned, signRequest, SLACK_REQUEST_HEADERS } from './http-delivery.ts';
import { blockActionsPayload, findButton, newTriggerId, slashCommandFields } from './payloads.ts';

export interface DriverDeps {
  store: WorkspaceStore;
  responseUrls: ResponseUrls;
  socket: SocketModeServer;
  signingSecret: string;
  httpTarget: () => string | undefined;
}

type Via = 'http' | 'socket';

interface Delivered extends Omit<DeliveryResult, 'responseUrl'> {
  ackPayload?: unknown;
}

export async function deliver(
  deps: DriverDeps,
  a: { via: Via; kind: 'slash_commands' | 'interactive'; form: string; payload: unknown; timestamp?: number; signature?: string },
): Promise<Delivered> {
  if (a.via === 'socket') {
    const ack = await deps.socket.send(a.kind, a.payload, ACK_DEADLINE_MS);
    return {
      status: ack.acked ? 200 : 408,
      body: ack.payload === undefined ? '' : JSON.stringify(ack.payload),
      ackMs: ack.ackMs,
      timedOut: !ack.acked,
      ...(isObject(ack.payload) && Object.keys(ack.payload).length > 0 ? { ackPayload: ack.payload } : {}),
    };
  }
  const target = deps.httpTarget();
  if (!target) throw new Error('Slack emulator: call setHttpTarget(url) before delivering over HTTP');
  const d = await postSigned(target, a.form, {
    signingSecret: deps.signingSecret,
    ...(a.timestamp !== undefined ? { timestamp: a.timestamp } : {}),
    ...(a.signature !== undefined ? { signature: a.signature } : {}),
  });
  const ackPayload = ackBodyToPayload(d);
  return {
    status: d.status,
    body: d.body,
    ackMs: d.ackMs,
    timedOut: d.ackMs > ACK_DEADLINE_MS,
    ...(ackPayload !== undefined ? { ackPayload } : {}),
  };
}

export async function sendSlashCommand(deps: DriverDeps, a: SlashCommandArgs): Promise<SlashCommandResult> {
  const command = a.command ?? '/cilium';
  const target = { kind: 'commands' as const, channel: a.channelId, user: a.userId };
  const responseUrl = deps.responseUrls.mint(target);
  const triggerId = newTriggerId();
  const fields = slashCommandFields(deps.store, { ...a, command, responseUrl, triggerId });
  const d = await deliver(deps, {
    via: a.via,
    kind: 'slash_commands',
    form: new URLSearchParams(fields).toString(),
    payload: fields,
    ...(a.timestamp !== undefined ? { timestamp: a.timestamp } : {}),
    ...(a.signature !== undefined ? { signature: a.signature } : {}),
  });
  // Slack discards an ack that missed the deadline; otherwise its body is the command's immediate reply.
  if (!d.timedOut && d.status === 200 && isObject(d.ackPayload)) {
    if (d.ackPayload.response_type === 'in_channel') {
      deps.store.addMessage({ channel: a.channelId, text: `${command} ${a.text}`.trim(), blocks: [], user: a.userId, source: 'slash_command' });
    }
    deps.responseUrls.apply(target, d.ackPayload, 'slash_ack');
  }
  return { ...d, responseUrl, triggerId };
}

export function prepareSlashCommand(deps: DriverDeps, a: Omit<SlashCommandArgs, 'via' | 'signature'>): PreparedHttpRequest {
  const url = deps.httpTarget();
  if (!url) throw new Error('Slack emulator: call setHttpTarget(url) before preparing an HTTP request');
  const command = a.command ?? '/cilium';
  const responseUrl = deps.responseUrls.mint({ kind: 'commands', channel: a.channelId, user: a.userId });
  const body = new URLSearchParams(slashCommandFields(deps.store, { ...a, command, responseUrl, triggerId: newTriggerId() })).toString();
  const timestamp = a.timestamp ?? Math.floor(Date.now() / 1000);
  return {
    url,
    body,
    responseUrl,
    headers: { ...SLACK_REQUEST_HEADERS, 'X-Slack-Request-Timestamp': String(timestamp), 'X-Slack-Signature': signRequest(deps.signingSecret, timestamp, body) },
  };
}

export async function sendButtonClick(deps: DriverDeps, a: ClickButtonArgs): Promise<ClickButtonResult> {
  const msg = deps.store.find(a.channelId, a.messageTs);
  const eph = msg ? undefined : deps.store.findEphemeral(a.channelId, a.messageTs);
  const holder = msg ?? eph;
  if (!holder) throw new Error(`Slack emulator: no message ${a.channelId}/${a.messageTs} to click in`);
  if (eph && eph.user !== a.userId) throw new Error(`Slack emulator: ${a.userId} cannot see ephemeral ${a.messageTs}`);
  const found = findButton(holder.blocks, a.actionId);
  if (!found) throw new Error(`Slack emulator: message ${a.messageTs} has no element with action_id "${a.actionId}"`);
  // Confirm dialogs are client-side: "deny" sends nothing at all.
  if (found.button.confirm !== undefined && a.confirmed === false) {
    return { status: 0, body: '', ackMs: 0, timedOut: false, responseUrl: '' };
  }
  const responseUrl = deps.responseUrls.mint({
    kind: 'actions',
    channel: a.channelId,
    user: a.userId,
    messageTs: holder.ts,
    isEphemeral: eph !== undefined,
    ...(holder.thread_ts !== undefined ? { threadTs: holder.thread_ts } : {}),
  });
  const payload = blockActionsPayload(deps.store, {
    channelId: a.channelId,
    userId: a.userId,
    msg: holder,
    ephemeral: eph !== undefined,
    found,
    ...(a.value !== undefined ? { value: a.value } : {}),
    responseUrl,
    triggerId: newTriggerId(),
  });
  const d = await deliver(deps, {
    via: a.via,
    kind: 'interactive',
    form: new URLSearchParams({ payload: JSON.stringify(payload) }).toString(),
    payload,
    ...(a.timestamp !== undefined ? { timestamp: a.timestamp } : {}),
    ...(a.signature !== undefined ? { signature: a.signature } : {}),
  });
  return { status: d.status, body: d.body, ackMs: d.ackMs, timedOut: d.timedOut, responseUrl };
}
