// `queue`: 1,000 diagnose requests for 100 nodes at once (10 per node, from two producers, through DiagnoseQueue)
// → exactly 100 jobs; then the real worker on a generated 100-node cluster answers every one in its thread.
import { Redis } from 'ioredis';
import { DiagnoseQueue, type EnqueueResult } from '../jobs/diagnose-queue.ts';
import { generateCluster } from '../sandbox/scenario/index.ts';
import { DEMO_CHANNEL, isReport, startBenchStack } from './lib/stack.ts';
import { fmtMs, waitUntil } from './lib/stats.ts';
import type { BenchOutcome } from './lib/result.ts';

const NODES = 100;
const PER_NODE = 10;

export async function benchQueue(): Promise<BenchOutcome> {
  const stack = await startBenchStack({ scenario: generateCluster({ nodes: NODES }), mode: 'socket', botIn: 'process' });
  const bot = stack.bot;
  if (bot === undefined || bot.worker === null) throw new Error('queue bench needs the in-process bot with its worker');
  const conns = [new Redis(stack.config.redisUrl, { maxRetriesPerRequest: 1 }), new Redis(stack.config.redisUrl, { maxRetriesPerRequest: 1 })];
  const producers = conns.map((connection) => new DiagnoseQueue({ connection, prefix: stack.config.queuePrefix }));
  try {
    await bot.worker.pause();
    // One incident and thread per node, as `/cilium diagnose` opens them (setup, not timed).
    const targets: { incidentId: string; node: string; threadTs: string }[] = [];
    for (let i = 1; i <= NODES; i++) {
      const node = `node-${i}`;
      const { incident } = await bot.incidents.openOrReuse({ cluster: 'sandbox', node, channelId: DEMO_CHANNEL.id, openedBy: 'U0ONCALL' });
      const root = await bot.app.client.chat.postMessage({ channel: DEMO_CHANNEL.id, text: `${incident.id}: diagnosing ${node}…` });
      await bot.incidents.update(incident.id, { threadTs: root.ts ?? '' });
      targets.push({ incidentId: incident.id, node, threadTs: root.ts ?? '' });
    }
    const requests = targets.flatMap((t) => Array.from({ length: PER_NODE }, (_, k) => ({ t, k })));
    // Interleave (request j goes to node j mod 100), alternate producers.
    requests.sort((a, b) => a.k - b.k);
    const t0 = performance.now();
    const results: EnqueueResult[] = await Promise.all(
      requests.map(({ t }, j) =>
        (producers[j % producers.length] as DiagnoseQueue).enqueue({
          incidentId: t.incidentId, cluster: 'sandbox', node: t.node, channelId: DEMO_CHANNEL.id, threadTs: t.threadTs,
          requestedBy: j % 2 === 0 ? 'U0ONCALL' : 'U0LEAD', requestedAt: new Date().toISOString(),
        }),
      ),
    );
    const enqueueMs = performance.now() - t0;
    const queued = results.filter((r) => r.queued).length;
    const counts = await bot.queue.queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed', 'prioritized');
    const jobsCreated = Object.values(counts).reduce((a, b) => a + b, 0);
    const nodesWithJob = new Set(results.map((r) => (r.queued ? r.jobId : r.existingJobId))).size;

    const t1 = performance.now();
    await Promise.resolve(bot.worker.resume());
    const reportsPosted = () => targets.reduce((n, t) => n + stack.slack.thread(DEMO_CHANNEL.id, t.threadTs).filter((m) => isReport(m.text)).length, 0);
    await waitUntil(() => reportsPosted() >= NODES, 300_000, `${NODES} reports`, 20);
    const answerMs = performance.now() - t1;
    // The report is posted just before its job is marked completed: wait for the queue to settle too.
    let final = await bot.queue.queue.getJobCounts('completed', 'failed', 'waiting', 'active', 'delayed');
    for (let i = 0; i < 500 && (final.completed ?? 0) + (final.failed ?? 0) < NODES; i++) {
      await new Promise((r) => setTimeout(r, 20));
      final = await bot.queue.queue.getJobCounts('completed', 'failed', 'waiting', 'active', 'delayed');
    }
    const threadsAnswered = targets.filter((t) => stack.slack.thread(DEMO_CHANNEL.id, t.threadTs).some((m) => isReport(m.text))).length;
    const pass = queued === NODES && jobsCreated === NODES && nodesWithJob === NODES && final.completed === NODES && final.failed === 0 && threadsAnswered === NODES && reportsPosted() === NODES;
    return {
      rows: [
        {
          bench: 'queue', what: `${NODES * PER_NODE} diagnose requests for ${NODES} nodes at once → jobs; then all answered`,
          figure: `${jobsCreated} jobs (${queued} queued, ${NODES * PER_NODE - queued} deduplicated) in ${fmtMs(enqueueMs)}; ${final.completed} completed, ${final.failed} failed, ${threadsAnswered}/${NODES} threads with a report in ${fmtMs(answerMs)}`,
          target: `exactly ${NODES} jobs, all answered`, reference: '—', ratio: `${(NODES / (answerMs / 1000)).toFixed(1)} reports/s`, pass,
        },
      ],
      notes: [
        `Generated ${NODES}-node cluster (no API latency), private Redis, the real bot in this process with its worker paused while two DiagnoseQueue producers (own Redis connections) enqueue ${PER_NODE} requests per node concurrently (dedup by cluster+node); then the worker (concurrency 4, default) is resumed. Reports counted as thread replies starting "Diagnosis of"; ${reportsPosted()} reports in all (no thread got two).`,
      ],
      data: { enqueueMs, answerMs, queued, jobsCreated, nodesWithJob, final, threadsAnswered },
    };
  } finally {
    for (const p of producers) await p.close();
    for (const c of conns) c.disconnect();
    await stack.stop();
  }
}
