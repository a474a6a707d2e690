// Real Bolt 5 apps wired to an emulator: HTTP receiver on a loopback port, or Socket Mode.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, SocketModeReceiver } from '@slack/bolt';
import type { SlackEmulator } from '../../sandbox/slack/index.ts';
import { capturedLogger } from './captured-logger.ts';

export interface RunningApp {
  app: App;
  stop(): Promise<void>;
}

export async function startHttpApp(emu: SlackEmulator, register: (app: App) => void): Promise<RunningApp> {
  const app = new App({
    token: emu.botToken,
    signingSecret: emu.signingSecret,
    clientOptions: { slackApiUrl: emu.apiUrl, retryConfig: { retries: 0 } },
    logger: capturedLogger(),
  });
  register(app);
  const server = (await app.start({ port: 0, host: '127.0.0.1' })) as Server;
  const { port } = server.address() as AddressInfo;
  emu.setHttpTarget(`http://127.0.0.1:${port}/slack/events`);
  return { app, stop: () => app.stop().then(() => undefined) };
}

/** clientPingTimeout sets the reconnect delay (clientPingTimeout × failures): short keeps tests fast. */
export async function startSocketApp(
  emu: SlackEmulator,
  register: (app: App) => void,
  clientPingTimeout = 1000,
): Promise<RunningApp> {
  const receiver = new SocketModeReceiver({
    appToken: emu.appToken,
    clientPingTimeout,
    installerOptions: { clientOptions: { slackApiUrl: emu.apiUrl } },
    logger: capturedLogger(),
  });
  const app = new App({
    token: emu.botToken,
    receiver,
    clientOptions: { slackApiUrl: emu.apiUrl, retryConfig: { retries: 0 } },
    logger: capturedLogger(),
  });
  register(app);
  await app.start();
  return { app, stop: () => app.stop().then(() => undefined) };
}
