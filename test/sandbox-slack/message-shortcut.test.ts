// The emulator's message shortcuts and shared files against real Bolt 5 apps: the `message_action` payload as Slack
// sends it (over signed HTTP and Socket Mode), only shortcuts the manifest declares, stale or forged signatures
// refused by Bolt, and files read back through files.info and url_private with the bot token only.
import { readFileSync } from 'node:fs';
import type { MessageShortcut } from '@slack/bolt';
import { WebClient } from '@slack/web-api';
import { afterEach, describe, expect, it } from 'vitest';
import { shortcutsFromManifest, startSlackEmulator, type SlackEmulator } from '../../sandbox/slack/index.ts';
import { startHttpApp, startSocketApp, type RunningApp } from './bolt-apps.ts';

const CH = 'C0INCIDENT';
const ONCALL = 'U0ONCALL01';
const MANIFEST = readFileSync(new URL('../../deploy/slack/manifest.yaml', import.meta.url), 'utf8');
const SHORTCUTS = [
  { callback_id: 'diagnose_message', type: 'message' as const, name: 'Diagnose this message', description: 'd' },
  { callback_id: 'open_incident', type: 'global' as const, name: 'Open incident', description: 'g' },
];

const running: Array<{ stop(): Promise<void> }> = [];
afterEach(async () => {
  for (const r of running.splice(0).reverse()) await r.stop();
});

async function emulator(): Promise<SlackEmulator> {
  const emu = await startSlackEmulator({ shortcuts: SHORTCUTS });
  running.push(emu);
  return emu;
}

async function recordingApp(emu: SlackEmulator, via: 'http' | 'socket'): Promise<{ app: RunningApp; seen: MessageShortcut[] }> {
  const seen: MessageShortcut[] = [];
  const register = (app: RunningApp['app']) =>
    app.shortcut<MessageShortcut>({ callback_id: 'diagnose_message', type: 'message_action' }, async ({ shortcut, ack }) => {
      await ack();
      seen.push(shortcut);
    });
  const app = via === 'http' ? await startHttpApp(emu, register) : await startSocketApp(emu, register);
  running.push(app);
  return { app, seen };
}

describe('Slack emulator: message shortcuts', () => {
  it('reads the shortcuts of deploy/slack/manifest.yaml', () => {
    expect(shortcutsFromManifest(MANIFEST)).toEqual([expect.objectContaining({ callback_id: 'diagnose_message', type: 'message' })]);
    expect(() => shortcutsFromManifest('features:\n  shortcuts:\n    - name: x\n      type: modal\n      callback_id: y\n      description: z\n')).toThrow(/type must be/);
  });

  for (const via of ['http', 'socket'] as const) {
    it(`${via}: sends message_action with the message, its files, response_url and trigger_id; Bolt routes it by callback_id and type`, async () => {
      const emu = await emulator();
      const { seen } = await recordingApp(emu, via);
      const root = emu.userMessage({ channelId: CH, userId: ONCALL, text: 'node-7' });
      const msg = emu.userMessage({ channelId: CH, userId: ONCALL, text: 'level=fatal msg="x" <tag> & more', threadTs: root.ts, files: [{ name: 'a.log', content: 'hello' }] });
      const r = await emu.useMessageShortcut({ callbackId: 'diagnose_message', channelId: CH, messageTs: msg.ts, userId: ONCALL, via });
      expect(r.status).toBe(200);
      expect(seen).toHaveLength(1);
      const p = seen[0] as MessageShortcut;
      expect(p).toMatchObject({
        type: 'message_action',
        callback_id: 'diagnose_message',
        message_ts: msg.ts,
        response_url: r.responseUrl,
        trigger_id: r.triggerId,
        channel: { id: CH, name: 'incidents' },
        user: { id: ONCALL, name: 'oncall' },
        team: { id: emu.teamId },
        // Typed text arrives escaped, as the Slack client sends it.
        message: { type: 'message', ts: msg.ts, thread_ts: root.ts, user: ONCALL, text: 'level=fatal msg="x" &lt;tag&gt; &amp; more' },
      });
      expect(typeof p.action_ts).toBe('string');
      const files = p.message['files'] as Array<Record<string, unknown>>;
      expect(files[0]).toMatchObject({ name: 'a.log', mimetype: 'text/plain', filetype: 'text', size: 5, mode: 'hosted', user: ONCALL, channels: [CH] });
      expect(String(files[0]?.['url_private_download'])).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/files-pri\/T0CILIUM1-F[0-9A-F]+\/download\/a\.log$/);
    });
  }

  it('refuses a global or undeclared callback id (Slack would not offer it) and a message that does not exist', async () => {
    const emu = await emulator();
    const msg = emu.userMessage({ channelId: CH, userId: ONCALL, text: 'x' });
    await expect(emu.useMessageShortcut({ callbackId: 'open_incident', channelId: CH, messageTs: msg.ts, userId: ONCALL, via: 'socket' })).rejects.toThrow(/declares no message shortcut "open_incident"/);
    await expect(emu.useMessageShortcut({ callbackId: 'nope', channelId: CH, messageTs: msg.ts, userId: ONCALL, via: 'socket' })).rejects.toThrow(/declared: diagnose_message/);
    await expect(emu.useMessageShortcut({ callbackId: 'diagnose_message', channelId: CH, messageTs: '1.000001', userId: ONCALL, via: 'socket' })).rejects.toThrow(/no message/);
  });

  it('HTTP: a stale timestamp or a forged signature is refused by Bolt with 401 and never reaches the listener', async () => {
    const emu = await emulator();
    const { seen } = await recordingApp(emu, 'http');
    const msg = emu.userMessage({ channelId: CH, userId: ONCALL, text: 'x' });
    const stale = await emu.useMessageShortcut({ callbackId: 'diagnose_message', channelId: CH, messageTs: msg.ts, userId: ONCALL, via: 'http', timestamp: Math.floor(Date.now() / 1000) - 600 });
    const forged = await emu.useMessageShortcut({ callbackId: 'diagnose_message', channelId: CH, messageTs: msg.ts, userId: ONCALL, via: 'http', signature: `v0=${'0'.repeat(64)}` });
    expect([stale.status, forged.status]).toEqual([401, 401]);
    expect(seen).toHaveLength(0);
  });
});

