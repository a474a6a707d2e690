// /healthz, /readyz and /metrics on a small node:http server of its own (HEALTH_PORT), separate from Slack's HTTP
// receiver so probes and scrapes work in Socket Mode too and never reach Bolt. Why a check fails names API server
// URLs and cluster names, and the port is open to whoever reaches the pod: /readyz says why only on a loopback
// listener (HEALTH_HOST=127.0.0.1, or the local details port beside a public one); elsewhere only which check fails.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Metrics } from './metrics.ts';

export interface ReadinessCheck {
  /** Named in /readyz's body, e.g. `redis`. */
  name: string;
  /** Resolves when the dependency is usable; rejects with why not. */
  run(): Promise<void>;
  /** Slower than this counts as a failure. */
  timeoutMs: number;
  /** Reuse the last result this long, for checks that cost the dependency something. */
  cacheMs?: number;
}

export interface CheckResult {
  name: string;
  ok: boolean;
  /** Why the check failed; absent when it passed. */
  reason?: string;
}

export interface Readiness {
  ready: boolean;
  checks: CheckResult[];
}

export interface HealthServerOptions {
  /** 127.0.0.1 unless configured otherwise (a pod needs 0.0.0.0 for the kubelet's probes). */
  host: string;
  /** 0 = any free port (tests). */
  port: number;
  /** When `host` is not loopback: a second listener on 127.0.0.1 whose /readyz says why (0 = any free port). */
  detailsPort?: number;
  checks: ReadinessCheck[];
  metrics: Metrics;
  logger: Logger;
}

/** Runs a check with its timeout and cache; a call still pending is reused, so a stalled dependency costs one request. */
class CachedCheck {
  private last: { at: number; result: CheckResult } | undefined;
  private pending: Promise<void> | undefined;

  constructor(private readonly check: ReadinessCheck) {}

  async evaluate(): Promise<CheckResult> {
    const { check } = this;
    if (this.last !== undefined && Date.now() - this.last.at < (check.cacheMs ?? 0)) return this.last.result;
    this.pending ??= check.run().finally(() => {
      this.pending = undefined;
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${check.timeoutMs} ms`)), check.timeoutMs);
    });
    let result: CheckResult;
    try {
      await Promise.race([this.pending, timeout]);
      result = { name: check.name, ok: true };
    } catch (e) {
      result = { name: check.name, ok: false, reason: e instanceof Error ? e.message : String(e) };
    } finally {
      clearTimeout(timer);
    }
    this.last = { at: Date.now(), result };
    return result;
  }
}

/** Whether only this machine (or pod) can reach a listener on `host`. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function urlOf(server: Server, bound: string): string {
  const { port } = server.address() as AddressInfo;
  const host = bound === '0.0.0.0' || bound === '::' ? '127.0.0.1' : bound;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

export class HealthServer {
  private readonly server: Server;
  /** The local listener that says why /readyz fails, when the main one is public. */
  private readonly details: Server | undefined;
  private readonly checks: CachedCheck[];

  private constructor(private readonly opts: HealthServerOptions) {
    this.checks = opts.checks.map((c) => new CachedCheck(c));
    const serve = (detailed: boolean) =>
      createServer((req, res) => {
        this.handle(req, res, detailed).catch((err: unknown) => {
          opts.logger.error({ err, path: req.url }, 'health endpoint failed');
          if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
          res.end('internal error\n');
        });
      });
    const local = isLoopback(opts.host);
    this.server = serve(local);
    this.details = local || opts.detailsPort === undefined ? undefined : serve(true);
  }

  static async start(opts: HealthServerOptions): Promise<HealthServer> {
    const hs = new HealthServer(opts);
    await listen(hs.server, opts.port, opts.host);
    if (hs.details !== undefined) {
      try {
        await listen(hs.details, opts.detailsPort ?? 0, '127.0.0.1');
      } catch (e) {
        await hs.stop();
        throw new Error(`could not listen on 127.0.0.1:${opts.detailsPort ?? 0} for /readyz details (HEALTH_DETAILS_PORT; 0 turns it off): ${e instanceof Error ? e.message : String(e)}`, { cause: e });
      }
    }
    return hs;
  }

  /** Where the endpoints are, e.g. `http://127.0.0.1:8080` (a wildcard bind is reached over loopback). */
  get url(): string {
    return urlOf(this.server, this.opts.host);
  }

  /** Where /readyz says why it fails: this server itself when it is local, else the local details listener (or null). */
  get detailsUrl(): string | null {
    if (this.details === undefined) return isLoopback(this.opts.host) ? this.url : null;
    return urlOf(this.details, '127.0.0.1');
  }

  async readiness(): Promise<Readiness> {
    const checks = await Promise.all(this.checks.map((c) => c.evaluate()));
    return { ready: checks.every((c) => c.ok), checks };
  }

  async stop(): Promise<void> {
    const close = (server: Server) =>
      new Promise<void>((resolve) => {
        if (!server.listening) return resolve();
        server.close(() => resolve());
        // Keep-alive connections of a scraper would hold close() open.
        server.closeAllConnections();
      });
    await Promise.all([close(this.server), ...(this.details === undefined ? [] : [close(this.details)])]);
  }

  private async handle(req: IncomingMessage, res: ServerResponse, detailed: boolean): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
      return;
    }
    switch (path) {
      case '/healthz':
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
        return;
      case '/readyz': {
        const r = await this.readiness();
        const failing = r.checks.filter((c) => !c.ok).map((c) => ({ check: c.name, reason: c.reason ?? 'failed' }));
        if (!r.ready) this.opts.logger.warn({ failing }, 'not ready');
        // Public: which check fails, never why (the reasons name API server URLs and clusters); they are in the log.
        const shown = detailed ? failing : failing.map(({ check }) => ({ check }));
        const body = { status: r.ready ? 'ready' : 'not ready', failing: shown, checks: Object.fromEntries(r.checks.map((c) => [c.name, c.ok ? 'ok' : 'failing'])) };
        res.writeHead(r.ready ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(`${JSON.stringify(body)}\n`);
        return;
      }
      case '/metrics': {
        const { contentType, body } = await this.opts.metrics.render();
        res.writeHead(200, { 'content-type': contentType }).end(body);
        return;
      }
      default:
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /healthz, /readyz or /metrics\n');
    }
  }
}
