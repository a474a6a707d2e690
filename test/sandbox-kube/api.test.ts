// Wire-level behaviour: auth, selectors, pagination, tables, patch flavours, watch, RBAC details, faults.
import { request } from 'node:https';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startKubeEmulator, type KubeEmulator } from '../../sandbox/kube/index.ts';
import { RESTRICTED_TOKEN, testScenario } from './fixture.ts';
import { raw } from './http.ts';

let emu: KubeEmulator;
beforeAll(async () => {
  emu = await startKubeEmulator({ scenario: testScenario() });
});
afterAll(async () => {
  await emu.stop();
});
beforeEach(() => emu.faults.clear());

const names = (list: Record<string, unknown>): unknown[] => (list['items'] as Array<{ metadata: { name: string } }>).map((i) => i.metadata.name);

describe('authentication and discovery', () => {
  it('answers 401 Status for a missing or unknown token, but serves /version anonymously', async () => {
    const missing = await raw(emu, 'GET', '/api/v1/nodes', { token: null });
    expect(missing.status).toBe(401);
    expect(missing.json()).toMatchObject({ kind: 'Status', reason: 'Unauthorized', message: 'Unauthorized', code: 401 });
    expect((await raw(emu, 'GET', '/api/v1/nodes', { token: 'nope-nope-nope' })).status).toBe(401);
    const version = await raw(emu, 'GET', '/version', { token: null });
    expect(version.json()).toMatchObject({ major: '1', minor: '32' });
  });

  it('lists short names and subresources in discovery', async () => {
    const core = (await raw(emu, 'GET', '/api/v1')).json();
    const resources = core['resources'] as Array<{ name: string; shortNames?: string[]; verbs: string[] }>;
    expect(resources.find((r) => r.name === 'pods')?.shortNames).toEqual(['po']);
    expect(resources.find((r) => r.name === 'pods/exec')?.verbs).toEqual(['create', 'get']);
    expect(resources.find((r) => r.name === 'pods/log')?.verbs).toEqual(['get']);
    const cilium = (await raw(emu, 'GET', '/apis/cilium.io/v2')).json();
    const ccnp = (cilium['resources'] as Array<{ name: string; namespaced: boolean; shortNames?: string[] }>).find((r) => r.name === 'ciliumclusterwidenetworkpolicies');
    expect(ccnp).toMatchObject({ namespaced: false, shortNames: ['ccnp'] });
  });
});

