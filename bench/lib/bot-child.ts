// Runs the real bot (bot/bot.ts startBot) in its own process, as in production: the Slack and Kubernetes emulators
// stay in the benchmark process, so their CPU is not charged to the bot's event loop. Config comes as JSON in
// BENCH_BOT_CONFIG; prints "ready" when listening, stops cleanly on SIGTERM or when stdin closes. A stdin line
// "probe" is answered with one JSON line of what the process went through since the last probe (LoopProbe).
import { createInterface } from 'node:readline';
import { pino } from 'pino';
import type { Config } from '../../bot/config.ts';
import { startBot } from '../../bot/bot.ts';
import { LoopProbe } from './loop-probe.ts';

const raw = process.env.BENCH_BOT_CONFIG;
if (raw === undefined) throw new Error('BENCH_BOT_CONFIG is not set');
const config = JSON.parse(raw) as Config;
const bot = await startBot(config, { logger: pino({ level: 'silent' }), worker: process.env.BENCH_BOT_WORKER !== '0' });
// BENCH_LOOP_RESOLUTION_MS: a coarser delay timer for benches that measure idle CPU (loop-probe.ts).
const probe = new LoopProbe(Number(process.env.BENCH_LOOP_RESOLUTION_MS ?? '1'));
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await bot.stop();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  if (line.trim() === 'probe') process.stdout.write(`probe ${JSON.stringify(probe.take())}\n`);
});
lines.on('close', () => void stop());
process.stdout.write('ready\n');
