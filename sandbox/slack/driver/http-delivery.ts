// Delivers a signed request to the app's HTTP endpoint exactly as Slack does (A.1): the bare
// `application/x-www-form-urlencoded` content type, `v0` HMAC over `v0:ts:body`, and a timed ack.
import { createHmac } from 'node:crypto';

export const ACK_DEADLINE_MS = 3000;

export function signRequest(signingSecret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

/** The headers Slack's own requests carry besides the timestamp and signature. */
export const SLACK_REQUEST_HEADERS = { 'Content-Type': 'application/x-www-form-urlencoded', 'User-Agent': 'Slackbot 1.0 (+https://api.slack.com/robots)' } as const;

export interface HttpDelivery {
  status: number;
  body: string;
  contentType: string;
  ackMs: number;
}

export async function postSigned(
  target: string,
  body: string,
  opts: { signingSecret: string; timestamp?: number; signature?: string; timeoutMs?: number },
): Promise<HttpDelivery> {
  const timestamp = opts.timestamp ?? Math.floor(Date.now() / 1000);
  const started = performance.now();
  const res = await fetch(target, {
    method: 'POST',
    headers: {
      ...SLACK_REQUEST_HEADERS,
      'X-Slack-Request-Timestamp': String(timestamp),
      'X-Slack-Signature': opts.signature ?? signRequest(opts.signingSecret, timestamp, body),
    },
    body,
    // Slack gives up at 3 s; we wait longer so a slow ack is measured rather than lost.
    signal: AbortSignal.timeout(opts.timeoutMs ?? 15_000),
  });
  const text = await res.text();
  return {
    status: res.status,
    body: text,
    contentType: res.headers.get('content-type') ?? '',
    ackMs: performance.now() - started,
  };
}

/** What the app's 200 body means to Slack: JSON → message object, text → {text}, empty → nothing. */
export function ackBodyToPayload(d: HttpDelivery): unknown {
  if (d.status !== 200 || d.body === '') return undefined;
  if (d.contentType.includes('application/json')) {
    try {
      return JSON.parse(d.body) as unknown;
    } catch {
      return undefined;
    }
  }
  return { text: d.body };
}
