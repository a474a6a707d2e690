// The sandbox stack for benchmarks: like sandbox/sandbox-stack.ts (which has no latency option), plus the Kubernetes
// API emulator's `latencyMs`, a silent logger and a private Redis. Everything listens on 127.0.0.1. The bot runs
// either in this process (`botIn: 'process'`, as the e2e tests do) or in a child process (`'child'`, as in production,
// where neither Slack nor the API server share the bot's event loop).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import type { Config } from '../../bot/config.ts';
import { startBot, type RunningBot } from '../../bot/bot.ts';
import { startKubeEmulator, type KubeEmulator } from '../../sandbox/kube/index.ts';
import { startSlackEmulator, type SlackEmulator } from '../../sandbox/slack/index.ts';
import { freePort, startRedis, type RedisHandle } from '../../sandbox/redis.ts';
import { DEMO_CHANNEL, DEMO_USERGROUPS, DEMO_USERS } from '../../sandbox/sandbox-stack.ts';
import type { Scenario } from '../../sandbox/scenario/index.ts';
import type { LoopSample } from './loop-probe.ts';

export { DEMO_CHANNEL };

export interface BenchStack {
  kube: KubeEmulator;
  slack: SlackEmulator;
  /** Set when the bot runs in this process. */
  bot?: RunningBot;
  config: Config;
  /** Event-loop delay, GC and CPU of the bot child since the previous call (null when the bot is in this process). */
  probeBot(): Promise<LoopSample | null>;
  /** Another bot process on the same emulators and Redis (own queue prefix and port), e.g. a baseline without a feature. */
  spawnBot(configure: (config: Config) => Config): Promise<{ probe(): Promise<LoopSample>; stop(): Promise<void> }>;
  stop(): Promise<void>;
}

export interface BenchStackOptions {
  scenario: Scenario;
  mode: 'socket' | 'http';
  botIn: 'process' | 'child';
  latencyMs?: number;
  /** The Kubernetes API emulator's BOOKMARK interval for watches that allow them (default: its own, 60 s). */
  bookmarkIntervalMs?: number;
  /** A Redis to share; a private one is started (and stopped) otherwise. */
  redisUrl?: string;
  startWorker?: boolean;
  configOverrides?: Partial<Config>;
  /** Run the child bot from emitted JavaScript (compiled-bot.ts), as the image does, instead of through tsx. */
  compiledChild?: string;
  /** The child's event-loop delay timer (loop-probe.ts); default 1 ms. */
  loopResolutionMs?: number;
  /** Extra node flags for the main bot child (e.g. --cpu-prof), before BENCH_CHILD_NODE_ARGS's. */
  childNodeArgs?: string[];
}

const CHILD = join(dirname(fileURLToPath(import.meta.url)), 'bot-child.ts');

interface BotChild {
  process: ChildProcess;
  probe(): Promise<LoopSample>;
}

