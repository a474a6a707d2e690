// Redis restarted (AOF) while jobs wait and run, 5 times: no job lost, the bot reconnects by itself, /readyz says
// not ready while Redis is down, and a command sent then gets "queue unavailable, try again" instead of silence.
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { startBot } from '../../bot/bot.ts';
import { startRedis, type RedisHandle } from '../../sandbox/redis.ts';
import { generateCluster } from '../../sandbox/scenario/generate.ts';
import { DEMO_CHANNEL, startSandboxStack, type SandboxStack } from '../../sandbox/sandbox-stack.ts';

const RESTARTS = Number(process.env.FAULT_REDIS_RESTARTS ?? 5);
const NODES = 6;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function until<T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

describe('Redis restarted under load', () => {
  it(`${RESTARTS} restarts with diagnoses waiting and running: every node answered, commands during the outage told to retry`, async () => {
    const redis: RedisHandle = await startRedis({ appendOnly: true });
    cleanups.push(() => redis.stop());
    const scenario = generateCluster({ nodes: NODES });
    const s: SandboxStack = await startSandboxStack({ scenario, redisUrl: redis.url, startBot: false, kubeLatencyMs: 15 });
    cleanups.push(() => s.stop());
    s.bot = await startBot({ ...s.config, health: { port: 0, host: '127.0.0.1' }, jobs: { attempts: 10, backoffMs: 200, lockMs: 1_000 } }, { logger: pino({ level: 'silent' }) });
    const readyz = async () => (await fetch(`${s.bot?.healthUrl ?? ''}/readyz`)).status;
    const nodes = scenario.objects.filter((o) => o.kind === 'Node').map((o) => o.metadata.name);
    const reportsOf = (ts: string) => s.slack.thread(DEMO_CHANNEL.id, ts).filter((m) => (m.text ?? '').startsWith('Diagnosis of')).length;
    // Reports about one node, wherever they landed (roots of requests without an incident, or the incident's root).
    const reportsFor = (node: string) => {
      const named = new RegExp(`(^|[^-\\w.])${node.replace(/[.]/g, '\\.')}([^-\\w.]|$)`);
      return s.slack.messages(DEMO_CHANNEL.id).filter((m) => m.source !== 'slash_command' && named.test(m.text ?? '')).reduce((n, m) => n + reportsOf(m.ts), 0);
    };
    const answered = () => new Set(s.slack.messages(DEMO_CHANNEL.id).filter((m) => s.slack.thread(DEMO_CHANNEL.id, m.ts).some((r) => (r.text ?? '').startsWith('Diagnosis of'))).map((m) => /node[-\w.]*/.exec(m.text ?? '')?.[0]));

    for (let round = 1; round <= RESTARTS; round++) {
      // Several diagnoses in flight, then Redis dies under them.
      for (const node of nodes) await s.slack.slashCommand({ text: `diagnose ${node}`, userId: 'U0ONCALL', channelId: DEMO_CHANNEL.id, command: '/cilium', via: 'socket' });
      // Kill only once every request of this round is queued (a request refused during the outage is the next check).
      await until(`round ${round}: ${NODES} jobs queued`, async () => {
        const c = await s.bot?.queue.queue.getJobCounts('waiting', 'active', 'completed', 'delayed');
        return c !== undefined && (c.waiting ?? 0) + (c.active ?? 0) + (c.completed ?? 0) + (c.delayed ?? 0) >= round * NODES;
      });
      await sleep(Math.floor(Math.random() * 300));
      await redis.kill();
      await until('/readyz to report Redis down', async () => (await readyz()) === 503, 10_000);
      const during = await s.slack.slashCommand({ text: `diagnose ${nodes[0] ?? ''}`, userId: 'U0LEAD', channelId: DEMO_CHANNEL.id, command: '/cilium', via: 'socket' });
      const reply = await until('the outage reply', () => s.slack.responseUrlPosts(during.responseUrl)[0], 20_000);
      expect(JSON.stringify(reply.body)).toMatch(/queue is unavailable.*[Tt]ry again/);
      await redis.start();
      await until('/readyz to recover', async () => (await readyz()) === 200, 20_000);
      // Every node of this round gets its report: a new run in its incident thread, or (no finding, no incident) a
      // report under the request's own root message.
      await until(`round ${round}: every node answered`, () => Promise.resolve(nodes.every((n) => reportsFor(n) >= round)), 60_000);
      // A job that posted its report just before Redis died is re-run (idempotently) after the restart; let it
      // finish, or the next round's request for that node is rightly told "already being diagnosed".
      await until(`round ${round}: the queue to drain`, async () => {
        const c = await s.bot?.queue.queue.getJobCounts('waiting', 'active', 'delayed');
        return c !== undefined && (c.waiting ?? 0) + (c.active ?? 0) + (c.delayed ?? 0) === 0;
      }, 60_000);
    }
    expect(answered().size).toBe(NODES);
    const queue = s.bot.queue.queue;
    expect(await queue.getFailedCount()).toBe(0);
    await until('the queue to drain', async () => (await queue.getActiveCount()) + (await queue.getWaitingCount()) === 0);
    // Exactly one report per request, none twice: every root holds one report per run of its incident, or exactly one.
    for (const node of nodes) expect(reportsFor(node), node).toBe(RESTARTS);
    for (const incident of (await s.bot.incidents.listOpen())) expect(reportsOf(incident.threadTs), incident.node).toBe(incident.runs);
  }, 600_000);
});
