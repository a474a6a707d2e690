// /healthz, /readyz and /metrics on a small node:http server of its own (HEALTH_PORT), separate from Slack's HTTP
// receiver so probes and scrapes work in Socket Mode too and never reach Bolt.
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

export class HealthServer {
  private readonly server: Server;
  private readonly checks: CachedCheck[];

  private constructor(private readonly opts: HealthServerOptions) {
    this.checks = opts.checks.map((c) => new CachedCheck(c));
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        opts.logger.error({ err, path: req.url }, 'health endpoint failed');
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('internal error\n');
      });
    });
  }

  static async start(opts: HealthServerOptions): Promise<HealthServer> {
    const hs = new HealthServer(opts);
    await new Promise<void>((resolve, reject) => {
      hs.server.once('error', reject);
      hs.server.listen(opts.port, opts.host, () => {
        hs.server.off('error', reject);
        resolve();
      });
    });
    return hs;
  }

  /** Where the endpoints are, e.g. `http://127.0.0.1:8080` (a wildcard bind is reached over loopback). */
  get url(): string {
    const { port } = this.server.address() as AddressInfo;
    const host = this.opts.host === '0.0.0.0' || this.opts.host === '::' ? '127.0.0.1' : this.opts.host;
    return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  }

  async readiness(): Promise<Readiness> {
    const checks = await Promise.all(this.checks.map((c) => c.evaluate()));
    return { ready: checks.every((c) => c.ok), checks };
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      // Keep-alive connections of a scraper would hold close() open.
      this.server.closeAllConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
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
        const body = { status: r.ready ? 'ready' : 'not ready', failing, checks: Object.fromEntries(r.checks.map((c) => [c.name, c.ok ? 'ok' : 'failing'])) };
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
