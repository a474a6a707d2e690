// Transient Kubernetes API failures (500s, 429 with Retry-After) are retried with backoff, bounded; a fact that
// keeps failing ends up unavailable, and the evidence is still collected.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectEvidence } from '../../jobs/collect/collect-evidence.ts';
import { ClientNodeCluster, loadKubeConfig } from '../../jobs/kube/client-node-cluster.ts';
import { startKubeEmulator, type KubeEmulator } from '../../sandbox/kube/index.ts';
import { resolveScenario } from '../../sandbox/scenario/index.ts';

let kube: KubeEmulator;
let reader: ClientNodeCluster;
beforeAll(async () => {
  kube = await startKubeEmulator({ scenario: resolveScenario('kube-proxy-conflict') });
  reader = new ClientNodeCluster('sandbox', loadKubeConfig({ kubeconfigPath: kube.kubeconfigPath }));
});
afterAll(async () => {
  await kube.stop();
});

const opts = { deadlineMs: 10_000, tailLines: 500, limitBytes: 1024 * 1024 };
const calls = (path: string) => kube.requestLog.entries().filter((e) => e.path.includes(path)).length;

describe('Kubernetes API retries', () => {
  it('500 twice and a 429 with Retry-After: retried, the facts are read', async () => {
    kube.requestLog.clear();
    kube.faults.clear();
    kube.faults.add({ path: '/configmaps/cilium-config', status: 500, times: 2 });
    kube.faults.add({ path: '/api/v1/nodes/node-2', status: 429, retryAfterSeconds: 1, times: 1 });
    const started = Date.now();
    const e = await collectEvidence(reader, 'node-2', opts);
    expect(e.ciliumConfig.ok).toBe(true);
    expect(e.node.ok).toBe(true);
    expect(calls('/configmaps/cilium-config')).toBe(3);
    expect(calls('/api/v1/nodes/node-2')).toBe(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000); // the Retry-After was honoured
  });

  it('a fact that keeps failing is given up after a bounded number of attempts and reported unavailable', async () => {
    kube.requestLog.clear();
    kube.faults.clear();
    kube.faults.add({ path: '/configmaps/cilium-config', status: 503, times: 50 });
    const e = await collectEvidence(reader, 'node-2', opts);
    expect(e.ciliumConfig.ok).toBe(false);
    expect(calls('/configmaps/cilium-config')).toBe(4);
    expect(e.node.ok).toBe(true);
    kube.faults.clear();
  });

  it('a 403 is not retried', async () => {
    kube.requestLog.clear();
    kube.faults.add({ path: '/configmaps/cilium-config', status: 403, times: 5 });
    const e = await collectEvidence(reader, 'node-2', opts);
    expect(e.ciliumConfig).toMatchObject({ ok: false, reason: 'forbidden' });
    expect(calls('/configmaps/cilium-config')).toBe(1);
    kube.faults.clear();
  });
});
