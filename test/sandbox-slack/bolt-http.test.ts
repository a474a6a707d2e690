// A real Bolt 5.1 App with its HTTP receiver, driven by signed slash commands and button clicks.
import type { BlockAction, ButtonAction } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSlackEmulator, type SlackEmulator } from '../../sandbox/slack/index.ts';
import { startHttpApp, type RunningApp } from './bolt-apps.ts';

const CH = 'C0INCIDENT';
const ONCALL = 'U0ONCALL01';
let emu: SlackEmulator;
let bot: RunningApp;
const clicks: BlockAction<ButtonAction>[] = [];

beforeAll(async () => {
  emu = await startSlackEmulator();
  bot = await startHttpApp(emu, (app) => {
    app.command('/cilium', async ({ command, ack, respond, client }) => {
      if (command.text === 'help') {
        await ack({ response_type: 'ephemeral', text: 'usage: /cilium diagnose <node>' });
        return;
      }
      if (command.text === 'slow') {
        await new Promise((r) => setTimeout(r, 3200));
        await ack();
        return;
      }
      await ack();
      await respond({ response_type: 'ephemeral', text: `Diagnosing ${command.text}…` });
      const root = await client.chat.postMessage({ channel: command.channel_id, text: `Diagnosis of ${command.text}` });
      await client.chat.postMessage({
        channel: command.channel_id,
        thread_ts: root.ts ?? '',
        text: 'Fix available',
        blocks: [
          { type: 'section', text: { type: 'mrkdwn', text: '*Agent crash-looping* on `node-7`' } },
          {
            type: 'actions',
            block_id: 'fix-1',
            elements: [
              {
                type: 'button',
                action_id: 'remediate:cordon',
                text: { type: 'plain_text', text: 'Cordon node-7' },
                value: '{"node":"node-7"}',
                style: 'danger',
                confirm: {
                  title: { type: 'plain_text', text: 'Cordon?' },
                  text: { type: 'mrkdwn', text: 'Stops new pods on node-7' },
                  confirm: { type: 'plain_text', text: 'Cordon' },
                  deny: { type: 'plain_text', text: 'Cancel' },
                },
              },
            ],
          },
        ],
      });
    });
    app.action<BlockAction<ButtonAction>>('remediate:cordon', async ({ ack, body, respond }) => {
      await ack();
      clicks.push(body);
      await respond({ replace_original: true, text: `Cordoned by <@${body.user.id}>` });
    });
  });
});
afterAll(async () => {
  await bot.stop();
  await emu.stop();
});

describe('Bolt HTTP receiver', () => {
  it('acks a signed slash command fast; respond() reaches the response_url; the thread gets a button', async () => {
    const r = await emu.slashCommand({ text: 'diagnose node-7', userId: ONCALL, channelId: CH, via: 'http' });
    expect(r.status).toBe(200);
    expect(r.ackMs).toBeLessThan(1000);
    expect(r.timedOut).toBe(false);
    const post = await emu.waitFor(() => emu.responseUrlPosts(r.responseUrl)[0], { description: 'respond()' });
    expect(post.body).toMatchObject({ response_type: 'ephemeral', text: 'Diagnosing diagnose node-7…' });
    expect(emu.ephemerals({ userId: ONCALL }).map((e) => e.text)).toContain('Diagnosing diagnose node-7…');
    const root = await emu.waitFor(() => emu.messages(CH).find((m) => m.text === 'Diagnosis of diagnose node-7'));
    const reply = await emu.waitFor(() => emu.thread(CH, root.ts)[0]);
    expect(emu.renderThread(CH, root.ts)).toContain('[ Cordon node-7 ]');

    // Deny in the confirm dialog: Slack sends nothing.
    const denied = await emu.clickButton({ channelId: CH, messageTs: reply.ts, actionId: 'remediate:cordon', userId: ONCALL, via: 'http', confirmed: false });
    expect(denied.status).toBe(0);
    expect(clicks).toHaveLength(0);

    const click = await emu.clickButton({ channelId: CH, messageTs: reply.ts, actionId: 'remediate:cordon', userId: ONCALL, via: 'http' });
    expect(click.status).toBe(200);
    const body = await emu.waitFor(() => clicks[0], { description: 'app.action handler' });
    expect(body.type).toBe('block_actions');
    expect(body.user.id).toBe(ONCALL);
    expect(body.actions[0]).toMatchObject({ action_id: 'remediate:cordon', block_id: 'fix-1', value: '{"node":"node-7"}', type: 'button' });
    expect(body.container).toMatchObject({ type: 'message', message_ts: reply.ts, channel_id: CH, thread_ts: root.ts, is_ephemeral: false });
    expect(body.message?.ts).toBe(reply.ts);
    expect(body.channel?.id).toBe(CH);
    const edited = await emu.waitFor(() => emu.message(CH, reply.ts)?.edited && emu.message(CH, reply.ts));
    expect(edited.text).toBe(`Cordoned by <@${ONCALL}>`);
    expect(edited.history[0]?.text).toBe('Fix available');
    expect(emu.renderThread(CH, root.ts)).toContain('(edited)');
  });

  it('a tampered value reaches the handler as sent', async () => {
    await emu.slashCommand({ text: 'diagnose node-1', userId: ONCALL, channelId: CH, via: 'http' });
    const root = await emu.waitFor(() => emu.messages(CH).find((m) => m.text === 'Diagnosis of diagnose node-1'));
    const reply = await emu.waitFor(() => emu.thread(CH, root.ts)[0]);
    const before = clicks.length;
    await emu.clickButton({ channelId: CH, messageTs: reply.ts, actionId: 'remediate:cordon', userId: ONCALL, via: 'http', value: '{"node":"node-1"}' });
    const body = await emu.waitFor(() => clicks[before]);
    expect(body.actions[0]?.value).toBe('{"node":"node-1"}');
  });

  it('an ack body becomes the visible reply', async () => {
    const r = await emu.slashCommand({ text: 'help', userId: ONCALL, channelId: CH, via: 'http' });
    expect(r.status).toBe(200);
    expect(r.ackPayload).toEqual({ response_type: 'ephemeral', text: 'usage: /cilium diagnose <node>' });
    expect(emu.ephemerals({ channelId: CH }).map((e) => e.text)).toContain('usage: /cilium diagnose <node>');
  });

  it('refuses bad signatures and stale timestamps with 401 (future timestamps pass, as in Bolt)', async () => {
    const bad = await emu.slashCommand({ text: 'help', userId: ONCALL, channelId: CH, via: 'http', signature: 'v0=deadbeef' });
    expect(bad.status).toBe(401);
    const stale = await emu.slashCommand({ text: 'help', userId: ONCALL, channelId: CH, via: 'http', timestamp: Math.floor(Date.now() / 1000) - 301 });
    expect(stale.status).toBe(401);
    const future = await emu.slashCommand({ text: 'help', userId: ONCALL, channelId: CH, via: 'http', timestamp: Math.floor(Date.now() / 1000) + 3600 });
    expect(future.status).toBe(200);
  });

  it('flags an ack that misses the 3 s deadline', async () => {
    const r = await emu.slashCommand({ text: 'slow', userId: ONCALL, channelId: CH, via: 'http' });
    expect(r.timedOut).toBe(true);
    expect(r.ackMs).toBeGreaterThan(3000);
  });
});
