// The diagnose-pod worker's refusals before any collection: a payload that is not a job, a cluster it does not serve,
// and a pod gone since the command was typed are final (UnrecoverableError: no retry), each saying why.
import { UnrecoverableError } from 'bullmq';
import { describe, expect, it } from 'vitest';
import type { ClusterReader } from '../../jobs/kube/cluster-reader.ts';
import { processPodDiagnosisJob } from '../../jobs/pod/pod-diagnosis-worker.ts';

const job = { cluster: 'prod', namespace: 'shop', pod: 'checkout-7c9f8b6d4-x2x9q', channelId: 'C0INCIDENT', threadTs: '1700000000.000100', requestedBy: 'U0ONCALL', requestedAt: '2026-11-23T12:40:00.000Z' };
const reports: unknown[] = [];
const sink = { report: (_j: unknown, d: unknown) => Promise.resolve(void reports.push(d)), failed: () => Promise.resolve() };
const collect = { deadlineMs: 1000, tailLines: 10, limitBytes: 1000 };
const emptyCluster = { cluster: 'prod', listPods: () => Promise.resolve([]) } as unknown as ClusterReader;

describe('processPodDiagnosisJob', () => {
  it('a pod gone since the command: final, with the command that lists the current pods', async () => {
    const err = await processPodDiagnosisJob({ id: '1', data: job }, { clusters: () => emptyCluster, sink, collect }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnrecoverableError);
    expect((err as Error).message).toBe('pod shop/checkout-7c9f8b6d4-x2x9q no longer exists; `kubectl -n shop get pods` lists the current ones');
    expect(reports).toEqual([]);
  });

  it('a payload that is not a job, or a cluster not served: final', async () => {
    const bad = await processPodDiagnosisJob({ id: '2', data: { ...job, pod: 'Checkout;rm' } }, { clusters: () => emptyCluster, sink, collect }).catch((e: unknown) => e);
    expect((bad as Error).message).toMatch(/^invalid diagnose-pod job payload: pod:/);
    const unknown = await processPodDiagnosisJob({ id: '3', data: job }, { clusters: () => undefined, sink, collect }).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(UnrecoverableError);
    expect((unknown as Error).message).toBe('unknown cluster "prod"');
  });
});
