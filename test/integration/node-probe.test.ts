// The node probe end to end against the Kubernetes API emulator (real client-node): on kernel-too-old with the
// agent crash-looping, every node fact the agent could not give is read by the probe pod, and the pod is gone
// afterwards — deleted by the run itself, also when the run is aborted, and by the sweeper when a worker died.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectEvidence } from '../../jobs/collect/collect-evidence.ts';
import { KERNEL_LOG_WITHOUT_PROBE, type NodeProbe } from '../../jobs/collect/node-probe/probe-evidence.ts';
import { PROBE_SELECTOR, probePod } from '../../jobs/collect/node-probe/probe-pod.ts';
import { ClientNodeProbePods } from '../../jobs/collect/node-probe/probe-pods-api.ts';
import { runNodeProbe } from '../../jobs/collect/node-probe/run-probe.ts';
import { SWEEP_GRACE_SECONDS, sweepProbePods } from '../../jobs/collect/node-probe/sweep-probes.ts';
import { ClientNodeCluster, loadKubeConfig } from '../../jobs/kube/client-node-cluster.ts';
import { analyze } from '../../runbooks/engine/analyze.ts';
import { renderReportText } from '../../bot/render/report-text.ts';
import { startKubeEmulator, type KubeEmulator } from '../../sandbox/kube/index.ts';
import { resolveScenario } from '../../sandbox/scenario/index.ts';
import type { Scenario } from '../../sandbox/scenario/schema.ts';

const NS = 'cilium-runbook-probe';
const NODE = 'node-legacy-01';
const opts = { deadlineMs: 10_000, tailLines: 500, limitBytes: 512 * 1024 };
/** SELinux denying the agent's program load, as the kernel logs it (record shape: flatcar/Flatcar#1741, cilium#6358). */
const AVC = '[  412.883121] audit: type=1400 audit(1747130000.123:412): avc:  denied  { prog_load } for  pid=3545 comm="cilium-agent" scontext=system_u:system_r:container_t:s0:c117,c357 tcontext=system_u:system_r:container_t:s0:c117,c357 tclass=bpf permissive=0';

function withNodeData(base: Scenario, nodeData: NonNullable<Scenario['nodeData']>): Scenario {
  return { ...base, nodeData, objects: [...base.objects, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS, labels: { 'kubernetes.io/metadata.name': NS } } }] };
}

async function probePods(api: ClientNodeProbePods): Promise<string[]> {
  return (await api.list(NS, PROBE_SELECTOR)).map((p) => p.metadata?.name ?? '');
}