describe('reads', () => {
  it('supports set-based label selectors and != / comma-AND field selectors', async () => {
    const notin = await raw(emu, 'GET', '/api/v1/pods?labelSelector=k8s-app%20notin%20(kube-proxy),k8s-app');
    expect(names(notin.json())).toEqual(['cilium-aaaaa', 'cilium-bbbbb']);
    const fields = await raw(emu, 'GET', '/api/v1/pods?fieldSelector=spec.nodeName!%3Dnode-1,status.phase%3DRunning');
    expect(names(fields.json())).toEqual(['cilium-bbbbb']);
    const crd = await raw(emu, 'GET', '/apis/cilium.io/v2/ciliumnetworkpolicies?fieldSelector=spec.x%3Dy');
    expect(crd.status).toBe(400);
    expect(crd.json()['message']).toBe('field label not supported: spec.x');
  });

  it('paginates with limit/continue and reports resourceVersion', async () => {
    const first = (await raw(emu, 'GET', '/api/v1/namespaces/kube-system/pods?limit=1')).json();
    const meta = first['metadata'] as { continue?: string; resourceVersion: string; remainingItemCount?: number };
    expect(names(first)).toEqual(['cilium-aaaaa']);
    expect(meta.remainingItemCount).toBe(1);
    const second = (await raw(emu, 'GET', `/api/v1/namespaces/kube-system/pods?limit=1&continue=${meta.continue ?? ''}`)).json();
    expect(names(second)).toEqual(['cilium-bbbbb']);
    expect((second['metadata'] as { continue?: string }).continue).toBeUndefined();
  });

  it('serves a generic NAME/AGE Table with PartialObjectMetadata rows', async () => {
    const table = (await raw(emu, 'GET', '/api/v1/namespaces/kube-system/serviceaccounts', { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' })).json();
    expect(table['kind']).toBe('Table');
    expect((table['columnDefinitions'] as Array<{ name: string }>).map((c) => c.name)).toEqual(['Name', 'Age']);
    const pods = (await raw(emu, 'GET', '/api/v1/namespaces/kube-system/pods', { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' })).json();
    const row = (pods['rows'] as Array<{ object: { kind: string; metadata: { labels: Record<string, string> } } }>)[0];
    expect(row?.object).toMatchObject({ kind: 'PartialObjectMetadata', metadata: { labels: { 'k8s-app': 'cilium' } } });
  });

  it('serves logs as text/plain with the kubelet errors', async () => {
    const log = await raw(emu, 'GET', '/api/v1/namespaces/kube-system/pods/cilium-bbbbb/log?container=cilium-agent&limitBytes=8');
    expect(log.headers['content-type']).toBe('text/plain');
    expect(log.text).toBe('line 1\nl');
    const bad = await raw(emu, 'GET', '/api/v1/namespaces/kube-system/pods/cilium-bbbbb/log?container=x');
    expect(bad.json()).toMatchObject({ code: 400, reason: 'BadRequest', message: 'container x is not valid for pod cilium-bbbbb' });
    const plain = await raw(emu, 'GET', '/api/v1/namespaces/kube-system/pods/cilium-bbbbb/exec?command=ls&container=cilium-agent&stdout=true');
    expect(plain.json()['message']).toBe('Upgrade request required');
  });
});

describe('writes', () => {
  it('creates, refuses duplicates with AlreadyExists, and honours dryRun on create', async () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'probe' }, data: { a: '1' } };
    expect((await raw(emu, 'POST', '/api/v1/namespaces/default/configmaps?dryRun=All', { body: cm })).status).toBe(201);
    expect(emu.store.get('v1', 'ConfigMap', 'default', 'probe')).toBeUndefined();
    expect((await raw(emu, 'POST', '/api/v1/namespaces/default/configmaps', { body: cm })).status).toBe(201);
    const dup = await raw(emu, 'POST', '/api/v1/namespaces/default/configmaps', { body: cm });
    expect(dup.json()).toMatchObject({ code: 409, reason: 'AlreadyExists', message: 'configmaps "probe" already exists' });
  });

  it('rejects a stale resourceVersion on update with Conflict', async () => {
    const node = (await raw(emu, 'GET', '/api/v1/nodes/node-1')).json();
    (node['metadata'] as Record<string, unknown>)['resourceVersion'] = '1';
    const r = await raw(emu, 'PUT', '/api/v1/nodes/node-1', { body: node });
    expect(r.json()).toMatchObject({ code: 409, reason: 'Conflict' });
    expect(r.json()['message']).toContain('Operation cannot be fulfilled on nodes "node-1": the object has been modified');
  });

  it('merges containers by name in a strategic merge patch; json-patch and apply-patch work', async () => {
    const path = '/apis/apps/v1/namespaces/kube-system/daemonsets/cilium';
    await raw(emu, 'PATCH', path, {
      contentType: 'application/strategic-merge-patch+json',
      body: { spec: { template: { spec: { containers: [{ name: 'cilium-agent', image: 'quay.io/cilium/cilium:v1.16.0' }] } } } },
    });
    const ds = emu.store.get('apps/v1', 'DaemonSet', 'kube-system', 'cilium') as unknown as { spec: { template: { spec: { containers: Array<{ name: string; image: string }> } } } };
    expect(ds.spec.template.spec.containers).toEqual([{ name: 'cilium-agent', image: 'quay.io/cilium/cilium:v1.16.0' }]);
    const jp = await raw(emu, 'PATCH', '/api/v1/nodes/node-2', { contentType: 'application/json-patch+json', body: [{ op: 'add', path: '/metadata/labels/jp', value: 'x' }] });
    expect(jp.status).toBe(200);
    const apply = await raw(emu, 'PATCH', '/api/v1/namespaces/default/configmaps/applied?fieldManager=test', {
      contentType: 'application/apply-patch+yaml', body: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied\ndata:\n  k: v\n',
    });
    expect(apply.status).toBe(201);
    expect(emu.store.get('v1', 'ConfigMap', 'default', 'applied')?.['data']).toEqual({ k: 'v' });
  });

  it('takes DELETE options from the body (kubectl style)', async () => {
    const r = await raw(emu, 'DELETE', '/api/v1/namespaces/kube-system/configmaps/cilium-config', { body: { propagationPolicy: 'Background', dryRun: ['All'] } });
    expect(r.json()).toMatchObject({ kind: 'Status', status: 'Success', details: { name: 'cilium-config', kind: 'configmaps' } });
    expect(emu.store.get('v1', 'ConfigMap', 'kube-system', 'cilium-config')).toBeDefined();
  });
});

describe('list order and freshness', () => {
  it('lists in key order and reflects every write and delete at once (the sorted order is cached per type)', async () => {
    const names = async () => ((await raw(emu, 'GET', '/api/v1/namespaces/order/configmaps')).json()['items'] as Array<{ metadata: { name: string }; data?: Record<string, string> }>);
    for (const name of ['m', 'z', 'a']) await raw(emu, 'POST', '/api/v1/namespaces/order/configmaps', { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { v: '1' } } });
    expect((await names()).map((o) => o.metadata.name)).toEqual(['a', 'm', 'z']);
    await raw(emu, 'PATCH', '/api/v1/namespaces/order/configmaps/m', { contentType: 'application/merge-patch+json', body: { data: { v: '2' } } });
    expect((await names()).find((o) => o.metadata.name === 'm')?.data).toEqual({ v: '2' });
    await raw(emu, 'DELETE', '/api/v1/namespaces/order/configmaps/a');
    await raw(emu, 'POST', '/api/v1/namespaces/order/configmaps', { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b' } } });
    const page = (await raw(emu, 'GET', '/api/v1/namespaces/order/configmaps?limit=2')).json();
    expect((page['items'] as Array<{ metadata: { name: string } }>).map((o) => o.metadata.name)).toEqual(['b', 'm']);
    // What the store hands out is a copy: changing it changes nothing stored.
    const listed = emu.store.list('v1', 'ConfigMap', 'order');
    listed[0]!.metadata.name = 'changed';
    expect((await names()).map((o) => o.metadata.name)).toEqual(['b', 'm', 'z']);
  });
});

describe('request log', () => {
  const patchLabel = (value: string) => raw(emu, 'PATCH', '/api/v1/nodes/node-2', { contentType: 'application/merge-patch+json', body: { metadata: { labels: { probe: value } } } });
  it('says which writes changed stored state: not a dry run, not a no-op patch', async () => {
    emu.requestLog.clear();
    await raw(emu, 'PATCH', '/api/v1/nodes/node-2?dryRun=All', { contentType: 'application/merge-patch+json', body: { metadata: { labels: { probe: 'a' } } } });
    await patchLabel('a');
    await patchLabel('a');
    await raw(emu, 'GET', '/api/v1/nodes/node-2');
    expect(emu.requestLog.entries().map((e) => [e.status, e.changedState, e.clientGone])).toEqual([[200, false, false], [200, true, false], [200, false, false], [200, false, false]]);
  });

  it('logs a write whose client died before the answer with what the server did with it', async () => {
    emu.requestLog.clear();
    // The client gives up during the injected latency; its whole body has arrived, so the patch is still applied.
    emu.faults.add({ method: 'PATCH', path: '/api/v1/nodes/node-2', latencyMs: 300, times: 1 });
    await expect(raw(emu, 'PATCH', '/api/v1/nodes/node-2', { contentType: 'application/merge-patch+json', body: { metadata: { labels: { probe: 'b' } } }, timeoutMs: 50 })).rejects.toThrow();
    await new Promise((r) => setTimeout(r, 500));
    const [entry] = emu.requestLog.entries();
    expect(entry).toMatchObject({ method: 'PATCH', clientGone: true });
    const labels = (emu.store.get('v1', 'Node', undefined, 'node-2')?.metadata as { labels?: Record<string, string> }).labels;
    // Either outcome is one a real apiserver can have; the log must agree with the store.
    expect(entry?.changedState).toBe(labels?.['probe'] === 'b');
    if (entry?.changedState === true) expect(entry.status).toBe(200);
    else expect(entry?.status).toBe(0);
  });

  it('refuses a DELETE whose preconditions (uid, resourceVersion) no longer hold, with Conflict', async () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'guarded' }, data: { a: '1' } };
    const created = (await raw(emu, 'POST', '/api/v1/namespaces/default/configmaps', { body: cm })).json();
    const uid = (created['metadata'] as { uid: string }).uid;
    const stale = await raw(emu, 'DELETE', '/api/v1/namespaces/default/configmaps/guarded', { body: { preconditions: { uid: 'not-the-uid' } } });
    expect(stale.json()).toMatchObject({ code: 409, reason: 'Conflict' });
    expect(stale.json()['message']).toBe(`Operation cannot be fulfilled on configmaps "guarded": StorageError: invalid object, Code: 4, Key: /registry/configmaps/default/guarded, ResourceVersion: 0, AdditionalErrorMsg: Precondition failed: UID in precondition: not-the-uid, UID in object meta: ${uid}`);
    const staleRv = await raw(emu, 'DELETE', '/api/v1/namespaces/default/configmaps/guarded', { body: { preconditions: { resourceVersion: '1' } } });
    expect(staleRv.json()['message']).toMatch(/Precondition failed: ResourceVersion in precondition: 1, ResourceVersion in object meta: \d+$/);
    expect(emu.store.get('v1', 'ConfigMap', 'default', 'guarded')).toBeDefined();
    expect((await raw(emu, 'DELETE', '/api/v1/namespaces/default/configmaps/guarded', { body: { preconditions: { uid } } })).status).toBe(200);
    expect(emu.store.get('v1', 'ConfigMap', 'default', 'guarded')).toBeUndefined();
  });
});

describe('watch', () => {
  it('streams ADDED for existing pods, then MODIFIED and DELETED', async () => {
    const events: Array<{ type: string; name: string }> = [];
    let buffer = '';
    const req = request(new URL('/api/v1/namespaces/kube-system/pods?watch=true&labelSelector=k8s-app%3Dcilium', emu.url), {
      headers: { Authorization: `Bearer ${emu.adminToken}` }, ca: emu.caPem,
    }, (res) => {
      res.on('data', (c: Buffer) => {
        buffer += c.toString();
        const lines = buffer.split('\n');
        buffer = lines.pop() ?? '';
        for (const line of lines) {
          const e = JSON.parse(line) as { type: string; object: { metadata: { name: string } } };
          events.push({ type: e.type, name: e.object.metadata.name });
        }
      });
    });
    req.on('error', () => undefined);
    req.end();
    await expect.poll(() => events.length).toBe(2);
    const pod = emu.store.get('v1', 'Pod', 'kube-system', 'cilium-bbbbb');
    if (pod === undefined) throw new Error('fixture pod missing');
    pod.metadata.annotations = { touched: 'yes' };
    emu.store.put(pod);
    emu.store.delete('v1', 'Pod', 'kube-system', 'cilium-bbbbb');
    await expect.poll(() => events.slice(2)).toEqual([{ type: 'MODIFIED', name: 'cilium-bbbbb' }, { type: 'DELETED', name: 'cilium-bbbbb' }]);
    req.destroy();
    emu.store.put(pod);
  });
});

describe('RBAC', () => {
  it('honours RoleBindings, resourceNames and subresources; SSAR answers truthfully', async () => {
    emu.loadRbac([
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'one-cm', namespace: 'kube-system' },
        rules: [{ apiGroups: [''], resources: ['configmaps'], resourceNames: ['cilium-config'], verbs: ['get'] }, { apiGroups: [''], resources: ['pods/exec'], verbs: ['get', 'create'] }] },
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'one-cm', namespace: 'kube-system' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'one-cm' }, subjects: [{ kind: 'ServiceAccount', name: 'bot', namespace: 'cilium-runbook' }] },
    ]);
    const as = { token: RESTRICTED_TOKEN };
    expect((await raw(emu, 'GET', '/api/v1/namespaces/kube-system/configmaps/cilium-config', as)).status).toBe(200);
    const other = await raw(emu, 'GET', '/api/v1/namespaces/kube-system/configmaps/other', as);
    expect(other.status).toBe(403);
    expect((await raw(emu, 'GET', '/api/v1/namespaces/default/configmaps/cilium-config', as)).status).toBe(403);
    const list = await raw(emu, 'GET', '/api/v1/configmaps', as);
    expect(list.json()['message']).toBe('configmaps is forbidden: User "system:serviceaccount:cilium-runbook:bot" cannot list resource "configmaps" in API group "" at the cluster scope');
    const review = await raw(emu, 'POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
      ...as, body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { namespace: 'kube-system', verb: 'create', resource: 'pods', subresource: 'exec' } } },
    });
    expect((review.json()['status'] as { allowed: boolean }).allowed).toBe(true);
  });
});

