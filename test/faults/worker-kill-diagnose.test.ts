// A worker SIGKILLed mid-diagnosis, again and again: every job completes exactly once, no report is lost or posted
// twice, no timeline entry is duplicated.
import { describe, expect, inject, it } from 'vitest';
import { pino } from 'pino';
import { startBot } from '../../bot/bot.ts';
import { resolveScenario } from '../../sandbox/scenario/index.ts';
import { DEMO_CHANNEL, startSandboxStack } from '../../sandbox/sandbox-stack.ts';
import { startWorkerProcess, workerEnv } from './worker-process.ts';
import { describeState, KILLS, reports, sleep, stacks, stopAfterEach, waitFor, workers } from './kill-harness.ts';

stopAfterEach();

describe('worker killed mid-diagnosis', () => {
  it(`${KILLS} diagnoses, each with its worker SIGKILLed mid-collection: each run posted exactly once`, async () => {
    const s = await startSandboxStack({ scenario: resolveScenario('kernel-too-old'), redisUrl: inject('redisUrl'), startBot: false, kubeLatencyMs: 20 });
    stacks.push(s);
    s.bot = await startBot({ ...s.config, role: 'bot' }, { logger: pino({ level: 'silent' }) });
    const queue = s.bot.queue.queue;
    let worker = startWorkerProcess(workerEnv(s));
    workers.push(worker);
    describeState(queue, () => worker);
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
});
