// Fault injection seen by the real WebClient: 429 + Retry-After honoured, 5xx, ok:false errors, latency.
import { ErrorCode, WebClient, WebClientEvent } from '@slack/web-api';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSlackEmulator, type SlackEmulator } from '../../sandbox/slack/index.ts';
import { capturedLogger } from './captured-logger.ts';

const CH = 'C0INCIDENT';
let emu: SlackEmulator;

beforeAll(async () => {
  emu = await startSlackEmulator();
});
afterEach(() => emu.faults.clear());
afterAll(async () => {
  await emu.stop();
});

const clientWith = (opts: ConstructorParameters<typeof WebClient>[1] = {}): WebClient =>
  new WebClient(emu.botToken, { slackApiUrl: emu.apiUrl, retryConfig: { retries: 0 }, logger: capturedLogger(), ...opts });

describe('fault injection', () => {
  it('answers 429 with an integer Retry-After that WebClient waits for before retrying', async () => {
    emu.faults.add({ method: 'chat.postMessage', status: 429, retryAfterSeconds: 1, times: 1 });
    const client = clientWith({ retryConfig: { retries: 2, minTimeout: 10, maxTimeout: 20 } });
    let rateLimitedFor: number | undefined;
    client.on(WebClientEvent.RATE_LIMITED, (sec: number) => (rateLimitedFor = sec));
    const started = Date.now();
    const r = await client.chat.postMessage({ channel: CH, text: 'after the limit' });
    expect(r.ok).toBe(true);
    expect(rateLimitedFor).toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(emu.calls('chat.postMessage').slice(-2).map((c) => c.status)).toEqual([429, 200]);
  });

  it('rate limits reject with WebAPIRateLimitedError when the client asks for it', async () => {
    emu.faults.add({ method: /^chat\./, status: 429, retryAfterSeconds: 7 });
    const err = await clientWith({ rejectRateLimitedCalls: true })
      .chat.update({ channel: CH, ts: '1.000001', text: 'x' })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: ErrorCode.RateLimitedError, retryAfter: 7 });
  });

  it('5xx becomes WebAPIHTTPError; an error fault becomes a platform error', async () => {
    emu.faults.add({ method: 'users.info', status: 503, times: 1 });
    const e1 = await clientWith().users.info({ user: 'U0ONCALL01' }).catch((e: unknown) => e);
    expect(e1).toMatchObject({ code: ErrorCode.HTTPError, statusCode: 503 });
    emu.faults.add({ method: 'users.info', error: 'fatal_error', times: 1 });
    const e2 = await clientWith().users.info({ user: 'U0ONCALL01' }).catch((e: unknown) => e);
    expect(e2).toMatchObject({ code: ErrorCode.PlatformError, data: { ok: false, error: 'fatal_error' } });
    await expect(clientWith().users.info({ user: 'U0ONCALL01' })).resolves.toMatchObject({ ok: true });
  });

  it('adds latency to matching calls only', async () => {
    emu.faults.add({ method: 'conversations.info', latencyMs: 300 });
    const client = clientWith();
    const t0 = Date.now();
    await client.conversations.info({ channel: CH });
    const slow = Date.now() - t0;
    const t1 = Date.now();
    await client.auth.test();
    expect(slow).toBeGreaterThanOrEqual(290);
    expect(Date.now() - t1).toBeLessThan(200);
  });
});

describe('per-channel posting rate limit (opt-in)', () => {
  it('lets a burst through, then answers 429 with Retry-After for that channel only', async () => {
    const limited = await startSlackEmulator({
      postRateLimit: { perSecond: 1, burst: 3 },
      channels: [{ id: 'C0A', name: 'a' }, { id: 'C0B', name: 'b' }],
    });
    try {
      const client = new WebClient(limited.botToken, {
        slackApiUrl: limited.apiUrl,
        retryConfig: { retries: 0 },
        rejectRateLimitedCalls: true,
        logger: capturedLogger(),
      });
      for (let i = 0; i < 3; i++) await client.chat.postMessage({ channel: 'C0A', text: `m${i}` });
      const err = await client.chat.postMessage({ channel: 'C0A', text: 'too fast' }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: ErrorCode.RateLimitedError, retryAfter: 1 });
      await expect(client.chat.postMessage({ channel: 'C0B', text: 'other channel' })).resolves.toMatchObject({ ok: true });
      expect(limited.messages('C0A')).toHaveLength(3);
    } finally {
      await limited.stop();
    }
  });
});