describe('faults', () => {
  it('stalls a request until the client gives up, and drops a connection', async () => {
    emu.faults.add({ path: '/api/v1/nodes', stall: true, times: 1 });
    await expect(raw(emu, 'GET', '/api/v1/nodes', { timeoutMs: 300 })).rejects.toThrow('client timeout');
    emu.faults.add({ path: '/api/v1/nodes', drop: true, times: 1 });
    await expect(raw(emu, 'GET', '/api/v1/nodes')).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect((await raw(emu, 'GET', '/api/v1/nodes')).status).toBe(200);
  });

  it('fires a probabilistic fault only sometimes', async () => {
    emu.faults.add({ path: '/api/v1/namespaces', status: 503, probability: 0.5 });
    const statuses = await Promise.all(Array.from({ length: 40 }, () => raw(emu, 'GET', '/api/v1/namespaces').then((r) => r.status)));
    expect(statuses).toContain(503);
    expect(statuses).toContain(200);
  });
});

describe('exec subprotocols', () => {
  it('speaks v4.channel.k8s.io too: readiness frame, stdout, then the channel-3 Status, binary frames only', async () => {
    const { WebSocket } = await import('ws');
    const url = `${emu.url.replace('https', 'wss')}/api/v1/namespaces/kube-system/pods/cilium-bbbbb/exec?command=cilium-dbg&command=status&container=cilium-agent&stdout=true&stderr=true`;
    const ws = new WebSocket(url, ['v4.channel.k8s.io'], { ca: emu.caPem, headers: { Authorization: `Bearer ${emu.adminToken}` } });
    const frames: Array<{ binary: boolean; channel: number | undefined; text: string }> = [];
    ws.on('message', (data: Buffer, isBinary: boolean) => frames.push({ binary: isBinary, channel: data[0], text: data.subarray(1).toString() }));
    const closeCode = await new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    expect(ws.protocol).toBe('v4.channel.k8s.io');
    expect(closeCode).toBe(1000);
    expect(frames.every((f) => f.binary)).toBe(true);
    expect(frames.map((f) => f.channel)).toEqual([1, 1, 2, 3]);
    expect(frames[0]?.text).toBe('');
    expect(JSON.parse(frames[3]?.text ?? '{}')).toMatchObject({ status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '3' }] } });
  });

  it('refuses an exec upgrade into a crash-looping container with a Status, not a socket', async () => {
    const r = await raw(emu, 'POST', '/api/v1/namespaces/kube-system/pods/cilium-aaaaa/exec?command=ls&container=cilium-agent&stdout=true');
    expect(r.json()).toMatchObject({ code: 500, reason: 'InternalError', message: 'Internal error occurred: unable to upgrade connection: container not found ("cilium-agent")' });
  });
});
