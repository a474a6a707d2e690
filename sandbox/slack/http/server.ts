// The emulator's one HTTP server on 127.0.0.1: Web API under /api/, file uploads, response_url posts,
// and the Socket Mode WebSocket upgrade at /link/.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ResponseUrls } from '../response-urls.ts';
import type { SocketModeServer } from '../socket/socket-server.ts';
import type { WorkspaceStore } from '../store.ts';
import { dispatchApiCall, type DispatchDeps } from '../web-api/dispatch.ts';
import { receiveUpload } from '../web-api/files.ts';
import { answerPrivateFile } from '../web-api/file-downloads.ts';
import { bearerToken, parseParams, readRaw } from './body.ts';

export interface ServerDeps {
  dispatch: DispatchDeps;
  store: WorkspaceStore;
  responseUrls: ResponseUrls;
  socket: SocketModeServer;
  latencyMs: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function send(res: ServerResponse, status: number, body: string | Buffer, headers: Record<string, string>): void {
  res.writeHead(status, { 'content-length': String(Buffer.byteLength(body)), ...headers });
  res.end(body);
}

async function handle(deps: ServerDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const raw = await readRaw(req);
  const api = /^\/api\/([A-Za-z0-9_.]+)$/.exec(url.pathname);
  if (api?.[1]) {
    let params;
    try {
      params = await parseParams(req, raw);
    } catch {
      send(res, 200, JSON.stringify({ ok: false, error: 'invalid_form_data' }), { 'content-type': 'application/json; charset=utf-8' });
      return;
    }
    const reply = await dispatchApiCall(deps.dispatch, api[1], params, bearerToken(req));
    const wait = deps.latencyMs + reply.latencyMs;
    if (wait > 0) await sleep(wait);
    send(res, reply.status, JSON.stringify(reply.body), { 'content-type': 'application/json; charset=utf-8', ...reply.headers });
    return;
  }
  const upload = /^\/upload\/v1\/([A-Z0-9]+)$/.exec(url.pathname);
  if (upload?.[1] && req.method === 'POST') {
    const status = await receiveUpload(deps.store, upload[1], req.headers['content-type'] ?? '', raw);
    send(res, status, status === 200 ? `OK - ${raw.length}` : 'file_not_found', { 'content-type': 'text/plain' });
    return;
  }
  if (deps.responseUrls.owns(url.pathname) && req.method === 'POST') {
    const r = deps.responseUrls.handlePost(url.pathname, raw);
    const type = r.body.startsWith('{') ? 'application/json' : 'text/plain';
    send(res, r.status, r.body, { 'content-type': type });
    return;
  }
  if (req.method === 'GET') {
    const file = answerPrivateFile(deps.store, { path: url.pathname, search: url.search, bearer: bearerToken(req), botToken: deps.dispatch.tokens.bot });
    if (file !== undefined) {
      send(res, file.status, file.body, file.headers);
      return;
    }
  }
  send(res, 404, 'not_found', { 'content-type': 'text/plain' });
}

export async function listen(deps: ServerDeps): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    handle(deps, req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, 500, String(err), { 'content-type': 'text/plain' });
      else res.destroy();
    });
  });
  server.on('upgrade', (req: IncomingMessage, socket, head: Buffer) => {
    if (!deps.socket.handleUpgrade(req, socket, head)) socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return { server, port: (server.address() as AddressInfo).port };
}
