// Fidelity with the real @kubernetes/client-node 1.4.0: typed APIs, Exec over WebSocket, Watch, errors, faults.
import { PassThrough } from 'node:stream';
import {
  ApiException, AppsV1Api, CoreV1Api, CustomObjectsApi, Exec, KubeConfig, PatchStrategy, setHeaderOptions, Watch,
  type V1Status,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startKubeEmulator, type KubeEmulator } from '../../sandbox/kube/index.ts';
import { RESTRICTED_USER, testScenario } from './fixture.ts';

let emu: KubeEmulator;
let kc: KubeConfig;
let core: CoreV1Api;

beforeAll(async () => {
  emu = await startKubeEmulator({ scenario: testScenario() });
  kc = new KubeConfig();
  kc.loadFromFile(emu.kubeconfigPath);
  core = kc.makeApiClient(CoreV1Api);
});
afterAll(async () => {
  await emu.stop();
});
beforeEach(() => {
  emu.faults.clear();
  emu.requestLog.clear();
});

async function apiError(promise: Promise<unknown>): Promise<{ code: number; body: Record<string, unknown>; headers: Record<string, string> }> {
  try {
    await promise;
  } catch (err) {
    if (!(err instanceof ApiException)) throw err;
    const e = err as ApiException<unknown>;
    const body = typeof e.body === 'string' ? (JSON.parse(e.body) as Record<string, unknown>) : {};
    return { code: e.code, body, headers: e.headers };
  }
  throw new Error('expected an ApiException');
}

