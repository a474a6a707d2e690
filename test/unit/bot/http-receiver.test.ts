// The HTTP-mode guard in front of Bolt (issue 17, item 7), over real HTTP on loopback: a captured signed request is
// accepted once; a forged one is refused after its body is read, and neither it nor a body still trickling in is
// counted at the ack gate; only verified new requests are.
import { createHmac } from 'node:crypto';
import { request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { AckFirstGate } from '../../../bot/ack-first.ts';
import { slackRequestGuard } from '../../../bot/http-receiver.ts';
import { ReplayCache } from '../../../bot/replay-cache.ts';

const SECRET = 'test-signing-secret-1';
const sign = (ts: number | string, body: string, secret = SECRET) => `v0=${createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex')}`;
const nowSec = () => Math.floor(Date.now() / 1000);
const BODY = 'command=%2Fcilium&text=note+INC-1+rolled+back&user_id=U0ONCALL';

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

/** The guard in front of a handler that answers 200 with the body Bolt would read (req.rawBody). */
async function serve(opts: { replays?: ReplayCache; acks?: AckFirstGate; bodyDeadlineMs?: number } = {}) {
  const app = express();
  const handled: string[] = [];
  app.use('/slack/events', slackRequestGuard({ signingSecret: SECRET, replays: opts.replays ?? new ReplayCache(), ...opts }));
  app.post('/slack/events', (req, res) => {
    handled.push(String((req as typeof req & { rawBody?: Buffer }).rawBody));
    res.status(200).end('ok');
  });
  const server = app.listen(0, '127.0.0.1');
  servers.push(server);
  await new Promise((r) => server.once('listening', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`, handled };
}

async function post(url: string, body: string, ts: number | string, signature: string): Promise<number> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(ts), 'x-slack-signature': signature },
    body,
  });
  await res.arrayBuffer();
  return res.status;
}

describe('the Slack request guard', () => {
  it('a captured signed request replayed within the window is refused; Bolt gets the first one\'s body', async () => {
    const { url, handled } = await serve();
    const ts = nowSec();
    const sig = sign(ts, BODY);
    expect(await post(url, BODY, ts, sig)).toBe(200);
    expect(await post(url, BODY, ts, sig)).toBe(401);
    expect(await post(url, BODY, ts, sig)).toBe(401);
    expect(handled).toEqual([BODY]);
    // The same command sent again by Slack is a new request (new timestamp, new signature): accepted.
    expect(await post(url, BODY, ts + 1, sign(ts + 1, BODY))).toBe(200);
  });

  it('refuses bad signatures, other secrets, missing headers and timestamps more than 5 minutes away either way', async () => {
    const { url, handled } = await serve();
    const ts = nowSec();
    expect(await post(url, BODY, ts, sign(ts, BODY, 'another-secret'))).toBe(401);
    expect(await post(url, BODY, ts, sign(ts, `${BODY}&x=1`))).toBe(401);
    expect(await post(url, BODY, ts, 'v0=00')).toBe(401);
    expect(await post(url, BODY, ts - 310, sign(ts - 310, BODY))).toBe(401);
    expect(await post(url, BODY, ts + 310, sign(ts + 310, BODY))).toBe(401);
    expect(await post(url, BODY, '1e9', sign('1e9', BODY))).toBe(401);
    expect((await fetch(url, { method: 'POST', body: BODY })).status).toBe(401);
    expect(handled).toEqual([]);
  });

  it('a slowly trickled request with a fake signature is never counted at the ack gate; a verified one is', async () => {
    const acks = new AckFirstGate({ quietMs: 1 });
    const { url } = await serve({ acks });
    const ts = nowSec();
    const status = new Promise<number>((resolve, reject) => {
      const req = request(url, { method: 'POST', headers: { 'x-slack-request-timestamp': String(ts), 'x-slack-signature': `v0=${'0'.repeat(64)}`, 'content-length': 40 } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      let sent = 0;
      const drip = setInterval(() => {
        req.write('x'.repeat(4));
        if ((sent += 4) >= 40) {
          clearInterval(drip);
          req.end();
        }
      }, 60);
    });
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setTimeout(r, 90));
      expect(acks.waiting).toBe(0);
      const t0 = performance.now();
      await acks.quiet();
      waits.push(performance.now() - t0);
    }
    expect(await status).toBe(401);
    // Background work was never held back by it (each wait would otherwise last the gate's 250 ms).
    expect(Math.max(...waits)).toBeLessThan(50);
    // Control: a verified request is counted until its answer.
    let seen = -1;
    const counting = new AckFirstGate({ quietMs: 1 });
    const app = express();
    app.use('/slack/events', slackRequestGuard({ signingSecret: SECRET, replays: new ReplayCache(), acks: counting }));
    app.post('/slack/events', (_req, res) => {
      seen = counting.waiting;
      res.end();
    });
    const server = app.listen(0, '127.0.0.1');
    servers.push(server);
    await new Promise((r) => server.once('listening', r));
    const port = (server.address() as AddressInfo).port;
    expect(await post(`http://127.0.0.1:${port}/slack/events`, BODY, ts, sign(ts, BODY))).toBe(200);
    expect(seen).toBe(1);
    expect(counting.waiting).toBe(0);
  });

  it('a body that takes longer than the ack deadline is cut off (408), not read forever', async () => {
    const { url } = await serve({ bodyDeadlineMs: 200 });
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(url, { method: 'POST', headers: { 'x-slack-request-timestamp': String(nowSec()), 'x-slack-signature': `v0=${'0'.repeat(64)}`, 'content-length': 100 } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.write('x');
    });
    expect(status).toBe(408);
  });
});

describe('the replay cache', () => {
  it('falls back to this process\'s memory when Redis does not answer, and still refuses what it saw', async () => {
    const stalled = { set: () => new Promise(() => undefined) } as unknown as Redis;
    const cache = new ReplayCache({ redis: stalled, timeoutMs: 20 });
    const ts = nowSec();
    expect(await cache.firstSeen('v0=aa', ts)).toBe(true);
    expect(await cache.firstSeen('v0=aa', ts)).toBe(false);
    expect(await cache.firstSeen('v0=bb', ts)).toBe(true);
  });

  it('forgets a request once its timestamp has left the window', async () => {
    let now = 1_700_000_000_000;
    const cache = new ReplayCache({ now: () => now });
    const ts = now / 1000;
    expect(await cache.firstSeen('v0=aa', ts)).toBe(true);
    now += 300_000;
    expect(await cache.firstSeen('v0=aa', ts)).toBe(false); // still inside the window: a replay
    now += 2_000;
    expect(await cache.firstSeen('v0=aa', ts)).toBe(true); // the guard refuses this timestamp as stale anyway
  });
});
