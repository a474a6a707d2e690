// /readyz does not leak (issue 17, item 8): on a public listener it says which check fails, never why (the reasons
// name the API server URL and the cluster); the reasons are served only on loopback.
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { HealthServer, isLoopback, type ReadinessCheck } from '../../../bot/ops/health-server.ts';
import { Metrics } from '../../../bot/ops/metrics.ts';

const REASON = 'cluster prod-eu (https://10.96.0.1:6443): connect ECONNREFUSED 10.96.0.1:6443';
const failingKube: ReadinessCheck = { name: 'kubernetes', timeoutMs: 500, run: () => Promise.reject(new Error(REASON)) };
const okRedis: ReadinessCheck = { name: 'redis', timeoutMs: 500, run: () => Promise.resolve() };

const servers: HealthServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop();
});

async function start(host: string, detailsPort?: number): Promise<HealthServer> {
  const hs = await HealthServer.start({ host, port: 0, ...(detailsPort !== undefined && { detailsPort }), checks: [okRedis, failingKube], metrics: new Metrics({ defaultMetrics: false }), logger: pino({ level: 'silent' }) });
  servers.push(hs);
  return hs;
}

async function readyz(base: string): Promise<{ status: number; text: string }> {
  const res = await fetch(`${base}/readyz`);
  return { status: res.status, text: await res.text() };
}

describe('/readyz details', () => {
  it('a public listener names the failing check but not the API server URL or the cluster', async () => {
    const hs = await start('0.0.0.0', 0);
    const r = await readyz(hs.url);
    expect(r.status).toBe(503);
    expect(JSON.parse(r.text)).toEqual({ status: 'not ready', failing: [{ check: 'kubernetes' }], checks: { redis: 'ok', kubernetes: 'failing' } });
    expect(r.text).not.toMatch(/10\.96|prod-eu|6443|https?:/);
  });

  it('the reasons are on a listener bound to 127.0.0.1 only', async () => {
    const hs = await start('0.0.0.0', 0);
    expect(hs.detailsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(hs.detailsUrl).not.toBe(hs.url);
    const r = await readyz(hs.detailsUrl ?? '');
    expect(r.status).toBe(503);
    expect(JSON.parse(r.text)).toMatchObject({ failing: [{ check: 'kubernetes', reason: REASON }] });
  });

  it('without a details port a public listener has none; a loopback listener gives the reasons itself', async () => {
    const pub = await start('0.0.0.0');
    expect(pub.detailsUrl).toBeNull();
    const local = await start('127.0.0.1', 0);
    expect(local.detailsUrl).toBe(local.url);
    expect((await readyz(local.url)).text).toContain(REASON);
  });

  it('a details port already taken stops the start-up with the variable to change', async () => {
    const first = await start('0.0.0.0', 0);
    const taken = Number(new URL(first.detailsUrl ?? '').port);
    await expect(start('0.0.0.0', taken)).rejects.toThrow(/HEALTH_DETAILS_PORT/);
  });

  it('loopback means 127.0.0.0/8, ::1 and localhost only', () => {
    expect(['127.0.0.1', '127.1.2.3', '::1', 'localhost'].map(isLoopback)).toEqual([true, true, true, true]);
    expect(['0.0.0.0', '::', '10.0.0.5', '1127.0.0.1'].map(isLoopback)).toEqual([false, false, false, false]);
  });
});
