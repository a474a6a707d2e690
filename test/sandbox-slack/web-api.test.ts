// The real @slack/web-api WebClient against the emulator: messages, threads, edits, ephemerals,
// permalinks, reactions, lookups, the v2 upload flow and token checks.
import { ErrorCode, WebClient, type WebAPIPlatformError } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSlackEmulator, type SlackEmulator } from '../../sandbox/slack/index.ts';
import { capturedLogger } from './captured-logger.ts';

const CH = 'C0INCIDENT';
let emu: SlackEmulator;
let client: WebClient;

function platformError(err: unknown): WebAPIPlatformError {
  expect(err).toMatchObject({ code: ErrorCode.PlatformError });
  return err as WebAPIPlatformError;
}

beforeAll(async () => {
  emu = await startSlackEmulator({
    users: [
      { id: 'U0ONCALL01', name: 'oncall', realName: 'Olivia Oncall' },
      { id: 'U0VIEWER01', name: 'viewer' },
    ],
    usergroups: [{ id: 'S0SRE', handle: 'sre', users: ['U0ONCALL01'] }],
  });
  client = new WebClient(emu.botToken, { slackApiUrl: emu.apiUrl, retryConfig: { retries: 0 }, logger: capturedLogger() });
});
afterAll(async () => {
  await emu.stop();
});

