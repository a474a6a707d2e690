// The emulator's `message` events against real Bolt 5 apps: a posted message reaches an app subscribed to
// message.channels as Slack sends it (plain: with `team`, no subtype; sharing files: subtype file_share with the file
// objects, no `team`), over signed HTTP and Socket Mode; an app that does not subscribe gets nothing.
import { readFileSync } from 'node:fs';
import type { App, KnownEventFromType } from '@slack/bolt';
import { afterEach, describe, expect, it } from 'vitest';
import { botEventsFromManifest, startSlackEmulator, type SlackEmulator } from '../../sandbox/slack/index.ts';
import { startHttpApp, startSocketApp } from './bolt-apps.ts';

const CH = 'C0INCIDENT';
const ONCALL = 'U0ONCALL01';
const MANIFEST = readFileSync(new URL('../../deploy/slack/manifest.yaml', import.meta.url), 'utf8');

const running: Array<{ stop(): Promise<void> }> = [];
afterEach(async () => {
  for (const r of running.splice(0).reverse()) await r.stop();
});

async function emulator(botEvents: string[]): Promise<SlackEmulator> {
  const emu = await startSlackEmulator({ botEvents });
  running.push(emu);
  return emu;
}

describe('Slack emulator: message events', () => {
  it('reads the bot events of deploy/slack/manifest.yaml', () => {
    expect(botEventsFromManifest(MANIFEST)).toEqual(['message.channels']);
    expect(() => botEventsFromManifest('settings:\n  event_subscriptions:\n    bot_events: message.channels\n')).toThrow(/must be a list/);
  });

  for (const via of ['http', 'socket'] as const) {
    it(`${via}: a plain message and a file share arrive at Bolt's message listener as Slack sends them`, async () => {
      const emu = await emulator(['message.channels']);
      const seen: Array<KnownEventFromType<'message'>> = [];
      const register = (app: App) => {
        app.event('message', ({ event }) => {
          seen.push(event);
          return Promise.resolve();
        });
      };
      running.push(via === 'http' ? await startHttpApp(emu, register) : await startSocketApp(emu, register));
      const plain = emu.userMessage({ channelId: CH, userId: ONCALL, text: 'node-7 <is> down' });
      const shared = emu.userMessage({ channelId: CH, userId: ONCALL, text: 'sysdump', threadTs: plain.ts, files: [{ name: 'cilium-sysdump-20241203-101500.zip', content: Buffer.from([0x50, 0x4b, 3, 4]) }] });
      expect((await emu.messageEvent({ channelId: CH, messageTs: plain.ts, via })).status).toBe(200);
      expect((await emu.messageEvent({ channelId: CH, messageTs: shared.ts, via })).status).toBe(200);
      await emu.waitFor(() => seen.length === 2 || undefined, { timeoutMs: 5_000 });
      expect(seen[0]).toMatchObject({ type: 'message', channel: CH, user: ONCALL, ts: plain.ts, text: 'node-7 &lt;is&gt; down', channel_type: 'channel', team: emu.teamId });
      expect(seen[0]).not.toHaveProperty('subtype');
      const f = seen[1] as unknown as Record<string, unknown>;
      expect(f).toMatchObject({ type: 'message', subtype: 'file_share', thread_ts: plain.ts, upload: false, display_as_bot: false });
      expect(f).not.toHaveProperty('team');
      const file = (f['files'] as Array<Record<string, unknown>>)[0];
      expect(file).toMatchObject({ name: 'cilium-sysdump-20241203-101500.zip', filetype: 'zip', size: 4 });
      expect(String(file?.['url_private_download'])).toContain('/download/');
    });
  }

  it('an app that does not subscribe to message.channels is sent nothing', async () => {
    const emu = await emulator([]);
    const msg = emu.userMessage({ channelId: CH, userId: ONCALL, text: 'x' });
    await expect(emu.messageEvent({ channelId: CH, messageTs: msg.ts, via: 'socket' })).rejects.toThrow(/does not subscribe to message\.channels/);
  });
});
