// ?watch=true: newline-delimited JSON events over a chunked response, from a resourceVersion or from "now"
// (then ADDED for every existing object first, as the apiserver does without a resourceVersion).
import type { ServerResponse } from 'node:http';
import type { KubeObject } from '../scenario/schema.ts';
import type { ApiRequest, EmulatorState } from './api-types.ts';
import { asPartialObjectMetadata, outputForm } from './output-form.ts';
import { apiVersionOf } from './resources.ts';
import { parseFieldSelector, parseLabelSelector } from './selectors.ts';
import type { StoreEvent } from './store.ts';

/** https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apiserver/pkg/storage/cacher/cacher.go */
export const DEFAULT_BOOKMARK_INTERVAL_MS = 60_000;

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
  // client-go's metadata informers watch with `as=PartialObjectMetadata`: each event's object is its metadata.
  const metadataOnly = outputForm(req.headers.accept) === 'PartialObjectMetadata';
  const write = (type: string, object: unknown): void => {
    const sent = metadataOnly && type !== 'ERROR' ? asPartialObjectMetadata(object as KubeObject) : object;
    res.write(`${JSON.stringify({ type, object: sent })}\n`);
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
  const bookmarks = query.get('allowWatchBookmarks') === 'true';
  const bookmark = (): void => write('BOOKMARK', { kind: def.kind, apiVersion: apiVersionOf(def), metadata: { resourceVersion: state.store.resourceVersion } });
  if (bookmarks) bookmark();
  // Then one a minute, as the apiserver's watch cache sends them (cacher.go defaultBookmarkFrequency = time.Minute):
  // an idle watch's resourceVersion keeps moving, so a reconnect after compaction need not relist.
  const bookmarkTimer = bookmarks ? setInterval(bookmark, state.bookmarkIntervalMs ?? DEFAULT_BOOKMARK_INTERVAL_MS) : undefined;

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
    if (bookmarkTimer !== undefined) clearInterval(bookmarkTimer);
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