describe('Slack emulator: files shared in messages', () => {
  it('files.info returns the file object; url_private(_download) gives the bytes with the bot token only', async () => {
    const emu = await emulator();
    const msg = emu.userMessage({ channelId: CH, userId: ONCALL, text: 'log', files: [{ name: 'agent.log', content: 'level=info msg="up"\n' }] });
    const id = msg.files?.[0]?.id ?? '';
    const info = await new WebClient(emu.botToken, { slackApiUrl: emu.apiUrl, retryConfig: { retries: 0 } }).files.info({ file: id });
    expect(info.file).toMatchObject({ id, name: 'agent.log', size: 20, mimetype: 'text/plain', channels: [CH] });
    for (const url of [info.file?.url_private ?? '', info.file?.url_private_download ?? '']) {
      const ok = await fetch(url, { headers: { Authorization: `Bearer ${emu.botToken}` } });
      expect([ok.status, await ok.text()]).toEqual([200, 'level=info msg="up"\n']);
    }
    const dl = await fetch(info.file?.url_private_download ?? '', { headers: { Authorization: `Bearer ${emu.botToken}` } });
    expect(dl.headers.get('content-disposition')).toMatch(/attachment; filename="agent\.log"/);
  });

  it('without a token, or with the app token, Slack redirects to its sign-in page (HTML), never the file', async () => {
    const emu = await emulator();
    const msg = emu.userMessage({ channelId: CH, userId: ONCALL, text: '', files: [{ name: 'agent.log', content: 'secret log' }] });
    const info = await new WebClient(emu.botToken, { slackApiUrl: emu.apiUrl }).files.info({ file: msg.files?.[0]?.id ?? '' });
    const url = info.file?.url_private_download ?? '';
    const bare = await fetch(url, { redirect: 'manual' });
    expect(bare.status).toBe(302);
    expect(bare.headers.get('location')).toMatch(/^\/\?redir=%2Ffiles-pri%2F/);
    for (const headers of [{}, { Authorization: `Bearer ${emu.appToken}` }] as Array<Record<string, string>>) {
      const followed = await fetch(url, { headers });
      expect(followed.status).toBe(200);
      expect(followed.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await followed.text()).not.toContain('secret log');
    }
  });

  it('files.info: unknown file → file_not_found; app token → not_allowed_token_type', async () => {
    const emu = await emulator();
    const msg = emu.userMessage({ channelId: CH, userId: ONCALL, text: '', files: [{ name: 'a.txt', content: 'x' }] });
    await expect(new WebClient(emu.botToken, { slackApiUrl: emu.apiUrl, retryConfig: { retries: 0 } }).files.info({ file: 'F0NOPE' })).rejects.toMatchObject({ data: { error: 'file_not_found' } });
    await expect(new WebClient(emu.appToken, { slackApiUrl: emu.apiUrl, retryConfig: { retries: 0 } }).files.info({ file: msg.files?.[0]?.id ?? '' })).rejects.toMatchObject({ data: { error: 'not_allowed_token_type' } });
  });
});
