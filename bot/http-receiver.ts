// The HTTP-mode receiver: Bolt's ExpressReceiver behind one extra check. Bolt refuses request timestamps older than
// 5 minutes but accepts any in the future; Slack's replay window is symmetric, so a request dated more than 5
// minutes ahead is refused here before Bolt sees it.
import express, { type NextFunction, type Request, type Response } from 'express';
import { ExpressReceiver, type Logger } from '@slack/bolt';
import type { AckFirstGate } from './ack-first.ts';

export const REPLAY_WINDOW_SECONDS = 300;

export function timestampWindow(now: () => number = Date.now) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const header = req.headers['x-slack-request-timestamp'];
    // Missing or malformed headers are Bolt's to refuse (it exempts only its ssl_check probe); this adds the future.
    if (header === undefined) {
      next();
      return;
    }
    const ts = Number(Array.isArray(header) ? header[0] : header);
    if (!Number.isFinite(ts) || Math.abs(now() / 1000 - ts) > REPLAY_WINDOW_SECONDS) {
      res.status(401).end();
      return;
    }
    next();
  };
}

export function createHttpReceiver(signingSecret: string, logger: Logger, acks?: AckFirstGate): ExpressReceiver {
  const app = express();
  // Counted from arrival, so background work yields to requests still waiting for their ack (ack-first.ts).
  if (acks !== undefined) app.use('/slack/events', acks.middleware());
  app.use('/slack/events', timestampWindow());
  return new ExpressReceiver({ signingSecret, app, logger, endpoints: '/slack/events' });
}
