// Generated clusters: realistic shapes, deterministic, and cheap enough for 5,000-node benchmarks.
import { describe, expect, it } from 'vitest';
import { generateCluster, AGENT_NOT_READY_TAINT, POOL_LABEL } from '../../sandbox/scenario/generate.ts';
import { parseScenario } from '../../sandbox/scenario/load.ts';
import { stringify } from 'yaml';

const get = (o: unknown, ...path: (string | number)[]): unknown =>
  path.reduce<unknown>((v, k) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k as string] : undefined), o);

describe('generateCluster', () => {
  it('builds 5,000 nodes quickly and in reasonable memory', () => {
    const before = process.memoryUsage().heapUsed;
    const started = Date.now();
    const s = generateCluster({ nodes: 5000, broken: { count: 12, reason: 'kernel-too-old' } });
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(600 * 1024 * 1024);
    expect(s.objects.filter((o) => o.kind === 'Node')).toHaveLength(5000);
    expect(s.objects.filter((o) => o.kind === 'Pod' && o.metadata.labels?.['k8s-app'] === 'cilium')).toHaveLength(5000);
    expect(new Set(s.objects.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`)).size).toBe(s.objects.length);
  });

  it('is deterministic and passes the same checks as a scenario file', () => {
    const a = generateCluster({ nodes: 20, broken: { count: 3, reason: 'kernel-too-old' }, kubeProxyReplacement: false });
    const b = generateCluster({ nodes: 20, broken: { count: 3, reason: 'kernel-too-old' }, kubeProxyReplacement: false });
    expect(a).toEqual(b);
    const { name, description, objects, logs, exec } = a;
    const reparsed = parseScenario(stringify({ name, description, objects, logs, exec }, { lineWidth: 0 }), 'generated.yaml');
    expect(reparsed.objects).toHaveLength(objects.length);
  });

  it('shapes broken nodes and their agents like the real thing', () => {
    const s = generateCluster({ nodes: 4, broken: { count: 1, reason: 'kernel-too-old' } });
    const node = s.objects.find((o) => o.metadata.name === 'node-legacy-01');
    expect(node?.metadata.labels?.[POOL_LABEL]).toBe('workers-legacy');
    expect(get(node, 'spec', 'taints', 0)).toMatchObject({ key: AGENT_NOT_READY_TAINT.key, effect: 'NoExecute' });
    const agent = s.objects.find((o) => o.kind === 'Pod' && get(o, 'spec', 'nodeName') === 'node-legacy-01' && o.metadata.labels?.['k8s-app'] === 'cilium');
    expect(get(agent, 'metadata', 'ownerReferences', 0)).toMatchObject({ kind: 'DaemonSet', name: 'cilium', controller: true });
    expect(get(agent, 'status', 'containerStatuses', 0, 'state', 'waiting', 'reason')).toBe('CrashLoopBackOff');
    expect(String(get(agent, 'spec', 'containers', 0, 'image'))).toMatch(/^quay\.io\/cilium\/cilium:v1\.16\.3@sha256:[0-9a-f]{64}$/);
    const healthy = s.objects.find((o) => o.metadata.name === 'node-2');
    expect((get(healthy, 'status', 'conditions') as unknown[])[0]).toMatchObject({ type: 'NetworkUnavailable', status: 'False', reason: 'CiliumIsUp' });
    expect(s.exec).toHaveLength(3);
  });
});
