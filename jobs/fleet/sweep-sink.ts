// What the sweep worker needs from the chat side; bot/ implements it over Slack.
import type { FleetReport, SweepProgress } from './sweep.ts';
import type { SweepJob } from './sweep-job.ts';

export interface SweepTarget extends SweepJob {
  jobId?: string;
}

export interface SweepSink {
  /** Edits the root message ("412/5,000 nodes checked…"); called at most about once a second. */
  progress(t: SweepTarget, p: SweepProgress): Promise<void>;
  /** Posts the grouped report into the thread and puts the outcome on the root message. */
  report(t: SweepTarget, report: FleetReport): Promise<void>;
  failed(t: SweepTarget, message: string): Promise<void>;
}

/**
 * Calls `fn` at most once per `intervalMs`; the latest value in between is kept and sent when the interval ends
 * (so the last progress is never lost). `flush` sends what is pending and waits for it.
 */
export function throttled<T>(fn: (v: T) => Promise<void>, intervalMs: number, onError: (e: unknown) => void = () => {}) {
  let last = 0;
  let pending: T | undefined;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const send = (v: T) => {
    last = Date.now();
    running = running.then(() => fn(v)).catch(onError);
  };
  return {
    push(v: T): void {
      const wait = last + intervalMs - Date.now();
      if (wait <= 0 && timer === undefined) return send(v);
      pending = v;
      timer ??= setTimeout(() => {
        timer = undefined;
        if (pending !== undefined) send(pending);
        pending = undefined;
      }, Math.max(wait, 0));
    },
    async flush(): Promise<void> {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      if (pending !== undefined) send(pending);
      pending = undefined;
      await running;
    },
  };
}
