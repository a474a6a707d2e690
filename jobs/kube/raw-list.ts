// One page of a Kubernetes list read as a stream of plain JSON items, over the KubeConfig's own authentication,
// TLS settings and (keep-alive) agent. client-node would buffer the whole page as text, parse it, then build a model
// instance of every object (about 3× the page in memory at once); a fleet sweep needs a few fields per object, so
// each item is handed to the caller as soon as its bytes have arrived and is dropped after.
import http from 'node:http';
import https from 'node:https';
import { pipeline, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { KubeConfig } from '@kubernetes/client-node';
import { KubeApiError } from './kube-api-error.ts';
import { ListItemSplitter } from './list-splitter.ts';

/** No byte from the API server for this long: the page is abandoned (and retried by the caller). */
const IDLE_MS = 60_000;
/** Error bodies are Status objects: a few hundred bytes. */
const MAX_ERROR_BODY = 64 * 1024;

export interface RawListMeta {
  /** The list's resourceVersion: where a watch of the same objects starts. */
  resourceVersion?: string;
  continueToken?: string;
  remaining?: number;
}

function listMeta(rest: Record<string, unknown>): RawListMeta {
  const meta = (rest.metadata ?? {}) as { resourceVersion?: unknown; continue?: unknown; remainingItemCount?: unknown };
  return {
    ...(typeof meta.resourceVersion === 'string' && meta.resourceVersion !== '' && { resourceVersion: meta.resourceVersion }),
    ...(typeof meta.continue === 'string' && meta.continue !== '' && { continueToken: meta.continue }),
    ...(typeof meta.remainingItemCount === 'number' && { remaining: meta.remainingItemCount }),
  };
}

async function readCapped(body: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    if (size < MAX_ERROR_BODY) chunks.push(chunk);
    size += chunk.length;
  }
  return Buffer.concat(chunks).toString('utf8').slice(0, MAX_ERROR_BODY);
}

function statusError(code: number, headers: http.IncomingHttpHeaders, body: string, attempted: string): KubeApiError {
  let status: { message?: unknown; reason?: unknown } = {};
  try {
    status = JSON.parse(body) as typeof status;
  } catch {
    // not a Status object: the text itself is the message
  }
  const message = typeof status.message === 'string' ? status.message : code === 401 ? 'Unauthorized: the credentials were refused' : body.trim().slice(0, 500) || `HTTP ${code}`;
  const retryAfter = Number(headers['retry-after']);
  return new KubeApiError(message, code, typeof status.reason === 'string' ? status.reason : undefined, Number.isFinite(retryAfter) ? retryAfter : undefined, attempted);
}

/**
 * Metadata only (client-go's metadata client asks the same: k8s.io/client-go/metadata): the apiserver answers a
 * PartialObjectMetadataList, names and labels without specs or statuses. Plain JSON after it: a server that cannot
 * convert (an old aggregated API) answers whole objects, whose metadata reads the same.
 */
export const METADATA_LIST_ACCEPT = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json';

async function send(kc: KubeConfig, path: string, query: URLSearchParams, accept: string): Promise<http.IncomingMessage> {
  const server = kc.getCurrentCluster()?.server;
  if (server === undefined || server === '') throw new Error('the kubeconfig has no current cluster');
  const opts: https.RequestOptions = { method: 'GET' };
  await kc.applyToHTTPSOptions(opts);
  const search = query.toString();
  const url = new URL(`${server.replace(/\/+$/, '')}${path}${search === '' ? '' : `?${search}`}`);
  const headers = { ...(opts.headers as Record<string, string> | undefined), Accept: accept, 'Accept-Encoding': 'gzip' };
  return new Promise<http.IncomingMessage>((resolve, reject) => {
    const req = (url.protocol === 'http:' ? http : https).request(url, { ...opts, headers }, resolve);
    req.setTimeout(IDLE_MS, () => req.destroy(new Error(`no data from the API server for ${IDLE_MS / 1000} s`)));
    req.on('error', reject);
    req.end();
  });
}

/**
 * GETs `path?query` (a list) and calls `onItem` with each item as plain JSON, in order, while the body streams in.
 * A non-2xx answer becomes a KubeApiError (status, reason, Retry-After) before any item is handed over.
 */
export async function streamListPage(
  kc: KubeConfig, path: string, query: URLSearchParams, attempted: string, onItem: (item: unknown) => void, accept = 'application/json',
): Promise<RawListMeta> {
  const res = await send(kc, path, query, accept);
  const code = res.statusCode ?? 0;
  const body: Readable = res.headers['content-encoding'] === 'gzip' ? pipeline(res, createGunzip(), () => {}) : res;
  if (code < 200 || code >= 300) throw statusError(code, res.headers, await readCapped(body), attempted);
  const splitter = new ListItemSplitter(onItem);
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) splitter.write(chunk);
  } finally {
    res.destroy();
  }
  return listMeta(splitter.end());
}