describe('Web API with the real WebClient', () => {
  it('auth.test identifies the bot', async () => {
    const r = await client.auth.test();
    expect(r).toMatchObject({ ok: true, user_id: emu.botUserId, bot_id: emu.botId, team_id: emu.teamId });
  });

  it('posts a root message and threaded replies (with reply_broadcast) that are stored in order', async () => {
    const root = await client.chat.postMessage({
      channel: CH,
      text: 'Diagnosing node-7',
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*Diagnosing* `node-7`' } }],
      metadata: { event_type: 'diagnosis', event_payload: { node: 'node-7' } },
    });
    expect(root.ok).toBe(true);
    expect(root.message?.bot_id).toBe(emu.botId);
    const ts = root.ts ?? '';
    await client.chat.postMessage({ channel: CH, thread_ts: ts, text: 'step 1' });
    await client.chat.postMessage({ channel: CH, thread_ts: ts, text: 'verdict', reply_broadcast: true, unfurl_links: false });
    const thread = emu.thread(CH, ts);
    expect(thread.map((m) => m.text)).toEqual(['step 1', 'verdict']);
    expect(thread[1]?.reply_broadcast).toBe(true);
    expect(emu.messages(CH).map((m) => m.text)).toContain('verdict');
    expect(emu.messages(CH).map((m) => m.text)).not.toContain('step 1');
    expect(emu.message(CH, ts)?.metadata).toEqual({ event_type: 'diagnosis', event_payload: { node: 'node-7' } });
    expect(emu.calls('chat.postMessage')[0]?.params.blocks).toEqual([
      expect.objectContaining({ type: 'section' }),
    ]);
  });

  it('chat.update keeps an edit history and omitted blocks stay', async () => {
    const r = await client.chat.postMessage({
      channel: CH,
      text: 'v1',
      blocks: [{ type: 'section', text: { type: 'plain_text', text: 'v1 body' } }],
    });
    await client.chat.update({ channel: CH, ts: r.ts ?? '', text: 'v2' });
    const m = emu.message(CH, r.ts ?? '');
    expect(m?.text).toBe('v2');
    expect(m?.blocks).toHaveLength(1);
    expect(m?.history.map((h) => h.text)).toEqual(['v1']);
    expect(m?.edited?.user).toBe(emu.botUserId);
    const missing = await client.chat.update({ channel: CH, ts: '1.000001', text: 'x' }).catch((e: unknown) => e);
    expect(platformError(missing).data.error).toBe('message_not_found');
  });

  it('ephemeral messages, permalinks and reactions', async () => {
    const e = await client.chat.postEphemeral({ channel: CH, user: 'U0ONCALL01', text: 'only you' });
    expect(e.message_ts).toMatch(/^\d+\.\d{6}$/);
    expect(emu.ephemerals({ userId: 'U0ONCALL01' }).map((x) => x.text)).toContain('only you');
    const bad = await client.chat.postEphemeral({ channel: CH, user: 'U0NOBODY', text: 'x' }).catch((x: unknown) => x);
    expect(platformError(bad).data.error).toBe('user_not_in_channel');

    const root = await client.chat.postMessage({ channel: CH, text: 'root' });
    const reply = await client.chat.postMessage({ channel: CH, text: 'reply', thread_ts: root.ts ?? '' });
    const link = await client.chat.getPermalink({ channel: CH, message_ts: reply.ts ?? '' });
    expect(link.permalink).toContain(`/archives/${CH}/p${(reply.ts ?? '').replace('.', '')}?thread_ts=${root.ts}`);

    await client.reactions.add({ channel: CH, timestamp: root.ts ?? '', name: 'eyes' });
    expect(emu.reactions(CH, root.ts ?? '')).toEqual(['eyes']);
    const again = await client.reactions.add({ channel: CH, timestamp: root.ts ?? '', name: 'eyes' }).catch((x: unknown) => x);
    expect(platformError(again).data.error).toBe('already_reacted');
    const got = await client.reactions.get({ channel: CH, timestamp: root.ts ?? '' });
    expect(got.message?.reactions?.[0]).toMatchObject({ name: 'eyes', count: 1 });
  });

  it('users.info, usergroups.users.list and conversations.info', async () => {
    const u = await client.users.info({ user: 'U0ONCALL01' });
    expect(u.user).toMatchObject({ id: 'U0ONCALL01', name: 'oncall', real_name: 'Olivia Oncall' });
    const g = await client.usergroups.users.list({ usergroup: 'S0SRE' });
    expect(g.users).toEqual(['U0ONCALL01']);
    const c = await client.conversations.info({ channel: CH });
    expect(c.channel).toMatchObject({ id: CH, name: 'incidents', is_member: true });
    const nf = await client.conversations.info({ channel: 'C0NOPE' }).catch((x: unknown) => x);
    expect(platformError(nf).data.error).toBe('channel_not_found');
  });

  it('uploads a file into a thread with filesUploadV2', async () => {
    const root = await client.chat.postMessage({ channel: CH, text: 'diagnosis' });
    const content = 'iptables-save -t nat\n*nat\n:KUBE-SERVICES - [0:0]\n';
    const r = await client.filesUploadV2({
      channel_id: CH,
      thread_ts: root.ts ?? '',
      filename: 'nat.txt',
      title: 'NAT rules on node-7',
      content,
      initial_comment: 'Full rule dump',
    });
    expect(r.ok).toBe(true);
    const f = emu.files().find((x) => x.name === 'nat.txt');
    expect(f?.completed).toBe(true);
    expect(f?.content.toString('utf8')).toBe(content);
    expect(f?.title).toBe('NAT rules on node-7');
    const shared = emu.thread(CH, root.ts ?? '').find((m) => m.files?.length);
    expect(shared?.text).toBe('Full rule dump');
    expect(emu.renderThread(CH, root.ts ?? '')).toContain('NAT rules on node-7');
  });

  it('refuses bad tokens and the wrong token type', async () => {
    const bad = new WebClient('xoxb-wrong', { slackApiUrl: emu.apiUrl, retryConfig: { retries: 0 }, logger: capturedLogger() });
    const e1 = await bad.auth.test().catch((x: unknown) => x);
    expect(platformError(e1).data.error).toBe('invalid_auth');
    const none = new WebClient(undefined, { slackApiUrl: emu.apiUrl, retryConfig: { retries: 0 }, logger: capturedLogger() });
    const e2 = await none.chat.postMessage({ channel: CH, text: 'x' }).catch((x: unknown) => x);
    expect(platformError(e2).data.error).toBe('not_authed');
    const e3 = await client.apps.connections.open().catch((x: unknown) => x);
    expect(platformError(e3).data.error).toBe('not_allowed_token_type');
    // Token in the form body only (no Authorization header) is accepted too.
    const r = await fetch(`${emu.apiUrl}auth.test`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `token=${emu.botToken}`,
    });
    expect(await r.json()).toMatchObject({ ok: true, user_id: emu.botUserId });
  });

  it('accepts JSON bodies and reports unknown channels', async () => {
    const r = await fetch(`${emu.apiUrl}chat.postMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', authorization: `Bearer ${emu.botToken}` },
      body: JSON.stringify({ channel: CH, text: 'json body', blocks: [{ type: 'divider' }] }),
    });
    expect(await r.json()).toMatchObject({ ok: true, channel: CH });
    const e = await client.chat.postMessage({ channel: 'C0NOPE', text: 'x' }).catch((x: unknown) => x);
    expect(platformError(e).data.error).toBe('channel_not_found');
    const nt = await client.chat.postMessage({ channel: CH, text: '' }).catch((x: unknown) => x);
    expect(platformError(nt).data.error).toBe('no_text');
  });
});
