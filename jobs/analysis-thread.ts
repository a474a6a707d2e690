// Runs the runbooks off the event loop: analyze() is synchronous CPU work, and a crafted 2 MB of agent
// logs once held the whole process for a minute, acks and job-lock renewals included. One worker thread per
// process analyses one evidence at a time; each gets a time budget, past which the thread is terminated (the
// only way to stop synchronous code) and the diagnosis ends with "evidence too large" instead of running on.
import { Worker } from 'node:worker_threads';
import type { Report } from '../runbooks/engine/contract.ts';
import type { Evidence } from '../runbooks/engine/evidence.ts';

export interface AnalysisRequest {
  id: number;
  evidence: unknown;
}
export type AnalysisReply = { id: number; report: Report } | { id: number; error: string };

/** Default budget of one analysis: linear matching reads 2 × 2 MiB of logs in ~1–3 s on a busy 2-core machine. */
export const ANALYSIS_BUDGET_MS = 20_000;

/** The evidence took longer than the budget to analyse; the message says what to change. */
export class EvidenceTooLargeError extends Error {
  constructor(budgetMs: number, evidence: Evidence) {
    const logs = evidence.agentLogs.ok
      ? `agent logs ${mib(evidence.agentLogs.value.current.text)} current, ${evidence.agentLogs.value.previous === null ? 'no previous container' : `${mib(evidence.agentLogs.value.previous.text)} previous`}`
      : 'no agent logs';
    const budget = budgetMs >= 1000 ? `${(budgetMs / 1000).toFixed(0)} s` : `${budgetMs} ms`;
    super(`evidence too large: analysing it took longer than ${budget} (${logs}), so the diagnosis was stopped. ` +
      'Lower LOG_LIMIT_BYTES or LOG_TAIL_LINES, or run `cilium-runbook collect <node>` and look at the agent logs by hand.');
    this.name = 'EvidenceTooLargeError';
  }
}

function mib(text: string): string {
  return `${(Buffer.byteLength(text) / (1024 * 1024)).toFixed(1)} MiB`;
}

interface Pending {
  req: AnalysisRequest;
  evidence: Evidence;
  resolve: (r: Report) => void;
  reject: (e: Error) => void;
}

export class AnalysisThread {
  private worker: Worker | null = null;
  private ready = false;
  private readonly queue: Pending[] = [];
  private current: Pending | null = null;
  private timer: NodeJS.Timeout | null = null;
  private nextId = 1;
  private closed = false;

  constructor(private readonly budgetMs = ANALYSIS_BUDGET_MS) {}

  /** The report of the evidence, or EvidenceTooLargeError past the budget (counted from when the thread starts it). */
  analyze(evidence: Evidence): Promise<Report> {
    if (this.closed) return Promise.reject(new Error('the analysis thread is closed (the worker is shutting down)'));
    return new Promise((resolve, reject) => {
      this.queue.push({ req: { id: this.nextId++, evidence }, evidence, resolve, reject });
      this.pump();
    });
  }

  /** Starts the thread now, so the first diagnosis does not wait for it to load the runbooks. */
  warm(): void {
    if (!this.closed && this.worker === null) this.start();
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.queue.splice(0)) p.reject(new Error('the analysis thread was closed'));
    await this.stop();
  }

  private pump(): void {
    if (this.current !== null || this.queue.length === 0) return;
    const w = this.worker ?? this.start();
    if (!this.ready) return; // sent once the thread says it is ready (loading the runbooks is not the evidence's time)
    const p = this.queue.shift();
    if (p === undefined) return;
    this.current = p;
    this.timer = setTimeout(() => this.overBudget(), this.budgetMs);
    w.postMessage(p.req);
  }

  private start(): Worker {
    // Compiled (dist/, `node dist/bot/main.js`): the emitted JavaScript entry. From source: a shim registering tsx.
    const entry = import.meta.url.endsWith('.js') ? './analysis-thread-main.js' : './analysis-thread.mjs';
    const w = new Worker(new URL(entry, import.meta.url), { execArgv: [] });
    w.unref(); // an idle thread never keeps the process alive
    w.on('message', (m: AnalysisReply | { ready: true }) => {
      if (this.worker !== w) return; // a thread already stopped
      if ('ready' in m) {
        this.ready = true;
      } else if (this.current?.req.id === m.id) {
        const p = this.current;
        this.finishCurrent();
        if ('report' in m) p.resolve(m.report);
        else p.reject(new Error(`analysis failed: ${m.error}`));
      }
      this.pump();
    });
    w.on('error', (err) => this.lost(w, err));
    w.on('exit', (code) => this.lost(w, new Error(`the analysis thread exited (code ${code})`)));
    this.worker = w;
    return w;
  }

  private overBudget(): void {
    const p = this.current;
    if (p === null) return;
    this.finishCurrent();
    p.reject(new EvidenceTooLargeError(this.budgetMs, p.evidence));
    void this.stop().then(() => this.pump());
  }

  /** The thread died (error or exit we did not ask for): fail what it held, start afresh for the rest. */
  private lost(w: Worker, err: Error): void {
    if (this.worker !== w) return; // stopped on purpose
    this.worker = null;
    this.ready = false;
    const p = this.current;
    this.finishCurrent();
    p?.reject(err);
    if (!this.closed) this.pump();
  }

  private finishCurrent(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.current = null;
  }

  private async stop(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    this.ready = false;
    if (w !== null) await w.terminate();
  }
}
