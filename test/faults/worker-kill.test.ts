// A worker SIGKILLed mid-job, again and again: every job completes exactly once, no report is lost or posted
// twice, no timeline entry is duplicated, and a remediation is never applied twice.
import { afterEach, describe, expect, inject, it } from 'vitest';
import { pino } from 'pino';
import { startBot } from '../../bot/bot.ts';
import { resolveScenario } from '../../sandbox/scenario/index.ts';
import { DEMO_CHANNEL, startSandboxStack, type SandboxStack } from '../../sandbox/sandbox-stack.ts';
import { startWorkerProcess, workerEnv, type WorkerProcess } from './worker-process.ts';

const stacks: SandboxStack[] = [];
const workers: WorkerProcess[] = [];
afterEach(async () => {
  for (const w of workers.splice(0)) await w.kill();
  for (const s of stacks.splice(0)) await s.stop();
});

const KILLS = Number(process.env.FAULT_KILLS ?? 20);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const reports = (s: SandboxStack, ts: string) => s.slack.thread(DEMO_CHANNEL.id, ts).filter((m) => (m.text ?? '').startsWith('Diagnosis of'));

/** What a timeout says besides its name: the queue's counts and the newest worker's last output. */
let context: () => Promise<string> = () => Promise.resolve('');

async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${await context()}`);
    await sleep(25);
  }
}

function describeState(queue: { getJobCounts: () => Promise<Record<string, number>> }, worker: () => WorkerProcess): () => Promise<string> {
  return async () => `queue: ${JSON.stringify(await queue.getJobCounts())}\nworker exit: ${String(worker().child.exitCode ?? worker().child.signalCode)}\nworker output (tail):\n${worker().output().slice(-3000)}`;
}

describe('worker killed mid-job', () => {
  it(`${KILLS} diagnoses, each with its worker SIGKILLed mid-collection: each run posted exactly once`, async () => {
    const s = await startSandboxStack({ scenario: resolveScenario('kernel-too-old'), redisUrl: inject('redisUrl'), startBot: false, kubeLatencyMs: 20 });
    stacks.push(s);
    s.bot = await startBot({ ...s.config, role: 'bot' }, { logger: pino({ level: 'silent' }) });
    const queue = s.bot.queue.queue;
    let worker = startWorkerProcess(workerEnv(s));
    workers.push(worker);
    context = describeState(queue, () => worker);
    let rootTs = '';
    for (let i = 1; i <= KILLS; i++) {
      await s.slack.slashCommand({ text: 'diagnose node-legacy-01', userId: 'U0ONCALL', channelId: DEMO_CHANNEL.id, command: '/cilium', via: 'socket' });
      await waitFor(`job ${i} to start`, async () => (await queue.getActiveCount()) > 0);
      await sleep(Math.floor(Math.random() * 250));
      await worker.kill();
      worker = startWorkerProcess(workerEnv(s));
      workers.push(worker);
      rootTs = rootTs || (s.slack.messages(DEMO_CHANNEL.id)[0]?.ts ?? '');
      await waitFor(`report ${i}`, () => Promise.resolve(reports(s, rootTs).length >= i && (async () => (await queue.getActiveCount()) === 0 && (await queue.getWaitingCount()) === 0)()), 40_000);
    }
    await sleep(500);
    const posted = reports(s, rootTs);
    expect(posted).toHaveLength(KILLS);
    const runs = posted.map((m) => /INC-\d+ · run (\d+) ·/.exec(JSON.stringify(m.blocks))?.[1]);
    expect(runs).toEqual(Array.from({ length: KILLS }, (_, i) => String(i + 1)));
    const incidentId = /^(INC-\d+)/.exec(s.slack.message(DEMO_CHANNEL.id, rootTs)?.text ?? '')?.[1] ?? '';
    const timeline = await s.bot.incidents.timeline(incidentId);
    expect(timeline.filter((e) => e.kind === 'diagnosis-posted')).toHaveLength(KILLS);
    // Every entry posted as a message (the reports stand for diagnosis-posted) appears in the thread exactly once.
    const blocks = s.slack.thread(DEMO_CHANNEL.id, rootTs).map((m) => JSON.stringify(m.blocks));
    const asMessages = timeline.filter((e) => e.kind !== 'diagnosis-posted');
    expect(asMessages.length).toBe(KILLS);
    for (const e of asMessages) expect(blocks.filter((b) => b.includes(`${incidentId} · #${e.seq} ·`)).length, `entry #${e.seq}`).toBe(1);
    expect(await queue.getCompletedCount()).toBe(KILLS);
    expect(await queue.getFailedCount()).toBe(0);
  }, 600_000);

  it(`${KILLS} remediations, each with its worker SIGKILLed mid-remediation: each change applied exactly once`, async () => {
    const s = await startSandboxStack({ scenario: resolveScenario('kernel-too-old'), redisUrl: inject('redisUrl'), startBot: false, kubeLatencyMs: 20 });
    stacks.push(s);
    const approvers = { low: [], medium: ['U0LEAD'], high: [] };
    s.bot = await startBot({ ...s.config, role: 'bot', remediation: { enabled: true, approvers, proposalTtlMs: 30 * 60_000 } }, { logger: pino({ level: 'silent' }) });
    const env = workerEnv(s, { REMEDIATION_ENABLED: 'true', REMEDIATION_APPROVERS_MEDIUM: 'U0LEAD' });
    let worker = startWorkerProcess(env);
    workers.push(worker);
    const remediate = s.bot.remediateQueue.queue;
    context = describeState(remediate, () => worker);
    let rootTs = '';
    for (let i = 1; i <= KILLS; i++) {
      // Uncordon out of band so every cycle has a change to make, but only once no attempt of the previous job is
      // pending (one waiting on its lock would otherwise see the reset node and rightly cordon it again).
      await waitFor('the remediate queue to drain', async () => (await remediate.getActiveCount()) + (await remediate.getWaitingCount()) + (await remediate.getDelayedCount()) === 0, 30_000);
      await sleep(200);
      const node = s.kube.store.get('v1', 'Node', undefined, 'node-legacy-01');
      if (node === undefined) throw new Error('node-legacy-01 missing');
      s.kube.store.put({ ...node, spec: { ...(node.spec as Record<string, unknown>), unschedulable: false } });
      await s.slack.slashCommand({ text: 'diagnose node-legacy-01', userId: 'U0ONCALL', channelId: DEMO_CHANNEL.id, command: '/cilium', via: 'socket' });
      rootTs = rootTs || (await waitFor('root', () => Promise.resolve(s.slack.messages(DEMO_CHANNEL.id)[0]?.ts)));
      const report = await waitFor(`report ${i}`, () => Promise.resolve(reports(s, rootTs)[i - 1]), 40_000);
      const button = (report.blocks as Array<{ type: string; elements?: Array<{ action_id?: string; text?: { text: string } }> }>)
        .filter((b) => b.type === 'actions')
        .flatMap((b) => b.elements ?? [])
        .find((e) => /^Cordon/.test(e.text?.text ?? ''));
      if (button?.action_id === undefined) throw new Error('no Cordon button');
      s.kube.requestLog.clear();
      await s.slack.clickButton({ channelId: DEMO_CHANNEL.id, messageTs: report.ts, actionId: button.action_id, userId: 'U0LEAD', via: 'socket', confirmed: true });
      await waitFor(`remediation ${i} to start`, async () => (await remediate.getActiveCount()) > 0 || (await remediate.getCompletedCount()) >= i);
      await sleep(Math.floor(Math.random() * 150));
      await worker.kill();
      worker = startWorkerProcess(env);
      workers.push(worker);
      await waitFor(`remediation ${i} to finish`, async () => (await remediate.getCompletedCount()) >= i, 40_000);
      // Applied = the emulator persisted it, whether or not the killed client saw the answer (a PATCH whose client
      // died in flight may be dropped or applied; the log says which). No other write may be accepted either: a
      // second attempt must find the change made, or be refused by the resourceVersion guard.
      const writes = s.kube.requestLog.entries().filter((e) => e.method === 'PATCH' && e.resource === 'nodes' && !e.query.includes('dryRun=All'));
      expect(writes.filter((e) => e.changedState), `cycle ${i}: the cordon is applied exactly once`).toHaveLength(1);
      expect(writes.filter((e) => e.status >= 200 && e.status < 300 && !e.changedState), `cycle ${i}: no second write accepted`).toHaveLength(0);
      const n = s.kube.store.get('v1', 'Node', undefined, 'node-legacy-01') as { spec?: { unschedulable?: boolean } };
      expect(n.spec?.unschedulable).toBe(true);
    }
    const thread = s.slack.renderThread(DEMO_CHANNEL.id, rootTs);
    expect(thread.match(/: applied/g)?.length).toBe(KILLS);
    expect(await remediate.getFailedCount()).toBe(0);
  }, 900_000);
});
