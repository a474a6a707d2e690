// ?watch=true: newline-delimited JSON events over a chunked response, from a resourceVersion or from "now"
// (then ADDED for every existing object first, as the apiserver does without a resourceVersion).
import type { ServerResponse } from 'node:http';
import type { KubeObject } from '../scenario/schema.ts';
import type { ApiRequest, EmulatorState } from './api-types.ts';
import { apiVersionOf } from './resources.ts';
import { parseFieldSelector, parseLabelSelector } from './selectors.ts';
import type { StoreEvent } from './store.ts';

export function serveWatch(state: EmulatorState, req: ApiRequest, res: ServerResponse, onEnd: (end: () => void) => () => void): void {
  const { def, query } = req;
  const labels = parseLabelSelector(query.get('labelSelector'));
  const fieldText = req.info.name !== undefined ? `metadata.name=${req.info.name}` : query.get('fieldSelector');
  const fields = parseFieldSelector(fieldText, def);
  const namespace = def.namespaced ? req.info.namespace : undefined;
  const matches = (o: KubeObject): boolean => (namespace === undefined || o.metadata.namespace === namespace)
    && labels(o.metadata.labels ?? {}) && fields(o);

  res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' });
  res.flushHeaders();
  const write = (type: string, object: unknown): void => {
    res.write(`${JSON.stringify({ type, object })}\n`);
  };

  const rvParam = query.get('resourceVersion');
  if (rvParam === null || rvParam === '' || rvParam === '0') {
    for (const o of state.store.list(apiVersionOf(def), def.kind, namespace).filter(matches)) write('ADDED', o);
  } else {
    const missed = state.store.eventsSince(Number(rvParam));
    if (missed === undefined) {
      write('ERROR', expired(rvParam, state.store.resourceVersion));
      res.end();
      return;
    }
    for (const e of missed) if (isOurs(e) && matches(e.object)) write(e.type, e.object);
  }
  if (query.get('allowWatchBookmarks') === 'true') {
    write('BOOKMARK', { kind: def.kind, apiVersion: apiVersionOf(def), metadata: { resourceVersion: state.store.resourceVersion } });
  }

  function isOurs(e: StoreEvent): boolean {
    return e.apiVersion === apiVersionOf(def) && e.kind === def.kind;
  }
  const unsubscribe = state.store.subscribe((e) => {
    if (isOurs(e) && matches(e.object)) {
      write(e.type, e.object);
      lastSent = String(e.resourceVersion);
    }
  });
  let timer: NodeJS.Timeout | undefined;
  let lastSent = rvParam ?? state.store.resourceVersion;
  const unCompact = state.store.onCompact(() => {
    write('ERROR', expired(lastSent, state.store.resourceVersion));
    end();
  });
  const end = (): void => {
    unsubscribe();
    unCompact();
    if (timer !== undefined) clearTimeout(timer);
    if (!res.writableEnded) res.end();
  };
  const unregister = onEnd(end);
  const timeout = Number(query.get('timeoutSeconds') ?? '0');
  if (timeout > 0) timer = setTimeout(end, timeout * 1000);
  res.on('close', () => {
    end();
    unregister();
  });
}

/** The apiserver's answer to a watch from a compacted resourceVersion (storage/cacher: "too old resource version"). */
function expired(rv: string, current: string): Record<string, unknown> {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `too old resource version: ${rv} (${current})`, reason: 'Expired', code: 410 };
}
