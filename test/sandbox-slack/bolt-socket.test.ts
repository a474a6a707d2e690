// A real Bolt 5.1 App in Socket Mode (undici WebSocket) against the emulator's Socket Mode server.
import type { BlockAction, ButtonAction } from '@slack/bolt';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSlackEmulator, type SlackEmulator } from '../../sandbox/slack/index.ts';
import { startSocketApp, type RunningApp } from './bolt-apps.ts';

const CH = 'C0INCIDENT';
const ONCALL = 'U0ONCALL01';
let emu: SlackEmulator;
let bot: RunningApp;
const clicks: BlockAction<ButtonAction>[] = [];

beforeAll(async () => {
  emu = await startSlackEmulator();
  bot = await startSocketApp(emu, (app) => {
    app.command('/cilium', async ({ command, ack, client }) => {
      await ack({ response_type: 'in_channel', text: `Looking at ${command.text}` });
      await client.chat.postMessage({
        channel: command.channel_id,
        text: 'Report',
        blocks: [
          { type: 'header', text: { type: 'plain_text', text: 'node-7: cilium-agent crash-looping' } },
          { type: 'actions', elements: [{ type: 'button', action_id: 'ack', text: { type: 'plain_text', text: 'Acknowledge' }, value: 'n7' }] },
        ],
      });
    });
    app.action<BlockAction<ButtonAction>>('ack', async ({ ack, body }) => {
      await ack();
      clicks.push(body);
    });
  });
});
afterAll(async () => {
  await bot.stop();
  await emu.stop();
});

describe('Bolt Socket Mode', () => {
  it('connects through apps.connections.open and gets hello (start() resolved)', () => {
    expect(emu.socketConnections()).toBe(1);
    expect(emu.calls('apps.connections.open')).toHaveLength(1);
    expect(emu.calls('apps.connections.open')[0]?.ok).toBe(true);
  });

  it('delivers a slash command envelope; the ack payload is the in_channel reply', async () => {
    const r = await emu.slashCommand({ text: 'diagnose node-7', userId: ONCALL, channelId: CH, via: 'socket' });
    expect(r.status).toBe(200);
    expect(r.ackMs).toBeLessThan(1000);
    expect(r.ackPayload).toEqual({ response_type: 'in_channel', text: 'Looking at diagnose node-7' });
    const texts = emu.messages(CH).map((m) => m.text);
    expect(texts).toContain('/cilium diagnose node-7');
    expect(texts).toContain('Looking at diagnose node-7');
    await emu.waitFor(() => emu.messages(CH).find((m) => m.text === 'Report'));
  });

  it('delivers an interactive envelope with the block_actions payload', async () => {
    const report = await emu.waitFor(() => emu.messages(CH).find((m) => m.text === 'Report'));
    const r = await emu.clickButton({ channelId: CH, messageTs: report.ts, actionId: 'ack', userId: ONCALL, via: 'socket' });
    expect(r.status).toBe(200);
    const body = await emu.waitFor(() => clicks[0]);
    expect(body.actions[0]).toMatchObject({ action_id: 'ack', value: 'n7' });
    expect(body.container).toMatchObject({ message_ts: report.ts, channel_id: CH });
  });

  it('reconnects by itself after a disconnect message and after a dropped socket', async () => {
    emu.disconnectSockets('refresh_requested');
    await emu.waitFor(() => emu.calls('apps.connections.open').length >= 2 && emu.socketConnections() === 1, {
      timeoutMs: 8000,
      description: 'Bolt to reconnect after refresh_requested',
    });
    emu.disconnectSockets('drop');
    await emu.waitFor(() => emu.calls('apps.connections.open').length >= 3 && emu.socketConnections() === 1, {
      timeoutMs: 8000,
      description: 'Bolt to reconnect after a dropped socket',
    });
    const r = await emu.slashCommand({ text: 'status', userId: ONCALL, channelId: CH, via: 'socket' });
    expect(r.status).toBe(200);
  });

  it('refuses a Socket Mode URL whose ticket was already used', async () => {
    const res = await fetch(`${emu.apiUrl}apps.connections.open`, { method: 'POST', headers: { authorization: `Bearer ${emu.appToken}` } });
    const { url } = (await res.json()) as { url: string };
    const first = new WebSocket(url);
    const hello = await new Promise<string>((resolve, reject) => {
      first.once('message', (d: Buffer) => resolve(d.toString('utf8')));
      first.once('error', reject);
    });
    expect(JSON.parse(hello)).toMatchObject({ type: 'hello', connection_info: { app_id: emu.appId } });
    first.close();
    const second = new WebSocket(url);
    const status = await new Promise<number>((resolve) => second.once('unexpected-response', (_req, resp) => resolve(resp.statusCode ?? 0)));
    expect(status).toBe(401);
  });
});
