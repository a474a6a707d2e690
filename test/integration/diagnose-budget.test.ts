// Issue 17: evidence too large to analyse within the budget ends the diagnosis at once (not retried: the same
// evidence would take as long again) with "evidence too large" and what to change, in the thread and the timeline.
// Real Redis, BullMQ and collectors against the Kubernetes emulator; the analysis says the budget ran out (the
// thread's own budget is tested in test/unit/jobs/analysis-thread.test.ts).
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { EvidenceTooLargeError } from '../../jobs/analysis-thread.ts';
import { DiagnoseQueue } from '../../jobs/diagnose-queue.ts';
import { startDiagnoseWorker } from '../../jobs/diagnose-worker.ts';
import type { DiagnosisTarget, IncidentSink } from '../../jobs/incident-sink.ts';
import { IncidentStore } from '../../jobs/incidents/incident-store.ts';
import { ClientNodeCluster, loadKubeConfig } from '../../jobs/kube/client-node-cluster.ts';
import { startKubeEmulator } from '../../sandbox/kube/index.ts';
import { resolveScenario } from '../../sandbox/scenario/index.ts';

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

class RecordingSink implements IncidentSink {
  readonly failures: { target: DiagnosisTarget; message: string }[] = [];
  reports = 0;
  collecting(): Promise<void> { return Promise.resolve(); }
  healthy(): Promise<void> { return Promise.resolve(); }
  report(): Promise<void> {
    this.reports++;
    return Promise.resolve();
  }
  failed(target: DiagnosisTarget, message: string): Promise<void> {
    this.failures.push({ target, message });
    return Promise.resolve();
  }
  postEntry(): Promise<void> { return Promise.resolve(); }
  refreshSummary(): Promise<void> { return Promise.resolve(); }
}

describe('a diagnosis whose evidence is too large to analyse (issue 17)', () => {
  it('fails at once, final, with "evidence too large" in the thread and the timeline', async () => {
    const kube = await startKubeEmulator({ scenario: resolveScenario('kernel-too-old') });
    closers.push(() => kube.stop());
    const redis = () => {
      const r = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null });
      closers.push(() => Promise.resolve(r.disconnect()));
      return r;
    };
    const prefix = `test-${randomUUID()}`;
    const queue = new DiagnoseQueue({ connection: redis(), prefix, attempts: 4, backoffMs: 50 });
    closers.push(() => queue.queue.obliterate({ force: true }).then(() => queue.close()));
    const incidents = new IncidentStore(redis(), prefix);
    const { incident } = await incidents.openOrReuse({ cluster: 'sandbox', node: 'node-legacy-01', channelId: 'C0INCIDENT', openedBy: 'U0ONCALL' });
    const sink = new RecordingSink();
    const analysed: number[] = [];
    const worker = startDiagnoseWorker({
      connection: redis(), prefix, clusters: () => new ClientNodeCluster('sandbox', loadKubeConfig({ kubeconfigPath: kube.kubeconfigPath })),
      sink, incidents, collect: { deadlineMs: 5_000, tailLines: 2_000, limitBytes: 2 * 1024 * 1024 }, logger: pino({ level: 'silent' }),
      analyze: (e) => {
        analysed.push(Date.now());
        return Promise.reject(new EvidenceTooLargeError(20_000, e));
      },
    });
    closers.push(() => worker.close());
    const enqueued = await queue.enqueue({ incidentId: incident.id, cluster: 'sandbox', node: 'node-legacy-01', channelId: 'C0INCIDENT', threadTs: '1700000000.000100', requestedBy: 'U0ONCALL', requestedAt: new Date().toISOString() });
    if (!enqueued.queued) throw new Error('not queued');
    for (let i = 0; i < 300 && (await queue.queue.getJobState(enqueued.jobId)) !== 'failed'; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await queue.queue.getJobState(enqueued.jobId)).toBe('failed');
    expect(analysed).toHaveLength(1); // one attempt of 4: not retried
    expect(sink.reports).toBe(0);
    expect(sink.failures).toHaveLength(1);
    expect(sink.failures[0]?.message).toMatch(/^evidence too large: analysing it took longer than 20 s \(agent logs \d+\.\d MiB current, .*\).*LOG_LIMIT_BYTES/);
    const timeline = await incidents.timeline(incident.id);
    expect(timeline.filter((e) => e.kind === 'diagnosis-failed').map((e) => e.text)).toEqual([sink.failures[0]?.message]);
  }, 60_000);
});
