// Metadata-only reads and watch bookmarks, as the apiserver answers them (handlers/response.go doTransformObject,
// cacher.go's bookmark frequency): `as=PartialObjectMetadataList` on a list, `as=PartialObjectMetadata` on a GET and
// a watch, 406 NotAcceptable when the form does not fit the request, and a BOOKMARK at every interval on an idle
// watch that allows them.
import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKubeEmulator, type KubeEmulator } from '../../sandbox/kube/index.ts';
import { outputForm } from '../../sandbox/kube/output-form.ts';
import { testScenario } from './fixture.ts';
import { raw } from './http.ts';

const LIST_META = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1';
const OBJECT_META = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1';

let emu: KubeEmulator;
beforeAll(async () => {
  emu = await startKubeEmulator({ scenario: testScenario(), bookmarkIntervalMs: 200 });
});
afterAll(async () => {
  await emu.stop();
});

interface Item { kind?: string; apiVersion?: string; metadata: { name: string; labels?: Record<string, string> }; spec?: unknown; status?: unknown }

describe('Accept negotiation', () => {
  it('takes the first media range it serves, in the client order', () => {
    expect(outputForm(undefined)).toBe('object');
    expect(outputForm('application/json')).toBe('object');
    expect(outputForm(`application/vnd.kubernetes.protobuf;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,${LIST_META}`)).toBe('PartialObjectMetadataList');
    expect(outputForm('application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json')).toBe('Table');
    // A conversion in a group it does not exist in is passed over for the next range.
    expect(outputForm('application/json;as=PartialObjectMetadataList;g=example.com;v=v1,application/json')).toBe('object');
  });
});

describe('metadata-only lists and gets', () => {
  it('answers a list with a PartialObjectMetadataList: every item its metadata only, list metadata kept', async () => {
    const res = await raw(emu, 'GET', '/api/v1/nodes', { accept: LIST_META });
    expect(res.status).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ kind: 'PartialObjectMetadataList', apiVersion: 'meta.k8s.io/v1' });
    expect((body['metadata'] as { resourceVersion?: string }).resourceVersion).toMatch(/^\d+$/);
    const items = body['items'] as Item[];
    expect(items.map((i) => i.metadata.name)).toEqual(['node-1', 'node-2']);
    for (const i of items) {
      expect(i.kind).toBe('PartialObjectMetadata');
      expect(i.apiVersion).toBe('meta.k8s.io/v1');
      expect(i.metadata.labels?.['kubernetes.io/hostname']).toBe(i.metadata.name);
      expect(i.spec).toBeUndefined();
      expect(i.status).toBeUndefined();
    }
  });

  it('applies selectors and pagination before the conversion', async () => {
    const first = (await raw(emu, 'GET', '/api/v1/pods?labelSelector=k8s-app%3Dcilium&limit=1', { accept: LIST_META })).json();
    expect((first['items'] as Item[]).map((i) => i.metadata.name)).toEqual(['cilium-aaaaa']);
    const meta = first['metadata'] as { continue?: string; remainingItemCount?: number };
    expect(meta.remainingItemCount).toBe(1);
    const second = (await raw(emu, 'GET', `/api/v1/pods?labelSelector=k8s-app%3Dcilium&limit=1&continue=${meta.continue ?? ''}`, { accept: LIST_META })).json();
    expect((second['items'] as Item[]).map((i) => i.metadata.name)).toEqual(['cilium-bbbbb']);
    const onNode = (await raw(emu, 'GET', '/api/v1/pods?fieldSelector=spec.nodeName%3Dnode-2&labelSelector=k8s-app%3Dcilium', { accept: LIST_META })).json();
    expect((onNode['items'] as Item[]).map((i) => i.metadata.name)).toEqual(['cilium-bbbbb']);
  });

  it('answers a GET with a PartialObjectMetadata', async () => {
    const res = await raw(emu, 'GET', '/api/v1/nodes/node-1', { accept: OBJECT_META });
    expect(res.status).toBe(200);
    const body = res.json() as unknown as Item;
    expect(body.kind).toBe('PartialObjectMetadata');
    expect(body.metadata.name).toBe('node-1');
    expect(body.status).toBeUndefined();
  });

  it('refuses a list form for one object and a single-object form for a list with 406 NotAcceptable', async () => {
    const one = await raw(emu, 'GET', '/api/v1/nodes/node-1', { accept: LIST_META });
    expect(one.status).toBe(406);
    expect(one.json()).toMatchObject({ kind: 'Status', reason: 'NotAcceptable', code: 406 });
    expect(String(one.json()['message'])).toMatch(/^you requested PartialObjectMetadataList, but the requested object is not a list/);
    const list = await raw(emu, 'GET', '/api/v1/nodes', { accept: OBJECT_META });
    expect(list.status).toBe(406);
    expect(String(list.json()['message'])).toMatch(/^you requested PartialObjectMetadata, but the requested object is a list/);
  });

  it('records the Accept header in the request log', async () => {
    emu.requestLog.clear();
    await raw(emu, 'GET', '/api/v1/nodes', { accept: LIST_META });
    expect(emu.requestLog.entries().map((e) => e.accept)).toEqual([LIST_META]);
  });
});

