// Runs the real bot (bot/bot.ts startBot) in its own process, as in production: the Slack and Kubernetes emulators
// stay in the benchmark process, so their CPU is not charged to the bot's event loop. Config comes as JSON in
// BENCH_BOT_CONFIG; prints "ready" when listening, stops cleanly on SIGTERM or when stdin closes.
import { pino } from 'pino';
import type { Config } from '../../bot/config.ts';
import { startBot } from '../../bot/bot.ts';

const raw = process.env.BENCH_BOT_CONFIG;
if (raw === undefined) throw new Error('BENCH_BOT_CONFIG is not set');
const config = JSON.parse(raw) as Config;
const bot = await startBot(config, { logger: pino({ level: 'silent' }), worker: process.env.BENCH_BOT_WORKER !== '0' });
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await bot.stop();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.stdin.on('end', () => void stop());
process.stdin.resume();
process.stdout.write('ready\n');
