// The bundled bpf-program-load-denied scenario with the node probe: node-2's agent is not ready, so the probe runs and
// reads the scenario's kernel log, whose SELinux AVC record (rancher/rke2#1273, permissive=1) is quoted in the finding
// from the probe pod, while the cause stays the verifier's complexity limit (a permissive record refuses nothing) and
// the scenario's expect block still holds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectEvidence } from '../../jobs/collect/collect-evidence.ts';
import { ClientNodeProbePods } from '../../jobs/collect/node-probe/probe-pods-api.ts';
import { PROBE_SELECTOR } from '../../jobs/collect/node-probe/probe-pod.ts';
import { ClientNodeCluster, loadKubeConfig } from '../../jobs/kube/client-node-cluster.ts';
import { analyze } from '../../runbooks/engine/analyze.ts';
import { startKubeEmulator, type KubeEmulator } from '../../sandbox/kube/index.ts';
import { resolveScenario } from '../../sandbox/scenario/index.ts';

const NS = 'cilium-runbook-probe';

describe('bpf-program-load-denied scenario with the node probe', () => {
  let kube: KubeEmulator;
  const scenario = resolveScenario('bpf-program-load-denied');
  beforeAll(async () => {
    kube = await startKubeEmulator({ scenario: { ...scenario, objects: [...scenario.objects, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS, labels: { 'kubernetes.io/metadata.name': NS } } }] } });
  });
  afterAll(async () => {
    await kube.stop();
  });

  it('the AVC record is read by the probe and quoted; the verifier stays the cause; expect still holds', async () => {
    const kc = loadKubeConfig({ kubeconfigPath: kube.kubeconfigPath });
    const node = scenario.expect?.node ?? '';
    const created: string[] = [];
    const probe = { api: new ClientNodeProbePods(kc), namespace: NS, image: 'registry.example/cilium-runbook-probe:1.0', timeoutSeconds: 30, pollMs: 20, onCreated: (p: string) => created.push(p) };
    const e = await collectEvidence(new ClientNodeCluster('sandbox', kc), node, { deadlineMs: 10_000, tailLines: 500, limitBytes: 512 * 1024, nodeProbe: probe, jobId: 'job-avc' });
    expect(e.kernelLog.ok && e.kernelLog.value.source).toBe('probe-pod');
    const report = analyze(e);
    expect(report.findings.slice(0, scenario.expect?.findings.length).map((f) => f.runbookId)).toEqual(scenario.expect?.findings);
    const top = report.findings[0];
    expect(top?.title).toContain('too large for the verifier');
    const avc = top?.evidence.find((q) => q.source === 'kernel log (probe-pod)');
    expect(avc?.kind).toBe('log');
    expect(avc?.text).toMatch(/avc: {2}denied {2}\{ prog_load \} .*comm="bpftool".*permissive=1/);
    expect(report.readByProbe).toContain('kernelLog');
    expect(created).toHaveLength(1);
    expect(await new ClientNodeProbePods(kc).list(NS, PROBE_SELECTOR)).toEqual([]);
  });
});