describe('watch', () => {
  function openWatch(path: string, accept?: string): { events: Array<{ type: string; object: Item }>; close: () => void } {
    const events: Array<{ type: string; object: Item }> = [];
    let buffer = '';
    const req = request(new URL(path, emu.url), { headers: { Authorization: `Bearer ${emu.adminToken}`, ...(accept !== undefined && { Accept: accept }) }, ca: emu.caPem }, (res) => {
      res.on('data', (c: Buffer) => {
        buffer += c.toString();
        const lines = buffer.split('\n');
        buffer = lines.pop() ?? '';
        for (const line of lines) events.push(JSON.parse(line) as { type: string; object: Item });
      });
    });
    req.on('error', () => undefined);
    req.end();
    return { events, close: () => req.destroy() };
  }

  it('sends metadata only to a watch that asks for PartialObjectMetadata', async () => {
    const w = openWatch('/api/v1/nodes?watch=true', OBJECT_META);
    try {
      await expect.poll(() => w.events.length).toBe(2);
      expect(w.events.map((e) => [e.type, e.object.kind, e.object.metadata.name])).toEqual([['ADDED', 'PartialObjectMetadata', 'node-1'], ['ADDED', 'PartialObjectMetadata', 'node-2']]);
      expect(w.events.every((e) => e.object.status === undefined)).toBe(true);
    } finally {
      w.close();
    }
  });

  it('keeps sending bookmarks to an idle watch that allows them, each at the current resourceVersion', async () => {
    const list = (await raw(emu, 'GET', '/api/v1/nodes')).json();
    const rv = (list['metadata'] as { resourceVersion: string }).resourceVersion;
    const w = openWatch(`/api/v1/nodes?watch=true&allowWatchBookmarks=true&resourceVersion=${rv}`);
    try {
      await expect.poll(() => w.events.filter((e) => e.type === 'BOOKMARK').length, { timeout: 3000 }).toBeGreaterThanOrEqual(3);
      expect(w.events.every((e) => e.type === 'BOOKMARK' && e.object.metadata.name === undefined)).toBe(true);
      expect(new Set(w.events.map((e) => (e.object.metadata as { resourceVersion?: string }).resourceVersion))).toEqual(new Set([rv]));
    } finally {
      w.close();
    }
    // Without allowWatchBookmarks, none.
    const plain = openWatch(`/api/v1/nodes?watch=true&resourceVersion=${rv}`);
    try {
      await new Promise((r) => setTimeout(r, 600));
      expect(plain.events).toEqual([]);
    } finally {
      plain.close();
    }
  });
});
