// /healthz, /readyz and /metrics of the real bot on the sandbox stack (Slack and Kubernetes emulators, real BullMQ):
// readiness follows Redis, Slack and the Kubernetes API; the metrics count what the bot actually did.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { pino } from 'pino';
import { startBot } from '../../bot/bot.ts';
import type { Config } from '../../bot/config.ts';
import { resolveScenario } from '../../sandbox/scenario/index.ts';
import { freePort, startRedis, type RedisHandle } from '../../sandbox/redis.ts';
import { DEMO_CHANNEL, startSandboxStack, type SandboxStack } from '../../sandbox/sandbox-stack.ts';

const stacks: SandboxStack[] = [];
const redises: RedisHandle[] = [];
afterEach(async () => {
  for (const s of stacks.splice(0)) await s.stop();
  for (const r of redises.splice(0)) await r.stop();
});

const APPROVERS = { low: ['U0ONCALL'], medium: ['U0LEAD', 'U0ONCALL'], high: ['S0SRE'] };

async function stack(scenario: string, opts: { redisUrl?: string; mode?: 'socket' | 'http'; config?: Partial<Config> } = {}): Promise<SandboxStack & { bot: NonNullable<SandboxStack['bot']> }> {
  const s = await startSandboxStack({ scenario: resolveScenario(scenario), redisUrl: opts.redisUrl ?? inject('redisUrl'), startBot: false, ...(opts.mode !== undefined && { mode: opts.mode }) });
  stacks.push(s);
  // Port 0 on loopback: a free port, never 0.0.0.0.
  const bot = await startBot({ ...s.config, health: { port: 0, host: '127.0.0.1' }, ...opts.config }, { logger: pino({ level: 'silent' }) });
  s.bot = bot;
  return Object.assign(s, { bot });
}

async function get(s: { bot: { healthUrl: string | null } }, path: string): Promise<{ status: number; text: string; type: string }> {
  const res = await fetch(`${s.bot.healthUrl ?? 'http://health-server-off'}${path}`);
  return { status: res.status, text: await res.text(), type: res.headers.get('content-type') ?? '' };
}

interface ReadyBody {
  status: string;
  failing: Array<{ check: string; reason: string }>;
  checks: Record<string, string>;
}

async function readyz(s: Bot): Promise<{ status: number; body: ReadyBody }> {
  const r = await get(s, '/readyz');
  return { status: r.status, body: JSON.parse(r.text) as ReadyBody };
}

