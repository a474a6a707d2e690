// The HTTPS front: authentication, fault injection, request logging, then discovery / resources / exec upgrades.
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { authorizeRequest, resolveResource, routeResource } from './api-router.ts';
import { defaultAgentExec } from './agent-exec-defaults.ts';
import type { ApiResponse, EmulatorState } from './api-types.ts';
import { discoveryDocument } from './discovery.ts';
import { execStreams, ExecServer, pickSubprotocol } from './exec.ts';
import { badRequest, KubeStatusError, pathNotFound, statusForCode, unauthorized } from './errors.ts';
import type { FaultInjector } from './faults.ts';
import type { RequestLog } from './request-log.ts';
import { parseRequestInfo, type RequestInfo } from './request-info.ts';
import { asRecord } from './resources.ts';
import { validateExec } from './subresources.ts';
import type { ServerTls } from './tls.ts';
import type { KubeUser, UserDirectory } from './users.ts';

const ANONYMOUS_PATHS = new Set(['/version', '/healthz', '/readyz', '/livez']);
const ANONYMOUS: KubeUser = { username: 'system:anonymous', groups: ['system:unauthenticated'] };

/** Outcome of fault injection: carry on, or the request has been dealt with (stalled / dropped). */
type FaultOutcome = 'continue' | 'handled';

export interface KubeServerDeps {
  state: EmulatorState;
  users: UserDirectory;
  faults: FaultInjector;
  requestLog: RequestLog;
  tls: ServerTls;
  latencyMs: number;
}

export class KubeHttpServer {
  private readonly server: Server;
  private readonly exec = new ExecServer();
  private readonly stalled = new Set<() => void>();
  private readonly watches = new Set<() => void>();
  private port = 0;

  constructor(private readonly deps: KubeServerDeps) {
    this.server = createServer({ key: deps.tls.keyPem, cert: deps.tls.certPem }, (req, res) => {
      void this.handleRequest(req, res);
    });
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      void this.handleUpgrade(req, socket, head);
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this.port;
  }

  async stop(): Promise<void> {
    for (const release of [...this.stalled, ...this.watches]) release();
    this.exec.closeAll();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  private authenticate(req: IncomingMessage, path: string): KubeUser {
    const header = req.headers.authorization;
    const user = this.deps.users.authenticate(header);
    if (user !== undefined) return user;
    if (header === undefined && ANONYMOUS_PATHS.has(path)) return ANONYMOUS;
    throw unauthorized();
  }

  /** Latency, then at most one injected fault. */
  private async applyFaults(method: string, url: URL, abort: { stall: () => void; drop: () => void }): Promise<FaultOutcome> {
    if (this.deps.latencyMs > 0) await sleep(this.deps.latencyMs);
    const fault = this.deps.faults.match(method, url.pathname, url.search.replace(/^\?/, ''));
    if (fault === undefined) return 'continue';
    if (fault.latencyMs !== undefined) await sleep(fault.latencyMs);
    if (fault.stall === true) {
      abort.stall();
      return 'handled';
    }
    if (fault.drop === true) {
      abort.drop();
      return 'handled';
    }
    if (fault.status !== undefined) throw statusForCode(fault.status, fault.retryAfterSeconds);
    return 'continue';
  }

  private record(info: RequestInfo, url: URL, method: string, user: string, status: number, started: number, extra: { clientGone?: boolean; changedState?: boolean; accept?: string } = {}): void {
    this.deps.requestLog.record({
      method,
      path: url.pathname,
      query: url.search.replace(/^\?/, ''),
      user,
      status,
      verb: info.verb,
      resource: info.resource,
      ...(info.subresource !== undefined ? { subresource: info.subresource } : {}),
      ...(info.namespace !== undefined ? { namespace: info.namespace } : {}),
      durationMs: Math.round((performance.now() - started) * 10) / 10,
      ...(extra.accept !== undefined && { accept: extra.accept }),
      clientGone: extra.clientGone ?? false,
      changedState: extra.changedState ?? false,
    });
  }

  private async handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const info = parseRequestInfo(method, url.pathname, url.searchParams);
    let username = 'system:anonymous';
    let recorded = false;
    let changedState = false;
    // Until the handler has decided (or handed the request to a stall, drop or stream), a closed connection only
    // marks the client gone: a write whose client died mid-request may still be applied, and the log says so.
    let deciding = true;
    let clientGone = false;
    const recordOnce = (status: number): void => {
      if (recorded) return;
      recorded = true;
      this.record(info, url, method, username, status, started, { clientGone, changedState, ...(req.headers.accept !== undefined && { accept: req.headers.accept }) });
    };
    res.on('close', () => {
      if (!res.writableFinished) clientGone = true;
      if (!deciding) recordOnce(res.headersSent ? res.statusCode : 0);
    });
    const handedOff = (): void => {
      deciding = false;
      if (res.closed) recordOnce(res.headersSent ? res.statusCode : 0);
    };
    try {
      const user = this.authenticate(req, url.pathname);
      username = user.username;
      const outcome = await this.applyFaults(method, url, {
        stall: () => this.stall(() => res.destroy()),
        drop: () => req.socket.destroy(),
      });
      if (outcome === 'handled') return handedOff();
      const body = await readBody(req);
      if (!info.isResourceRequest) {
        this.answerNonResource(req, res, info, user);
        recordOnce(res.statusCode);
        return;
      }
      const def = resolveResource(this.deps.state, info);
      const apiReq = { info, def, query: url.searchParams, headers: req.headers, body, user };
      authorizeRequest(this.deps.state, apiReq);
      const revision = this.deps.state.store.resourceVersion;
      const response = routeResource(this.deps.state, apiReq, res, (end) => this.trackWatch(end));
      changedState = this.deps.state.store.resourceVersion !== revision;
      if (response !== undefined) {
        send(res, response);
        recordOnce(res.statusCode);
      } else handedOff();
    } catch (err) {
      if (err instanceof ClientGoneError) return handedOff();
      sendError(res, err);
      recordOnce(res.statusCode);
    }
  }