describe('real client-node against the emulator', () => {
  it('lists nodes and reads a previous container log as text', async () => {
    const nodes = await core.listNode();
    expect(nodes.items.map((n) => n.metadata?.name)).toEqual(['node-1', 'node-2']);
    expect(nodes.items[0]?.status?.nodeInfo?.kernelVersion).toBe('4.14.355-275.582.amzn2.x86_64');
    const log = await core.readNamespacedPodLog({ name: 'cilium-aaaaa', namespace: 'kube-system', container: 'cilium-agent', previous: true, tailLines: 1 });
    expect(log).toBe('level=fatal msg="BPF template compilation failed"\n');
    expect(emu.requestLog.count({ verb: 'get', resource: 'pods', subresource: 'log' })).toBe(1);
  });

  it('log without a container on a two-container pod is the apiserver 400', async () => {
    const err = await apiError(core.readNamespacedPodLog({ name: 'cilium-bbbbb', namespace: 'kube-system' }));
    expect(err.code).toBe(400);
    expect(err.body['message']).toBe('a container name must be specified for pod cilium-bbbbb, choose one of: [cilium-agent cilium-monitor]');
  });

  it('execs over WebSocket: stdout collected, exit status from channel 3', async () => {
    const run = async (command: string[]): Promise<{ stdout: string; stderr: string; status: V1Status | undefined }> => {
      const stdout = new PassThrough();
      const stderr = new PassThrough();
      let out = '';
      let errText = '';
      stdout.on('data', (c: Buffer) => { out += c.toString(); });
      stderr.on('data', (c: Buffer) => { errText += c.toString(); });
      let status: V1Status | undefined;
      const ws = await new Exec(kc).exec('kube-system', 'cilium-bbbbb', 'cilium-agent', command, stdout, stderr, null, false, (s) => { status = s; });
      await new Promise<void>((resolve) => ws.on('close', () => resolve()));
      return { stdout: out, stderr: errText, status };
    };
    const ok = await run(['iptables-save', '-t', 'nat']);
    expect(ok.stdout).toContain(':KUBE-SERVICES - [0:0]');
    expect(ok.status?.status).toBe('Success');
    const failing = await run(['cilium-dbg', 'status']);
    expect(failing.stderr).toBe('warning: degraded\n');
    expect(failing.status?.reason).toBe('NonZeroExitCode');
    expect(failing.status?.details?.causes).toEqual([{ reason: 'ExitCode', message: '3' }]);
  });

  it('patches a node: object-shaped json-patch is a 400, merge-patch via setHeaderOptions applies', async () => {
    const body = { metadata: { labels: { 'cilium-runbook/quarantined': 'true' } } };
    const wrong = await apiError(core.patchNode({ name: 'node-2', body }));
    expect(wrong.code).toBe(400);
    expect(wrong.body['message']).toBe('error decoding patch: json: cannot unmarshal object into Go value of type []handlers.jsonPatchOp');
    const patched = await core.patchNode({ name: 'node-2', body }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    expect(patched.metadata?.labels?.['cilium-runbook/quarantined']).toBe('true');
    expect(emu.store.get('v1', 'Node', undefined, 'node-2')?.metadata.labels?.['cilium-runbook/quarantined']).toBe('true');
    const dry = await core.patchNode({ name: 'node-2', body: { spec: { unschedulable: true } }, dryRun: 'All' }, setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch));
    expect(dry.spec?.unschedulable).toBe(true);
    expect((emu.store.get('v1', 'Node', undefined, 'node-2')?.['spec'] as { unschedulable?: boolean }).unschedulable).toBeUndefined();
  });

  it('strategic merge patch on a CRD is a 415', async () => {
    const custom = kc.makeApiClient(CustomObjectsApi);
    const err = await apiError(custom.patchNamespacedCustomObject({
      group: 'cilium.io', version: 'v2', namespace: 'default', plural: 'ciliumnetworkpolicies', name: 'allow-dns', body: { metadata: { labels: { a: 'b' } } },
    }, setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch)));
    expect(err.code).toBe(415);
    expect(err.body['reason']).toBe('UnsupportedMediaType');
  });

  it('delete with dryRun=All in the query never persists', async () => {
    const apps = kc.makeApiClient(AppsV1Api);
    await apps.deleteNamespacedDaemonSet({ name: 'kube-proxy', namespace: 'kube-system', dryRun: 'All', propagationPolicy: 'Foreground' });
    expect(emu.store.get('apps/v1', 'DaemonSet', 'kube-system', 'kube-proxy')).toBeDefined();
    const entry = emu.requestLog.entries().find((e) => e.method === 'DELETE');
    expect(entry?.query).toContain('dryRun=All');
  });

  it('a Forbidden ApiException carries the apiserver Status as a JSON string', async () => {
    const restricted = new KubeConfig();
    restricted.loadFromFile(emu.kubeconfigFor(RESTRICTED_USER));
    const api = restricted.makeApiClient(CoreV1Api);
    const err = await apiError(api.readNamespacedPodLog({ name: 'cilium-bbbbb', namespace: 'kube-system', container: 'cilium-agent' }));
    expect(err.code).toBe(403);
    expect(err.body).toMatchObject({
      kind: 'Status', status: 'Failure', reason: 'Forbidden', code: 403,
      message: 'pods "cilium-bbbbb" is forbidden: User "system:serviceaccount:cilium-runbook:bot" cannot get resource "pods/log" in API group "" in the namespace "kube-system"',
      details: { name: 'cilium-bbbbb', kind: 'pods' },
    });
    expect((await api.listNode()).items).toHaveLength(2);
  });

  it('injects a 500 once, then answers normally; counts both in the request log', async () => {
    emu.faults.add({ method: 'GET', path: /^\/api\/v1\/nodes$/, status: 500, times: 1 });
    const err = await apiError(core.listNode());
    expect(err.code).toBe(500);
    expect(err.body['reason']).toBe('InternalError');
    expect((await core.listNode()).items).toHaveLength(2);
    expect(emu.requestLog.count({ verb: 'list', resource: 'nodes' })).toBe(2);
    expect(emu.requestLog.entries().map((e) => e.status)).toEqual([500, 200]);
  });

  it('injects a 429 with Retry-After', async () => {
    emu.faults.add({ path: '/api/v1/namespaces/kube-system/pods', status: 429, retryAfterSeconds: 7 });
    const err = await apiError(core.listNamespacedPod({ namespace: 'kube-system' }));
    expect(err.code).toBe(429);
    expect(err.headers['retry-after']).toBe('7');
    expect(err.body).toMatchObject({ reason: 'TooManyRequests', details: { retryAfterSeconds: 7 } });
  });

  it('adds latency per route', async () => {
    emu.faults.add({ path: '/api/v1/nodes', latencyMs: 150 });
    const started = Date.now();
    await core.listNode();
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(emu.requestLog.entries()[0]?.durationMs).toBeGreaterThanOrEqual(140);
  });

  it('watches nodes: a label change arrives as MODIFIED', async () => {
    const list = await core.listNode();
    const events: Array<{ type: string; name: string | undefined; label: string | undefined }> = [];
    const req = await new Watch(kc).watch('/api/v1/nodes', { resourceVersion: list.metadata?.resourceVersion }, (type, obj: { metadata?: { name?: string; labels?: Record<string, string> } }) => {
      events.push({ type, name: obj.metadata?.name, label: obj.metadata?.labels?.['watched'] });
    }, () => undefined);
    await core.patchNode({ name: 'node-1', body: { metadata: { labels: { watched: 'yes' } } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    await expect.poll(() => events).toContainEqual({ type: 'MODIFIED', name: 'node-1', label: 'yes' });
    req.abort();
  });
});