describe('node probe on kernel-too-old (agent crash-looping)', () => {
  let kube: KubeEmulator;
  let reader: ClientNodeCluster;
  let api: ClientNodeProbePods;
  const created: string[] = [];
  let probe: NodeProbe;
  beforeAll(async () => {
    kube = await startKubeEmulator({ scenario: withNodeData(resolveScenario('kernel-too-old'), [{ node: NODE, kernelLog: ['[    0.000000] Linux version 4.14.352-268.568.amzn2.x86_64', AVC, '[  413.000001] eth0: link up'] }]) });
    const kc = loadKubeConfig({ kubeconfigPath: kube.kubeconfigPath });
    reader = new ClientNodeCluster('sandbox', kc);
    api = new ClientNodeProbePods(kc);
    probe = { api, namespace: NS, image: 'registry.example/cilium-runbook-probe:1.0', timeoutSeconds: 30, pollMs: 20, onCreated: (p) => created.push(p) };
  });
  afterAll(async () => {
    await kube.stop();
  });

  it('without the probe: the node facts are unavailable and the kernel log says to enable the probe', async () => {
    const e = await collectEvidence(reader, NODE, opts);
    for (const k of ['iptables', 'kernelConfig', 'hostKernel', 'memlock'] as const) expect(e[k].ok, k).toBe(false);
    expect(e.kernelLog).toEqual(KERNEL_LOG_WITHOUT_PROBE);
    if (!e.hostKernel.ok) expect(e.hostKernel.fix).toContain('NODE_PROBE_ENABLED=true');
  });

  it('with the probe: iptables, kernel config, memlock and /proc/version are read on the node, and the pod is gone', async () => {
    const e = await collectEvidence(reader, NODE, { ...opts, nodeProbe: probe, jobId: 'job-42' });
    if (!e.iptables.ok || !e.kernelConfig.ok || !e.hostKernel.ok || !e.memlock.ok || !e.kernelLog.ok) {
      throw new Error(`unread: ${JSON.stringify({ iptables: e.iptables, kernelConfig: e.kernelConfig, hostKernel: e.hostKernel, memlock: e.memlock, kernelLog: e.kernelLog })}`);
    }
    expect(e.iptables.value.source).toBe('probe-pod');
    // kube-proxy runs on the legacy nodes in iptables mode: its chains are counted from the node's own table.
    expect(e.iptables.value.kubeProxyChains.services).toBeGreaterThan(0);
    expect(e.iptables.value.backend).toBe('legacy');
    expect(e.kernelConfig.value.source).toBe(`probe-pod: /boot/config-${e.node.ok ? e.node.value.kernelVersion ?? '' : ''}`);
    expect(e.kernelConfig.value.options['CONFIG_BPF_SYSCALL']).toBe('y');
    expect(e.hostKernel.value).toMatchObject({ source: 'probe-pod' });
    expect(e.hostKernel.value.procVersion).toMatch(/^Linux version 4\.14\./);
    expect(e.memlock.value).toEqual({ soft: 'unlimited', hard: 'unlimited', source: 'probe-pod: container default' });
    // Filtered to BPF/AVC/lockdown lines: the boot banner and the link line are not kept.
    expect(e.kernelLog.value).toEqual({ lines: [AVC], truncated: false, source: 'probe-pod' });
    expect(created).toHaveLength(1);
    expect(await probePods(api)).toEqual([]);

    const report = analyze(e);
    expect(report.findings[0]?.runbookId).toBe('kernel-too-old');
    expect(report.unavailable.map((u) => u.fact)).not.toEqual(expect.arrayContaining(['iptables', 'kernelConfig', 'hostKernel', 'memlock', 'kernelLog']));
    expect(report.readByProbe).toEqual(['iptables', 'kernelConfig', 'hostKernel', 'memlock', 'kernelLog']);
    expect(renderReportText(report)).toContain('Read by the node probe: iptables, kernelConfig, hostKernel, memlock, kernelLog');
  });

  it('the probe pod is pinned to the node, tolerates every taint, and carries its owner labels', () => {
    const pod = probePod({ node: NODE, namespace: NS, image: 'img:1', deadlineSeconds: 30, jobId: 'job/42' });
    expect(pod.spec?.nodeName).toBe(NODE);
    expect(pod.spec?.tolerations).toEqual([{ operator: 'Exists' }]);
    expect(pod.spec?.restartPolicy).toBe('Never');
    expect(pod.metadata?.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'cilium-runbook', 'cilium-runbook/probe-for': 'job-42' });
    expect(pod.spec?.containers[0]?.securityContext?.capabilities).toEqual({ drop: ['ALL'], add: ['NET_ADMIN', 'NET_RAW', 'SYSLOG'] });
    expect(pod.spec?.containers[0]?.volumeMounts?.every((m) => m.readOnly === true)).toBe(true);
  });
});

describe('node probe cleanup when the run does not finish', () => {
  let kube: KubeEmulator;
  let api: ClientNodeProbePods;
  beforeAll(async () => {
    kube = await startKubeEmulator({ scenario: withNodeData(resolveScenario('kernel-too-old'), [{ node: NODE, probeHangs: true }]) });
    api = new ClientNodeProbePods(loadKubeConfig({ kubeconfigPath: kube.kubeconfigPath }));
  });
  afterAll(async () => {
    await kube.stop();
  });

  it('a run aborted mid-probe still deletes its pod', async () => {
    const abort = new AbortController();
    let seen = '';
    const outcome = await runNodeProbe(api, {
      node: NODE, namespace: NS, image: 'img:1', timeoutSeconds: 600, jobId: 'job-abort', pollMs: 20, signal: abort.signal,
      onCreated: (name) => {
        seen = name;
        setTimeout(() => abort.abort(new Error('worker shutting down')), 60);
      },
    });
    expect(outcome.ok).toBe(false);
    expect(seen).not.toBe('');
    expect(await probePods(api)).toEqual([]);
  });

  it('a pod left by a killed worker is swept once past its deadline, and not before', async () => {
    // What a worker killed between create and its finally leaves: the pod, running on the node.
    const left = await api.create(NS, probePod({ node: NODE, namespace: NS, image: 'img:1', deadlineSeconds: 30, jobId: 'job-killed' }));
    const name = left.metadata?.name ?? '';
    const createdAt = new Date(left.metadata?.creationTimestamp ?? Date.now());
    const early = await sweepProbePods(api, NS, 30, new Date(createdAt.getTime() + 20_000));
    expect(early.deleted).toEqual([]);
    expect(await probePods(api)).toEqual([name]);
    const late = await sweepProbePods(api, NS, 30, new Date(createdAt.getTime() + (30 + SWEEP_GRACE_SECONDS + 1) * 1000));
    expect(late).toEqual({ deleted: [name], failed: [] });
    expect(await probePods(api)).toEqual([]);
  });
});
