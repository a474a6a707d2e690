// A worker SIGKILLed mid-remediation, again and again: every approved change is applied exactly once.
import { describe, expect, inject, it } from 'vitest';
import { pino } from 'pino';
import { startBot } from '../../bot/bot.ts';
import { resolveScenario } from '../../sandbox/scenario/index.ts';
import { DEMO_CHANNEL, startSandboxStack } from '../../sandbox/sandbox-stack.ts';
import { startWorkerProcess, workerEnv } from './worker-process.ts';
import { describeState, KILLS, reports, sleep, stacks, stopAfterEach, waitFor, workers } from './kill-harness.ts';

stopAfterEach();

describe('worker killed mid-remediation', () => {
  it(`${KILLS} remediations, each with its worker SIGKILLed mid-remediation: each change applied exactly once`, async () => {
    const s = await startSandboxStack({ scenario: resolveScenario('kernel-too-old'), redisUrl: inject('redisUrl'), startBot: false, kubeLatencyMs: 20 });
    stacks.push(s);
    const approvers = { low: [], medium: ['U0LEAD'], high: [] };
    s.bot = await startBot({ ...s.config, role: 'bot', remediation: { enabled: true, approvers, proposalTtlMs: 30 * 60_000 } }, { logger: pino({ level: 'silent' }) });
    const env = workerEnv(s, { REMEDIATION_ENABLED: 'true', REMEDIATION_APPROVERS_MEDIUM: 'U0LEAD' });
    let worker = startWorkerProcess(env);
    workers.push(worker);
    const remediate = s.bot.remediateQueue.queue;
    const diagnose = s.bot.queue.queue;
    describeState(remediate, () => worker);
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
      // The kill is meant to land mid-remediation: wait until the diagnose job that posted the report has completed
      // too. A worker killed while it still held that job leaves it stalled until BullMQ's stalled check (up to
      // lockDuration + stalledInterval) and the next cycle's diagnose is deduplicated into it, past this test's wait.
      await waitFor(`diagnose ${i} to complete`, async () => (await diagnose.getActiveCount()) === 0, 30_000);
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