  private answerNonResource(req: IncomingMessage, res: ServerResponse, info: RequestInfo, user: KubeUser): void {
    const path = info.path;
    if (user !== ANONYMOUS) authorizeRequest(this.deps.state, { info, user });
    if (/^\/(healthz|readyz|livez)(\/.*)?$/.test(path)) {
      send(res, { code: 200, body: 'ok', contentType: 'text/plain; charset=utf-8' });
      return;
    }
    const doc = req.method === 'GET' ? discoveryDocument(path.replace(/\/$/, ''), this.deps.state.registry, `127.0.0.1:${this.port}`) : undefined;
    if (doc === undefined) throw pathNotFound();
    send(res, { code: 200, body: doc });
  }

  private stall(release: () => void): void {
    const entry = (): void => {
      this.stalled.delete(entry);
      release();
    };
    this.stalled.add(entry);
  }

  private trackWatch(end: () => void): () => void {
    this.watches.add(end);
    return () => this.watches.delete(end);
  }

  private async handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const started = performance.now();
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const info = parseRequestInfo(method, url.pathname, url.searchParams);
    let username = 'system:anonymous';
    socket.on('error', () => socket.destroy());
    try {
      const user = this.authenticate(req, url.pathname);
      username = user.username;
      const outcome = await this.applyFaults(method, url, {
        stall: () => this.stall(() => socket.destroy()),
        drop: () => socket.destroy(),
      });
      if (outcome === 'handled') return;
      const def = resolveResource(this.deps.state, info);
      if (def.kind !== 'Pod' || info.subresource !== 'exec') throw badRequest('Upgrade request required');
      // Since 1.35 (and as the modern default) a WebSocket exec needs `create` on pods/exec as well as `get`.
      authorizeRequest(this.deps.state, { info, user });
      authorizeRequest(this.deps.state, { info: { ...info, verb: 'create' }, user });
      const target = validateExec(this.deps.state, info.namespace, info.name ?? '', url.searchParams);
      if (pickSubprotocol(req.headers['sec-websocket-protocol']) === undefined) {
        throw badRequest('unable to upgrade connection: no supported stream protocol offered; supported: v5.channel.k8s.io, v4.channel.k8s.io');
      }
      const node = this.deps.state.store.get('v1', 'Node', undefined, String(asRecord(target.pod['spec'])['nodeName']));
      const result = this.deps.state.execResults.run(info.namespace ?? '', target.pod.metadata.name, target.container, target.argv,
        () => defaultAgentExec(target.pod, node, target.container, target.argv, asRecord(this.deps.state.store.get('v1', 'ConfigMap', target.pod.metadata.namespace, 'cilium-config')?.['data']) as Record<string, string>));
      this.exec.serve(req, socket, head, execStreams(url.searchParams), target.argv, result, () => {
        this.record(info, url, method, username, 101, started);
      });
    } catch (err) {
      const status = toStatusError(err);
      writeRawError(socket, status);
      this.record(info, url, method, username, status.code, started);
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The client closed the connection before its request body arrived: nothing to handle. */
class ClientGoneError extends Error {}

function readBody(req: IncomingMessage): Promise<Buffer> {
  if (req.readableEnded) return Promise.resolve(Buffer.alloc(0));
  if (req.destroyed) return Promise.reject(new ClientGoneError('client closed the connection'));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', () => reject(new ClientGoneError('client closed the connection')));
    req.on('close', () => {
      if (!req.readableEnded) reject(new ClientGoneError('client closed the connection'));
    });
  });
}

function send(res: ServerResponse, response: ApiResponse): void {
  const isText = typeof response.body === 'string' && response.contentType !== undefined;
  const payload = isText ? String(response.body) : JSON.stringify(response.body);
  res.writeHead(response.code, {
    'Content-Type': response.contentType ?? 'application/json',
    'Content-Length': Buffer.byteLength(payload),
    'Cache-Control': 'no-cache, private',
  });
  res.end(payload);
}

function toStatusError(err: unknown): KubeStatusError {
  if (err instanceof KubeStatusError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new KubeStatusError(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ message }] });
}

function sendError(res: ServerResponse, err: unknown): void {
  const status = toStatusError(err);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  for (const [k, v] of Object.entries(status.headers)) res.setHeader(k, v);
  send(res, { code: status.code, body: status.toStatus() });
}

/** An HTTP error on a socket whose upgrade we refuse (kubectl then retries with SPDY, and gets the same). */
function writeRawError(socket: Duplex, status: KubeStatusError): void {
  const body = JSON.stringify(status.toStatus());
  const extra = Object.entries(status.headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
  socket.end(`HTTP/1.1 ${status.code} ${STATUS_CODES[status.code] ?? 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extra}Connection: close\r\n\r\n${body}`);
}
