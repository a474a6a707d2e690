// Acknowledgements first. Slack gives a slash command 3 s to be acknowledged, and a burst of them arrives at once in
// an incident. An ack itself is ~1 ms of work, but in one event loop it queues behind whatever else is ready: the
// work earlier commands do after their ack (Redis, Slack posts) and the diagnoses the in-process worker runs. On a
// cold process that backlog was ~0.8 s of CPU for a burst of 50. So background work waits at a few points (after a
// command's ack, before each Kubernetes call and step of a job) until no request is waiting for its answer and none
// arrived for a moment; never longer than maxWaitMs per wait, so it cannot starve under a steady stream.
import type { Response } from 'express';

/** Slack's limit for acknowledging a slash command or an interaction: past it, the answer is lost anyway. */
export const ACK_DEADLINE_MS = 3000;

export interface AckFirstOptions {
  /** How long after the last arrival the process counts as quiet (requests of one burst arrive over a few ms). */
  quietMs?: number;
  /** The longest one wait lasts, however busy the front door stays. */
  maxWaitMs?: number;
  now?: () => number;
}

export class AckFirstGate {
  private pending = 0;
  private lastArrival = Number.NEGATIVE_INFINITY;
  private readonly waiters = new Set<() => void>();
  private timer: NodeJS.Timeout | undefined;
  private readonly quietMs: number;
  private readonly maxWaitMs: number;
  private readonly now: () => number;

  constructor(opts: AckFirstOptions = {}) {
    this.quietMs = opts.quietMs ?? 20;
    this.maxWaitMs = opts.maxWaitMs ?? 250;
    this.now = opts.now ?? (() => performance.now());
  }

  /** A request came in that is owed an answer. */
  arrived(): void {
    this.pending++;
    this.lastArrival = this.now();
  }

  /** That request has been answered (or its connection closed). */
  answered(): void {
    this.pending = Math.max(0, this.pending - 1);
    this.check();
  }

  /** Requests waiting for their answer now. */
  get waiting(): number {
    return this.pending;
  }

  private isQuiet(): boolean {
    return this.pending === 0 && this.now() - this.lastArrival >= this.quietMs;
  }

  /** Resolves once no request is owed an answer and none arrived for quietMs; at most maxWaitMs from now. */
  quiet(): Promise<void> {
    if (this.isQuiet()) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const release = (): void => {
        if (!this.waiters.delete(release)) return;
        clearTimeout(deadline);
        resolve();
      };
      const deadline = setTimeout(release, this.maxWaitMs);
      this.waiters.add(release);
      this.check();
    });
  }

  /** Releases the waiters when quiet; otherwise looks again when the quiet period could next be over. */
  private check(): void {
    if (this.waiters.size === 0 || this.timer !== undefined) return;
    if (this.isQuiet()) {
      for (const release of [...this.waiters]) release();
      return;
    }
    if (this.pending > 0) return; // answered() calls check() again
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.check();
    }, Math.max(1, Math.ceil(this.quietMs - (this.now() - this.lastArrival))));
  }

  /**
   * Counts the request behind `res` from now until its response is finished or abandoned, and for no longer than
   * `deadlineMs` (what is left of Slack's ack deadline). Called only for requests whose signature was verified
   * (http-receiver.ts): junk, forged or replayed requests, or a body still trickling in, are never counted.
   */
  track(res: Response, deadlineMs = ACK_DEADLINE_MS): void {
    this.arrived();
    let done = false;
    const settle = (): void => {
      if (done) return;
      done = true;
      clearTimeout(deadline);
      this.answered();
    };
    const deadline = setTimeout(settle, Math.max(0, deadlineMs));
    deadline.unref();
    res.once('finish', settle);
    res.once('close', settle);
  }
}