async function startBotChild(config: Config, worker: boolean, compiled?: string, loopResolutionMs?: number, nodeArgs: string[] = []): Promise<BotChild> {
  const entry = compiled === undefined ? ['--import', 'tsx', CHILD] : [compiled];
  const child = spawn(process.execPath, [...nodeArgs, ...(process.env.BENCH_CHILD_NODE_ARGS ?? '').split(' ').filter((a) => a !== ''), ...entry], {
    env: { ...process.env, BENCH_BOT_CONFIG: JSON.stringify(config), BENCH_BOT_WORKER: worker ? '1' : '0', ...(loopResolutionMs !== undefined && { BENCH_LOOP_RESOLUTION_MS: String(loopResolutionMs) }) },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  if (child.stdout === null || child.stdin === null) throw new Error('bot child has no stdio');
  const stdin = child.stdin;
  const waiting: Array<(s: LoopSample) => void> = [];
  let ready: () => void = () => undefined;
  const readyOrExit = new Promise<void>((resolve, reject) => {
    ready = resolve;
    child.once('exit', (code) => reject(new Error(`bot child exited with ${code ?? 'signal'} before it was ready`)));
  });
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (line === 'ready') ready();
    else if (line.startsWith('probe ')) waiting.shift()?.(JSON.parse(line.slice('probe '.length)) as LoopSample);
    // Anything else the child prints (node's --trace-gc, say) is shown when asked for.
    else if (process.env.BENCH_CHILD_ECHO === '1') process.stderr.write(`[bot ${child.pid ?? '?'}] ${line}\n`);
  });
  await readyOrExit;
  return {
    process: child,
    probe: () =>
      new Promise<LoopSample>((resolve) => {
        waiting.push(resolve);
        stdin.write('probe\n');
      }),
  };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export async function startBenchStack(opts: BenchStackOptions): Promise<BenchStack> {
  const redis: RedisHandle | undefined = opts.redisUrl === undefined ? await startRedis() : undefined;
  const redisUrl = opts.redisUrl ?? (redis as RedisHandle).url;
  const kube = await startKubeEmulator({ scenario: opts.scenario, latencyMs: opts.latencyMs ?? 0, ...(opts.bookmarkIntervalMs !== undefined && { bookmarkIntervalMs: opts.bookmarkIntervalMs }) });
  const slack = await startSlackEmulator({ users: DEMO_USERS, usergroups: DEMO_USERGROUPS, channels: [DEMO_CHANNEL] });
  const httpPort = opts.mode === 'http' ? await freePort() : 3000;
  const config: Config = {
    slack: {
      mode: opts.mode,
      botToken: slack.botToken,
      ...(opts.mode === 'socket' ? { appToken: slack.appToken } : { signingSecret: slack.signingSecret }),
      apiUrl: slack.apiUrl,
      httpPort,
    },
    redisUrl,
    queuePrefix: `bench-${randomUUID().slice(0, 8)}`,
    kube: { kubeconfigPath: kube.kubeconfigPath, inCluster: false },
    clusterName: 'sandbox',
    extraClusters: [],
    allowedChannels: [],
    logLevel: 'silent',
    collect: { tailLines: 2000, limitBytes: 2 * 1024 * 1024, deadlineMs: 10_000 },
    role: 'all',
    jobs: { attempts: 4, backoffMs: 2_000, lockMs: 30_000 },
    remediation: { enabled: false, approvers: { low: [], medium: [], high: [] }, proposalTtlMs: 30 * 60_000 },
    ...opts.configOverrides,
  };
  if (opts.mode === 'http') slack.setHttpTarget(`http://127.0.0.1:${httpPort}/slack/events`);
  const worker = opts.startWorker ?? true;
  const bot = opts.botIn === 'process' ? await startBot(config, { logger: pino({ level: 'silent' }), worker }) : undefined;
  const child = opts.botIn === 'child' ? await startBotChild(config, worker, opts.compiledChild, opts.loopResolutionMs, opts.childNodeArgs) : undefined;
  return {
    kube,
    slack,
    ...(bot !== undefined && { bot }),
    config,
    probeBot: async () => (child === undefined ? null : child.probe()),
    async spawnBot(configure) {
      const extra = await startBotChild(configure({ ...config, queuePrefix: `bench-${randomUUID().slice(0, 8)}`, slack: { ...config.slack, httpPort: await freePort() } }), worker, opts.compiledChild, opts.loopResolutionMs);
      return { probe: () => extra.probe(), stop: () => stopChild(extra.process) };
    },
    async stop() {
      await bot?.stop();
      if (child !== undefined) await stopChild(child.process);
      await slack.stop();
      await kube.stop();
      await redis?.stop();
    },
  };
}

/** A diagnosis report in a thread ("Diagnosis of …"). */
export function isReport(text: string | undefined): boolean {
  return (text ?? '').startsWith('Diagnosis of');
}
