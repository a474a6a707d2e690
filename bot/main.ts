// Process entry (`npm start`): configuration from the environment, then the bot until SIGTERM/SIGINT.
import { loadConfig } from './config.ts';
import { ConfigError } from './errors.ts';
import { startBot } from './bot.ts';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(2);
    }
    throw e;
  }
  const bot = await startBot(config);
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    bot.logger.info({ signal }, 'shutting down: no new commands; finishing the running job');
    bot.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        bot.logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  // A stray rejection (e.g. a malformed frame inside a Slack library) must not take every on-call command down
  // with it: log it with the bot's logger and keep serving.
  process.on('unhandledRejection', (reason: unknown) => bot.logger.error({ err: reason }, 'unhandled rejection (kept running)'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  console.error('cilium-runbook failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
