// A shared sysdump's job that dies after opening its node's incident but before posting the incident's root message:
// the retry finishes opening it (one root, the report in its thread) instead of waiting for a thread nobody posts.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import type { Job } from 'bullmq';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { IncidentStore } from '../../jobs/incidents/incident-store.ts';
import { processSysdumpJob, type SysdumpSink, type SysdumpWorkerOptions } from '../../jobs/sysdump-share/sysdump-share-worker.ts';
import { analyseSysdump } from '../../jobs/sysdump-share/sysdump-analysis.ts';
import type { SysdumpJob } from '../../jobs/sysdump-share/sysdump-share-job.ts';
import { resolveScenario } from '../../sandbox/scenario/index.ts';
import { scenarioSysdump } from '../../sandbox/sysdump/index.ts';
import { recordingSink } from './recording-sink.ts';

let redis: Redis;
beforeAll(() => {
  redis = new Redis(inject('redisUrl'));
});
afterAll(() => redis.disconnect());

describe('sysdump job retried after a crash between opening the incident and posting its root', () => {
  it('the retry posts the one root message and the report; the incident gets that thread', async () => {
    const dump = await scenarioSysdump(resolveScenario('memlock-rlimit'));
    const incidents = new IncidentStore(redis, `test-${randomUUID()}`);
    const roots: string[] = [];
    let crashRoot = true;
    const sink: SysdumpSink = {
      download: () => Promise.resolve(dump),
      incidentRoot: (_channel, text) => {
        if (crashRoot) {
          crashRoot = false;
          return Promise.reject(new Error('worker killed before the root was posted'));
        }
        roots.push(text);
        return Promise.resolve(`1700000000.00010${roots.length}`);
      },
      summary: () => Promise.resolve(),
      failed: () => Promise.resolve(),
    };
    const posted: string[] = [];
    const reports: string[] = [];
    const incidentSink = { ...recordingSink(posted), report: (target: { threadTs: string }) => Promise.resolve(void reports.push(target.threadTs)) };
    const opts = { connection: redis, prefix: 'unused', sink, incidents, incidentSink, logger: pino({ level: 'silent' }), analyse: analyseSysdump } satisfies SysdumpWorkerOptions;
    const data: SysdumpJob = { fileId: 'F0DUMP', fileName: dump.name, channelId: 'C0INCIDENTS', threadTs: '1700000000.000001', cluster: 'sandbox', sharedBy: 'U0LEAD', requestedAt: new Date().toISOString() };
    const job = { id: 'job-1', data, attemptsMade: 0, opts: { attempts: 3 } } as unknown as Job;

    await expect(processSysdumpJob(job, opts)).rejects.toThrow(/worker killed/);
    const [half] = await incidents.listOpen();
    expect(half?.threadTs).toBe('');

    const result = await processSysdumpJob({ ...job, attemptsMade: 1 } as unknown as Job, opts);
    expect(result.incident).toBe(half?.id);
    expect(roots).toHaveLength(1);
    const incident = await incidents.get(half?.id ?? '');
    expect(incident.threadTs).toBe('1700000000.000101');
    expect(reports).toEqual(['1700000000.000101']);
    // One "opened" entry in the timeline, whatever the attempts.
    expect((await incidents.timeline(incident.id)).filter((e) => e.kind === 'opened')).toHaveLength(1);
  });
});