/** Polls `read` until `want` holds; readiness and counters follow events within a probe or two. */
async function poll<T>(read: () => Promise<T>, want: (v: T) => boolean, description: string, timeoutMs = 15_000): Promise<T> {
  let last: { value: T } | { error: string } | undefined;
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    // A child process still starting refuses connections: keep polling.
    last = await read().then((value) => ({ value }), (e: unknown) => ({ error: String(e) }));
    if ('value' in last && want(last.value)) return last.value;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${description}; last: ${JSON.stringify(last)}`);
}

type Bot = SandboxStack & { bot: { healthUrl: string | null } };
const readyzUntil = (s: Bot, want: (r: { status: number; body: ReadyBody }) => boolean, description: string, timeoutMs?: number) =>
  poll(() => readyz(s), want, description, timeoutMs);

/** Samples of one metric from the Prometheus text format, labels parsed. */
function samples(text: string, name: string): Array<{ labels: Record<string, string>; value: number }> {
  const out: Array<{ labels: Record<string, string>; value: number }> = [];
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (m === null || m[1] !== name) continue;
    const labels = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1] ?? '', l[2] ?? '']));
    out.push({ labels, value: Number(m[3]) });
  }
  return out;
}

function value(text: string, name: string, labels: Record<string, string>): number {
  const found = samples(text, name).filter((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  return found.reduce((sum, s) => sum + s.value, 0);
}

const metricsWhen = (s: Bot, ready: (text: string) => boolean): Promise<string> => poll(async () => (await get(s, '/metrics')).text, ready, 'the metrics');

async function diagnose(s: SandboxStack, node: string): Promise<string> {
  await s.slack.slashCommand({ text: `diagnose ${node}`, userId: 'U0ONCALL', channelId: DEMO_CHANNEL.id, command: '/cilium', via: 'socket' });
  const root = await s.slack.waitFor(() => s.slack.messages(DEMO_CHANNEL.id)[0], { timeoutMs: 10_000 });
  await s.slack.waitFor(() => s.slack.thread(DEMO_CHANNEL.id, root.ts).some((m) => (m.text ?? '').startsWith('Diagnosis of')), { timeoutMs: 20_000, description: 'the report' });
  return root.ts;
}

describe('operations endpoints', () => {
  it('/healthz answers ok; /readyz is 200 once Redis, Slack and the Kubernetes API answer; unknown paths are 404', async () => {
    const s = await stack('healthy');
    expect(s.bot.healthUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await get(s, '/healthz')).toMatchObject({ status: 200, text: 'ok\n' });
    const ready = await readyzUntil(s, (r) => r.status === 200, 'ready');
    expect(ready.body).toEqual({ status: 'ready', failing: [], checks: { redis: 'ok', slack: 'ok', kubernetes: 'ok' } });
    expect((await get(s, '/nope')).status).toBe(404);
    const metrics = await get(s, '/metrics');
    expect(metrics.type).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(metrics.text).toContain('process_cpu_user_seconds_total');
    expect(metrics.text).toContain('nodejs_eventloop_lag_seconds');
  });

  it('/readyz is 503 naming redis while the bot\'s Redis is down, and 200 again after it restarts', async () => {
    const redis = await startRedis({ appendOnly: true });
    redises.push(redis);
    expect(redis.private).toBe(true);
    const s = await stack('healthy', { redisUrl: redis.url });
    await readyzUntil(s, (r) => r.status === 200, 'ready');
    await redis.kill();
    const down = await readyzUntil(s, (r) => r.status === 503, 'not ready');
    expect(down.body.failing.map((f) => f.check)).toEqual(['redis']);
    expect(down.body.failing[0]?.reason).toMatch(/connection is (connecting|reconnecting|close|end)|no answer within/);
    expect(down.body.checks).toEqual({ redis: 'failing', slack: 'ok', kubernetes: 'ok' });
    expect((await get(s, '/healthz')).status).toBe(200);
    await redis.start();
    await readyzUntil(s, (r) => r.status === 200, 'ready after the restart');
  });

  it('/readyz is 503 naming kubernetes while the API answers /version with 503, and recovers', async () => {
    const s = await stack('healthy');
    await readyzUntil(s, (r) => r.status === 200, 'ready');
    s.kube.faults.add({ method: 'GET', path: /^\/version\/?$/, status: 503 });
    const down = await readyzUntil(s, (r) => r.status === 503, 'not ready');
    expect(down.body.failing).toEqual([{ check: 'kubernetes', reason: expect.stringMatching(/cluster sandbox \(https:\/\/127\.0\.0\.1:\d+\): .*unable to handle the request/) as unknown }]);
    s.kube.faults.clear();
    await readyzUntil(s, (r) => r.status === 200, 'ready after the fault is cleared');
  });

  it('in HTTP mode /readyz is 200 once the receiver listens', async () => {
    const s = await stack('healthy', { mode: 'http' });
    const ready = await readyzUntil(s, (r) => r.status === 200, 'ready');
    expect(ready.body.checks).toEqual({ redis: 'ok', slack: 'ok', kubernetes: 'ok' });
  });

  it('/metrics counts the command, the job, its duration and the findings of one /cilium diagnose', async () => {
    const s = await stack('kernel-too-old');
    await diagnose(s, 'node-legacy-01');
    const text = await metricsWhen(s, (t) => value(t, 'cilium_runbook_jobs_total', { queue: 'diagnose', state: 'completed' }) === 1);
    expect(samples(text, 'cilium_runbook_commands_total')).toEqual([{ labels: { command: 'diagnose', outcome: 'ok' }, value: 1 }]);
    expect(samples(text, 'cilium_runbook_jobs_total')).toEqual([{ labels: { queue: 'diagnose', state: 'completed' }, value: 1 }]);
    expect(value(text, 'cilium_runbook_job_duration_seconds_count', { queue: 'diagnose' })).toBe(1);
    expect(value(text, 'cilium_runbook_job_duration_seconds_sum', { queue: 'diagnose' })).toBeGreaterThan(0);
    const findings = samples(text, 'cilium_runbook_findings_total');
    expect(findings).toContainEqual({ labels: { runbook: 'kernel-too-old', severity: expect.stringMatching(/^(critical|warning|info)$/) as unknown }, value: 1 });
    expect(value(text, 'cilium_runbook_slack_api_errors_total', {})).toBe(0);
  });

  it('/metrics counts refused commands, Kubernetes API errors by reason and Slack API errors by method', async () => {
    const s = await stack('healthy');
    await s.slack.slashCommand({ text: 'diagnose node-does-not-exist', userId: 'U0ONCALL', channelId: DEMO_CHANNEL.id, command: '/cilium', via: 'socket' });
    await s.slack.slashCommand({ text: 'frobnicate', userId: 'U0ONCALL', channelId: DEMO_CHANNEL.id, command: '/cilium', via: 'socket' });
    // The incident's root message fails once with ok:false; the command reports the error to its user.
    s.slack.faults.add({ method: 'chat.postMessage', error: 'channel_not_found', times: 1 });
    await s.slack.slashCommand({ text: 'diagnose node-1', userId: 'U0ONCALL', channelId: DEMO_CHANNEL.id, command: '/cilium', via: 'socket' });
    const text = await metricsWhen(s, (t) => value(t, 'cilium_runbook_commands_total', {}) === 3);
    expect(value(text, 'cilium_runbook_commands_total', { command: 'diagnose', outcome: 'not-found' })).toBe(1);
    expect(value(text, 'cilium_runbook_commands_total', { command: 'unknown', outcome: 'invalid' })).toBe(1);
    expect(value(text, 'cilium_runbook_commands_total', { command: 'diagnose', outcome: 'error' })).toBe(1);
    expect(value(text, 'cilium_runbook_kubernetes_api_errors_total', { reason: 'not-found' })).toBe(1);
    expect(samples(text, 'cilium_runbook_slack_api_errors_total')).toEqual([{ labels: { method: 'chat.postMessage' }, value: 1 }]);
  });

  it('/metrics counts remediation clicks and jobs by action and outcome', async () => {
    const s = await stack('kernel-too-old', { config: { remediation: { enabled: true, approvers: APPROVERS, proposalTtlMs: 30 * 60_000 } } });
    const root = await diagnose(s, 'node-legacy-01');
    const blocks = s.slack.thread(DEMO_CHANNEL.id, root).flatMap((m) => ((m.blocks ?? []) as Array<{ type: string; elements?: Array<{ action_id?: string; text?: { text: string } }> }>).map((b) => ({ ts: m.ts, b })));
    const cordon = blocks.flatMap(({ ts, b }) => (b.type === 'actions' ? (b.elements ?? []).map((e) => ({ ts, e })) : [])).find(({ e }) => /^Cordon node-legacy-01/.test(e.text?.text ?? ''));
    expect(cordon).toBeDefined();
    const click = (userId: string) => s.slack.clickButton({ channelId: DEMO_CHANNEL.id, messageTs: cordon?.ts ?? '', actionId: cordon?.e.action_id ?? '', userId, via: 'socket', confirmed: true });
    await click('U0VIEWER');
    await click('U0LEAD');
    const text = await metricsWhen(s, (t) => value(t, 'cilium_runbook_remediations_total', { outcome: 'applied' }) === 1);
    expect(value(text, 'cilium_runbook_remediations_total', { action: 'cordon-node', outcome: 'refused' })).toBe(1);
    expect(value(text, 'cilium_runbook_remediations_total', { action: 'cordon-node', outcome: 'queued' })).toBe(1);
    expect(value(text, 'cilium_runbook_remediations_total', { action: 'cordon-node', outcome: 'applied' })).toBe(1);
    expect(value(text, 'cilium_runbook_jobs_total', { queue: 'remediate', state: 'completed' })).toBe(1);
  });
});

describe('npm start with HEALTH_PORT', () => {
  it('serves the endpoints from the env configuration and logs JSON lines carrying job and incident ids', async () => {
    const s = await startSandboxStack({ scenario: resolveScenario('kernel-too-old'), redisUrl: inject('redisUrl'), startBot: false });
    stacks.push(s);
    const port = await freePort();
    const env = {
      PATH: process.env.PATH, SLACK_BOT_TOKEN: s.slack.botToken, SLACK_APP_TOKEN: s.slack.appToken, SLACK_API_URL: s.slack.apiUrl, REDIS_URL: s.redis.url,
      QUEUE_PREFIX: s.config.queuePrefix, KUBECONFIG: s.kube.kubeconfigPath, CLUSTER_NAME: 'sandbox', LOG_LEVEL: 'info', HEALTH_PORT: String(port), HEALTH_HOST: '127.0.0.1',
    };
    const child = spawn(process.execPath, ['--import', 'tsx', 'bot/main.ts'], { cwd: join(import.meta.dirname, '../..'), env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise((resolve) => child.on('exit', resolve));
    try {
      const bot = { slack: s.slack, bot: { healthUrl: `http://127.0.0.1:${port}` } } as Bot;
      // A fresh process loads tsx, client-node and Bolt first: under a loaded CI run (test files in parallel on 2
      // cores) that alone has taken over 15 s, so the start-up gets a minute; readiness after it keeps 15 s.
      await readyzUntil(bot, (r) => r.status === 200, 'the child to be ready', 60_000).catch((e: unknown) => {
        throw new Error(`${String(e)}\nchild output (tail): ${out.slice(-1000)}`);
      });
      await diagnose(s, 'node-legacy-01');
      const text = await metricsWhen(bot, (t) => value(t, 'cilium_runbook_jobs_total', { state: 'completed' }) === 1);
      expect(value(text, 'cilium_runbook_commands_total', { command: 'diagnose', outcome: 'ok' })).toBe(1);
      const lines = out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
      const posted = lines.find((l) => l.msg === 'diagnosis posted');
      expect(posted).toMatchObject({ level: 30, app: 'cilium-runbook', jobId: expect.any(String) as unknown, incidentId: expect.stringMatching(/^INC-\d+$/) as unknown, node: 'node-legacy-01' });
      expect(lines.find((l) => l.msg === 'cilium-runbook is up')).toMatchObject({ health: `http://127.0.0.1:${port}` });
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  }, 120_000);
});
