// Runs analyseSysdump in a worker thread of its own, one per archive, with a time budget: unzipping and parsing a
// sysdump is synchronous CPU work (fflate, YAML) that would otherwise stall acks and BullMQ lock renewals. Past the
// budget the thread is terminated (the only way to stop synchronous code) and the job fails with what to do instead.
import { Worker } from 'node:worker_threads';
import { SysdumpError, type SysdumpProblem } from '../sysdump/archive-errors.ts';
import type { SysdumpAnalysis } from './sysdump-analysis.ts';

export interface SysdumpThreadRequest {
  bytes: Uint8Array;
  name: string;
}
export type SysdumpThreadReply = { analysis: SysdumpAnalysis } | { refused: { problem: SysdumpProblem; message: string } } | { error: string };

/** Budget of one archive's analysis: every node of a large sysdump is collected and analysed. */
export const SYSDUMP_BUDGET_MS = 180_000;

export class SysdumpTooSlowError extends Error {
  constructor(name: string, budgetMs: number) {
    super(`analysing ${name} took longer than ${Math.round(budgetMs / 1000)} s and was stopped: run \`cilium-runbook analyze ${name}\` on a workstation, or take the sysdump of fewer nodes (\`cilium sysdump --node-list …\`)`);
    this.name = 'SysdumpTooSlowError';
  }
}

export function analyseSysdumpInThread(bytes: Uint8Array, name: string, budgetMs = SYSDUMP_BUDGET_MS): Promise<SysdumpAnalysis> {
  return new Promise((resolve, reject) => {
    const request: SysdumpThreadRequest = { bytes, name };
    const w = new Worker(new URL('./sysdump-thread.mjs', import.meta.url), { execArgv: [], workerData: request });
    let settled = false;
    const finish = (f: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      f();
      void w.terminate();
    };
    const timer = setTimeout(() => finish(() => reject(new SysdumpTooSlowError(name, budgetMs))), budgetMs);
    w.on('message', (m: SysdumpThreadReply) =>
      finish(() => {
        if ('analysis' in m) resolve(m.analysis);
        else if ('refused' in m) reject(new SysdumpError(m.refused.problem, m.refused.message));
        else reject(new Error(`sysdump analysis failed: ${m.error}`));
      }),
    );
    w.on('error', (err) => finish(() => reject(err)));
    w.on('exit', (code) => finish(() => reject(new Error(`the sysdump analysis thread exited (code ${code}) before answering`))));
  });
}
