// chat.* methods: postMessage (threads, reply_broadcast, metadata), update, postEphemeral, getPermalink, delete.
import { bool, jsonField, str } from '../http/body.ts';
import type { WorkspaceStore } from '../store.ts';
import { toApiMessage, type CallContext, type MethodSpec } from './context.ts';
import { failure, readMessageContent, withWarnings, type ApiBody } from './message-content.ts';

/** Channel ids, `#name`/`name`, or a user id (opens the DM, as Slack does for bots). */
export function resolveChannel(store: WorkspaceStore, channel: string | undefined): string | undefined {
  if (!channel) return undefined;
  if (store.channels.has(channel)) return channel;
  const name = channel.replace(/^#/, '');
  for (const c of store.channels.values()) if (c.name === name) return c.id;
  if (store.users.has(channel)) {
    const id = `D${channel.slice(1)}`;
    store.channels.set(id, { id, name: channel });
    return id;
  }
  return undefined;
}

function postMessage({ params, store }: CallContext): ApiBody {
  const channel = resolveChannel(store, str(params, 'channel'));
  if (!channel) return failure('channel_not_found');
  const r = readMessageContent(params, { requireContent: true, overLongText: 'truncate' });
  if (!r.ok) return r.body;
  const threadTs = str(params, 'thread_ts');
  const metadata = jsonField(params, 'metadata');
  if (metadata.malformed) return failure('invalid_metadata_format');
  const msg = store.addMessage({
    channel,
    text: r.content.text ?? '',
    blocks: r.content.blocks ?? [],
    ...(threadTs ? { thread_ts: threadTs } : {}),
    reply_broadcast: bool(params, 'reply_broadcast'),
    ...(metadata.present ? { metadata: metadata.value } : {}),
    user: store.identity.botUserId,
    bot_id: store.identity.botId,
    source: 'chat.postMessage',
  });
  return withWarnings(
    { ok: true, channel, ts: msg.ts, message: toApiMessage(msg, store.identity.teamId) },
    r.content,
  );
}

function update({ params, store }: CallContext): ApiBody {
  const channel = resolveChannel(store, str(params, 'channel'));
  if (!channel) return failure('channel_not_found');
  const ts = str(params, 'ts');
  const msg = ts ? store.find(channel, ts) : undefined;
  if (!msg) return failure('message_not_found');
  if (msg.bot_id !== store.identity.botId) return failure('cant_update_message');
  // chat.update has no truncation path: over-long text is refused.
  const r = readMessageContent(params, { requireContent: true, overLongText: 'reject' });
  if (!r.ok) return r.body;
  store.updateMessage(msg, {
    ...(r.content.text !== undefined ? { text: r.content.text } : {}),
    ...(r.content.blocks !== undefined ? { blocks: r.content.blocks } : {}),
    user: store.identity.botUserId,
  });
  const metadata = jsonField(params, 'metadata');
  if (metadata.present && !metadata.malformed) msg.metadata = metadata.value;
  return withWarnings(
    { ok: true, channel, ts: msg.ts, text: msg.text, message: toApiMessage(msg, store.identity.teamId) },
    r.content,
  );
}

function postEphemeral({ params, store }: CallContext): ApiBody {
  const channel = resolveChannel(store, str(params, 'channel'));
  if (!channel) return failure('channel_not_found');
  const user = str(params, 'user');
  if (!user || !store.isMember(channel, user)) return failure('user_not_in_channel');
  const r = readMessageContent(params, { requireContent: true, overLongText: 'truncate' });
  if (!r.ok) return r.body;
  const threadTs = str(params, 'thread_ts');
  const e = store.addEphemeral({
    channel,
    user,
    text: r.content.text ?? '',
    blocks: r.content.blocks ?? [],
    ...(threadTs ? { thread_ts: threadTs } : {}),
    source: 'chat.postEphemeral',
  });
  return withWarnings({ ok: true, message_ts: e.ts }, r.content);
}

function getPermalink({ params, store }: CallContext): ApiBody {
  const channel = resolveChannel(store, str(params, 'channel'));
  if (!channel) return failure('channel_not_found');
  const ts = str(params, 'message_ts');
  const msg = ts ? store.find(channel, ts) : undefined;
  if (!msg) return failure('message_not_found');
  const base = `https://${store.identity.teamDomain}.slack.com/archives/${channel}/p${msg.ts.replace('.', '')}`;
  const permalink =
    msg.thread_ts !== undefined && msg.thread_ts !== msg.ts ? `${base}?thread_ts=${msg.thread_ts}&cid=${channel}` : base;
  return { ok: true, channel, permalink };
}

function deleteMessage({ params, store }: CallContext): ApiBody {
  const channel = resolveChannel(store, str(params, 'channel'));
  if (!channel) return failure('channel_not_found');
  const ts = str(params, 'ts');
  const msg = ts ? store.find(channel, ts) : undefined;
  if (!msg) return failure('message_not_found');
  if (msg.bot_id !== store.identity.botId) return failure('cant_delete_message');
  msg.deleted = true;
  return { ok: true, channel, ts: msg.ts };
}

export const CHAT_METHODS: Record<string, MethodSpec> = {
  'chat.postMessage': { token: 'bot', handler: postMessage },
  'chat.update': { token: 'bot', handler: update },
  'chat.postEphemeral': { token: 'bot', handler: postEphemeral },
  'chat.getPermalink': { token: 'bot', handler: getPermalink },
  'chat.delete': { token: 'bot', handler: deleteMessage },
};
