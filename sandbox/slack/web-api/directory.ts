// Identity and lookup methods: auth.test, users.info, usergroups.users.list, conversations.info,
// reactions.add/get, apps.connections.open.
import { str } from '../http/body.ts';
import { resolveChannel } from './chat.ts';
import { toApiMessage, type CallContext, type MethodSpec } from './context.ts';
import { failure, type ApiBody } from './message-content.ts';

function authTest({ store, tokenKind }: CallContext): ApiBody {
  const id = store.identity;
  const url = `https://${id.teamDomain}.slack.com/`;
  if (tokenKind === 'app') return { ok: true, app_id: id.appId, team_id: id.teamId, team: id.teamDomain, url };
  return {
    ok: true,
    url,
    team: id.teamDomain,
    user: id.botName,
    team_id: id.teamId,
    user_id: id.botUserId,
    bot_id: id.botId,
    app_id: id.appId,
    is_enterprise_install: false,
  };
}

function usersInfo({ params, store }: CallContext): ApiBody {
  const u = store.users.get(str(params, 'user') ?? '');
  if (!u) return failure('user_not_found');
  const isBot = u.id === store.identity.botUserId;
  return {
    ok: true,
    user: {
      id: u.id,
      team_id: store.identity.teamId,
      name: u.name,
      real_name: u.realName,
      deleted: false,
      is_bot: isBot,
      is_app_user: false,
      is_admin: false,
      is_owner: false,
      tz: 'Europe/Berlin',
      updated: 1_700_000_000,
      profile: { real_name: u.realName, display_name: u.name, image_48: `https://avatars.example/${u.id}.png` },
    },
  };
}

function usergroupUsers({ params, store }: CallContext): ApiBody {
  const g = store.usergroups.get(str(params, 'usergroup') ?? '');
  if (!g) return failure('no_such_subteam');
  return { ok: true, users: [...g.users] };
}

function conversationsInfo({ params, store }: CallContext): ApiBody {
  const id = resolveChannel(store, str(params, 'channel'));
  const c = id ? store.channels.get(id) : undefined;
  if (!c) return failure('channel_not_found');
  const isIm = c.id.startsWith('D');
  return {
    ok: true,
    channel: {
      id: c.id,
      name: c.name,
      is_channel: !isIm,
      is_group: false,
      is_im: isIm,
      is_private: false,
      is_archived: false,
      is_member: true,
      created: 1_700_000_000,
      creator: 'U0ONCALL01',
      topic: { value: '', creator: '', last_set: 0 },
      purpose: { value: '', creator: '', last_set: 0 },
    },
  };
}

function reactionsAdd({ params, store }: CallContext): ApiBody {
  const channel = resolveChannel(store, str(params, 'channel'));
  const ts = str(params, 'timestamp');
  if (!ts) return failure('no_item_specified');
  if (!channel) return failure('channel_not_found');
  const name = str(params, 'name') ?? '';
  if (name === '' || name.includes(':') || /\s/.test(name)) return failure('invalid_name');
  if (!store.find(channel, ts)) return failure('message_not_found');
  const r = store.addReaction(channel, ts, name, store.identity.botUserId);
  return r === 'ok' ? { ok: true } : failure(r);
}

function reactionsGet({ params, store }: CallContext): ApiBody {
  const channel = resolveChannel(store, str(params, 'channel'));
  const ts = str(params, 'timestamp');
  if (!channel || !ts) return failure('no_item_specified');
  const msg = store.find(channel, ts);
  if (!msg) return failure('message_not_found');
  const byName = new Map<string, string[]>();
  for (const r of store.reactionsOf(channel, ts)) byName.set(r.name, [...(byName.get(r.name) ?? []), r.user]);
  const reactions = [...byName].map(([name, users]) => ({ name, users, count: users.length }));
  return {
    ok: true,
    type: 'message',
    channel,
    message: { ...toApiMessage(msg, store.identity.teamId), ...(reactions.length ? { reactions } : {}) },
  };
}

/** conversations.replies: the parent then its replies, oldest first; metadata only with include_all_metadata. */
function conversationsReplies({ params, store }: CallContext): ApiBody {
  const channel = resolveChannel(store, str(params, 'channel'));
  if (channel === undefined || !store.channels.has(channel)) return failure('channel_not_found');
  const ts = str(params, 'ts');
  if (ts === undefined) return failure('invalid_arguments');
  const parent = store.find(channel, ts);
  if (parent === undefined) return failure('thread_not_found');
  const withMetadata = str(params, 'include_all_metadata') === 'true';
  const limit = Math.min(Math.max(Number(str(params, 'limit') ?? '1000') || 1000, 1), 1000);
  const all = [parent, ...store.replies(channel, ts)].slice(0, limit).map((m) => {
    const api = toApiMessage(m, store.identity.teamId);
    if (!withMetadata) delete api.metadata;
    return api;
  });
  return { ok: true, messages: all, has_more: false, response_metadata: { next_cursor: '' } };
}

function connectionsOpen({ env }: CallContext): ApiBody {
  return { ok: true, url: env.mintSocketUrl() };
}

export const DIRECTORY_METHODS: Record<string, MethodSpec> = {
  'auth.test': { token: 'any', handler: authTest },
  'users.info': { token: 'bot', handler: usersInfo },
  'usergroups.users.list': { token: 'bot', handler: usergroupUsers },
  'conversations.info': { token: 'bot', handler: conversationsInfo },
  'conversations.replies': { token: 'bot', handler: conversationsReplies },
  'reactions.add': { token: 'bot', handler: reactionsAdd },
  'reactions.get': { token: 'bot', handler: reactionsGet },
  'apps.connections.open': { token: 'app', handler: connectionsOpen },
};
