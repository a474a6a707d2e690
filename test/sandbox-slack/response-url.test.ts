// response_url semantics (in_channel, replace_original, delete_original, 5 uses), clicks on ephemeral
// messages (no `message` object), and the transcript renderer.
import type { BlockAction, ButtonAction } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSlackEmulator, type SlackEmulator } from '../../sandbox/slack/index.ts';
import { startHttpApp, type RunningApp } from './bolt-apps.ts';

const CH = 'C0INCIDENT';
const ONCALL = 'U0ONCALL01';
let emu: SlackEmulator;
let bot: RunningApp;
const clicks: BlockAction<ButtonAction>[] = [];

const postJson = (url: string, body: unknown): Promise<Response> =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

beforeAll(async () => {
  emu = await startSlackEmulator();
  bot = await startHttpApp(emu, (app) => {
    app.command('/cilium', async ({ ack, respond }) => {
      await ack();
      await respond({
        text: 'Pick one',
        blocks: [
          { type: 'actions', elements: [{ type: 'button', action_id: 'pick', text: { type: 'plain_text', text: 'Pick' }, value: 'p' }] },
        ],
      });
    });
    app.action<BlockAction<ButtonAction>>('pick', async ({ ack, body, respond }) => {
      await ack();
      clicks.push(body);
      await respond({ delete_original: true });
    });
  });
});
afterAll(async () => {
  await bot.stop();
  await emu.stop();
});

describe('response_url', () => {
  it('a click on an ephemeral message has no message object, and delete_original removes it', async () => {
    await emu.slashCommand({ text: 'pick', userId: ONCALL, channelId: CH, via: 'http' });
    const eph = await emu.waitFor(() => emu.ephemerals({ userId: ONCALL }).find((e) => e.text === 'Pick one'));
    await expect(emu.clickButton({ channelId: CH, messageTs: eph.ts, actionId: 'pick', userId: 'U0VIEWER01', via: 'http' })).rejects.toThrow(/cannot see/);
    await emu.clickButton({ channelId: CH, messageTs: eph.ts, actionId: 'pick', userId: ONCALL, via: 'http' });
    const body = await emu.waitFor(() => clicks[0]);
    expect(body.container).toMatchObject({ is_ephemeral: true, message_ts: eph.ts });
    expect(body.message).toBeUndefined();
    await emu.waitFor(() => !emu.ephemerals({ userId: ONCALL }).some((e) => e.ts === eph.ts), { description: 'ephemeral deleted' });
  });

  it('in_channel posts to the channel (or thread), and a URL works 5 times only', async () => {
    const r = await emu.slashCommand({ text: 'pick', userId: ONCALL, channelId: CH, via: 'http' });
    await emu.waitFor(() => emu.responseUrlPosts(r.responseUrl).length === 1);
    const root = await postJson(r.responseUrl, { response_type: 'in_channel', text: 'Incident opened' });
    expect(root.status).toBe(200);
    const rootMsg = emu.messages(CH).find((m) => m.text === 'Incident opened');
    expect(rootMsg?.bot_id).toBe(emu.botId);
    await postJson(r.responseUrl, { response_type: 'in_channel', text: 'in thread', thread_ts: rootMsg?.ts });
    expect(emu.thread(CH, rootMsg?.ts ?? '').map((m) => m.text)).toEqual(['in thread']);
    expect((await postJson(r.responseUrl, { text: 'fourth' })).status).toBe(200);
    expect((await postJson(r.responseUrl, { text: 'fifth' })).status).toBe(200);
    const sixth = await postJson(r.responseUrl, { text: 'sixth' });
    expect(sixth.status).toBe(404);
    expect(await sixth.text()).toBe('used_url');
    expect(emu.responseUrlPosts(r.responseUrl)).toHaveLength(6);
  });

  it('refuses invalid blocks with HTTP 400 (Bolt respond() would throw)', async () => {
    const r = await emu.slashCommand({ text: 'pick', userId: ONCALL, channelId: CH, via: 'http' });
    const res = await postJson(r.responseUrl, { text: 'x', blocks: [{ type: 'header', text: { type: 'mrkdwn', text: 'no' } }] });
    expect(res.status).toBe(400);
    expect(await res.text()).toBe('invalid_blocks');
  });
});

describe('renderThread', () => {
  it('renders header, section, fields, context, divider, buttons, edits, replies, files and reactions', async () => {
    const api = async (method: string, body: Record<string, unknown>): Promise<Record<string, unknown>> => {
      const res = await fetch(`${emu.apiUrl}${method}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${emu.botToken}` },
        body: JSON.stringify(body),
      });
      return (await res.json()) as Record<string, unknown>;
    };
    const root = await api('chat.postMessage', {
      channel: CH,
      text: 'fallback',
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: 'node-7: Cilium agent down' } },
        { type: 'section', text: { type: 'mrkdwn', text: '*Verdict:* kernel 4.14 is too old' } },
        { type: 'section', fields: [{ type: 'mrkdwn', text: '*Node*\nnode-7' }, { type: 'mrkdwn', text: '*Kernel*\n4.14' }] },
        { type: 'divider' },
        { type: 'context', elements: [{ type: 'mrkdwn', text: 'collected in 2.1 s' }, { type: 'plain_text', text: 'run 42' }] },
        {
          type: 'actions',
          elements: [
            { type: 'button', action_id: 'cordon', text: { type: 'plain_text', text: 'Cordon node-7' } },
            { type: 'button', action_id: 'dismiss', text: { type: 'plain_text', text: 'Dismiss' } },
          ],
        },
      ],
    });
    const ts = String(root.ts);
    await api('chat.postMessage', { channel: CH, thread_ts: ts, text: 'Step 1: agent logs' });
    const second = await api('chat.postMessage', { channel: CH, thread_ts: ts, text: 'Step 2: pending' });
    await api('chat.update', { channel: CH, ts: second.ts, text: 'Step 2: done' });
    await api('reactions.add', { channel: CH, timestamp: ts, name: 'rotating_light' });
    const out = emu.renderThread(CH, ts);
    expect(out).toContain('#incidents · thread');
    expect(out).toContain('cilium-runbook [bot]');
    expect(out).toContain('## node-7: Cilium agent down');
    expect(out).toContain('*Verdict:* kernel 4.14 is too old');
    expect(out).toMatch(/\*Node\* node-7\s+\*Kernel\* 4\.14/);
    expect(out).toContain('collected in 2.1 s · run 42');
    expect(out).toContain('[ Cordon node-7 ] [ Dismiss ]');
    expect(out).toContain(':rotating_light:');
    expect(out).toContain('Step 2: done');
    expect(out).not.toContain('Step 2: pending');
    expect(out.indexOf('Step 1')).toBeLessThan(out.indexOf('Step 2'));
    expect(out).toMatch(/Step 2: done/);
    expect(out).toContain('(edited)');
  });
});
