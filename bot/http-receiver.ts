// The HTTP-mode receiver: Bolt's ExpressReceiver behind a guard that runs first on /slack/events. The guard verifies
// each request itself (https://api.slack.com/authentication/verifying-requests-from-slack: HMAC-SHA256 of
// `v0:<timestamp>:<body>` with the signing secret), refuses timestamps more than 5 minutes away either way (Bolt
// alone accepts any future one), refuses a request whose signature and timestamp were seen before (replay-cache.ts),
// and only then counts it at the ack gate: unverified bytes, however slowly they trickle in, hold nothing back.
// Bolt reads the body the guard read (req.rawBody) and verifies it again.
import { createHmac, timingSafeEqual } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import { ExpressReceiver, type Logger } from '@slack/bolt';
import { ACK_DEADLINE_MS, type AckFirstGate } from './ack-first.ts';
import { REPLAY_WINDOW_SECONDS, ReplayCache } from './replay-cache.ts';

export { REPLAY_WINDOW_SECONDS } from './replay-cache.ts';

/** Bolt's own limit on a request body (HTTPModuleFunctions.defaultBodyLimit in @slack/bolt 5.1.0). */
const BODY_LIMIT_BYTES = 4 * 1024 * 1024;

export interface SlackRequestGuardOptions {
  signingSecret: string;
  replays: ReplayCache;
  acks?: AckFirstGate;
  logger?: Logger;
  now?: () => number;
  /** How long the body may take to arrive: past Slack's ack deadline the answer is useless anyway. */
  bodyDeadlineMs?: number;
}

class Refusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function header(req: Request, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The whole body, within the size limit and the deadline. */
function readBody(req: Request, deadlineMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const fail = (e: Refusal): void => {
      clearTimeout(timer);
      req.removeAllListeners('data');
      reject(e);
    };
    const timer = setTimeout(() => fail(new Refusal(408, `the body did not arrive within ${deadlineMs} ms`)), deadlineMs);
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > BODY_LIMIT_BYTES) fail(new Refusal(413, `the body is larger than ${BODY_LIMIT_BYTES} bytes`));
      else chunks.push(c);
    });
    req.once('end', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks));
    });
    req.once('error', (e) => fail(new Refusal(400, e.message)));
  });
}

function signatureMatches(secret: string, timestamp: string, body: Buffer, signature: string): boolean {
  if (!/^v0=[0-9a-f]{64}$/.test(signature)) return false;
  const expected = createHmac('sha256', secret).update(`v0:${timestamp}:`).update(body).digest();
  return timingSafeEqual(expected, Buffer.from(signature.slice(3), 'hex'));
}

export function slackRequestGuard(opts: SlackRequestGuardOptions) {
  const now = opts.now ?? Date.now;
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const arrived = now();
    try {
      const signature = header(req, 'x-slack-signature');
      const timestamp = header(req, 'x-slack-request-timestamp');
      if (signature === undefined || timestamp === undefined) throw new Refusal(401, 'the Slack signature headers are missing');
      if (!/^\d{1,12}$/.test(timestamp) || Math.abs(arrived / 1000 - Number(timestamp)) > REPLAY_WINDOW_SECONDS) {
        throw new Refusal(401, `the request timestamp is not within ${REPLAY_WINDOW_SECONDS} s of now (check the clock, or a replayed request)`);
      }
      const body = await readBody(req, opts.bodyDeadlineMs ?? ACK_DEADLINE_MS);
      if (!signatureMatches(opts.signingSecret, timestamp, body, signature)) throw new Refusal(401, 'the signature does not match (is SLACK_SIGNING_SECRET the app\'s?)');
      if (!(await opts.replays.firstSeen(signature, Number(timestamp)))) throw new Refusal(401, 'this signed request was already received: a replay');
      // Verified and new: owed an ack from now, for what is left of Slack's deadline.
      opts.acks?.track(res, ACK_DEADLINE_MS - (now() - arrived));
      (req as Request & { rawBody?: Buffer }).rawBody = body;
      next();
    } catch (e) {
      if (!(e instanceof Refusal)) throw e;
      opts.logger?.warn(`refused a Slack request: ${e.message}`);
      // Whatever is left of the body is not read: the connection ends with the answer.
      res.status(e.status).set('connection', 'close').end();
    }
  };
}

export interface HttpReceiverOptions {
  signingSecret: string;
  logger: Logger;
  /** Shared by replicas through Redis; defaults to this process's memory only. */
  replays?: ReplayCache;
  acks?: AckFirstGate;
}

export function createHttpReceiver(opts: HttpReceiverOptions): ExpressReceiver {
  const app = express();
  app.use('/slack/events', slackRequestGuard({ signingSecret: opts.signingSecret, replays: opts.replays ?? new ReplayCache(), logger: opts.logger, ...(opts.acks !== undefined && { acks: opts.acks }) }));
  return new ExpressReceiver({ signingSecret: opts.signingSecret, app, logger: opts.logger, endpoints: '/slack/events' });
}
