// Slack platform emulator: a Web API, a Socket Mode server and an app driver on 127.0.0.1 that the real
// @slack/bolt and @slack/web-api use unchanged (protocols.md part A). Start one per test or per demo.
import { randomBytes } from 'node:crypto';
import { prepareSlashCommand, sendButtonClick, sendSlashCommand, type DriverDeps } from './driver/app-driver.ts';
import { FaultRegistry } from './faults.ts';
import { ChannelBuckets } from './rate-limit.ts';
import { listen } from './http/server.ts';
import { ResponseUrls } from './response-urls.ts';
import { SocketModeServer } from './socket/socket-server.ts';
import { DEFAULT_IDENTITY, WorkspaceStore } from './store.ts';
import { renderThread } from './transcript/render-thread.ts';
import type { ApiCallRecord, SlackEmulator, SlackEmulatorOptions } from './types.ts';
import { waitFor } from './wait-for.ts';
import { sendMessageShortcut } from './driver/message-shortcut.ts';
import { postUserMessage } from './user-messages.ts';
import { sendMessageEvent } from './driver/message-event.ts';

export type * from './types.ts';
export { signRequest } from './driver/http-delivery.ts';
export { validateBlocks } from './block-kit/validate.ts';
export { messageBodyLines } from './transcript/blocks-to-text.ts';
export { botEventsFromManifest, shortcutsFromManifest, shortcutsFromManifestFile } from './manifest.ts';

export async function startSlackEmulator(opts: SlackEmulatorOptions = {}): Promise<SlackEmulator> {
  const identity = DEFAULT_IDENTITY;
  const signingSecret = opts.signingSecret ?? randomBytes(16).toString('hex');
  const botToken = opts.botToken ?? `xoxb-${Date.now()}-${randomBytes(8).toString('hex')}`;
  const appToken = opts.appToken ?? `xapp-1-${identity.appId}-${randomBytes(8).toString('hex')}`;
  const store = new WorkspaceStore(identity, opts);
  let baseUrl = '';
  const responseUrls = new ResponseUrls(store, () => baseUrl);
  const socket = new SocketModeServer(identity.appId, () => baseUrl);
  const faults = new FaultRegistry();
  const log: ApiCallRecord[] = [];
  const env = { baseUrl: '', mintSocketUrl: () => socket.mintUrl() };
  const { server, port } = await listen({
    dispatch: {
      store,
      env,
      faults,
      log,
      tokens: { bot: botToken, app: appToken },
      ...(opts.postRateLimit ? { buckets: new ChannelBuckets(opts.postRateLimit) } : {}),
    },
    store,
    responseUrls,
    socket,
    latencyMs: opts.latencyMs ?? 0,
  });
  baseUrl = `http://127.0.0.1:${port}`;
  env.baseUrl = baseUrl; // known only once the server listens
  let httpTarget: string | undefined;
  const driver: DriverDeps = { store, responseUrls, socket, signingSecret, httpTarget: () => httpTarget };

  return {
    url: baseUrl,
    apiUrl: `${baseUrl}/api/`,
    signingSecret,
    botToken,
    appToken,
    teamId: identity.teamId,
    appId: identity.appId,
    botUserId: identity.botUserId,
    botId: identity.botId,
    setHttpTarget(url) {
      httpTarget = url;
    },
    slashCommand: (a) => sendSlashCommand(driver, a),
    prepareSlashCommand: (a) => prepareSlashCommand(driver, a),
    clickButton: (a) => sendButtonClick(driver, a),
    userMessage: (a) => postUserMessage(store, a),
    useMessageShortcut: (a) => sendMessageShortcut({ ...driver, shortcuts: opts.shortcuts ?? [], baseUrl: () => baseUrl }, a),
    messageEvent: (a) => sendMessageEvent({ ...driver, botEvents: opts.botEvents ?? [], baseUrl: () => baseUrl }, a),
    socketConnections: () => socket.count(),
    disconnectSockets: (reason = 'refresh_requested') => socket.disconnect(reason),
    waitFor: (predicate, o) => waitFor(predicate, o ?? {}),
    messages: (channel) => store.topLevel(channel),
    thread: (channel, threadTs) => store.replies(channel, threadTs),
    message: (channel, ts) => store.find(channel, ts),
    ephemerals: (filter = {}) =>
      store.ephemeralList.filter(
        (e) =>
          !e.deleted &&
          (filter.channelId === undefined || e.channel === filter.channelId) &&
          (filter.userId === undefined || e.user === filter.userId),
      ),
    responseUrlPosts: (url) => responseUrls.posts.filter((p) => url === undefined || p.responseUrl === url),
    files: () => [...store.fileMap.values()],
    reactions: (channel, ts) => store.reactionsOf(channel, ts).map((r) => r.name),
    calls: (method) => log.filter((c) => method === undefined || c.method === method),
    renderThread: (channel, threadTs) => renderThread(store, channel, threadTs),
    faults: { add: (f) => faults.add(f), clear: () => faults.clear() },
    async stop() {
      await socket.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
