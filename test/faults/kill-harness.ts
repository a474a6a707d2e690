// Shared by the worker-kill fault tests (one file per job kind, so vitest runs the two 20x kill loops side by side):
// the stacks and worker processes a test started (stopped after it), and waits whose timeout says the queue's
// job counts and the newest worker's last output.
import { afterEach } from 'vitest';
import type { SandboxStack } from '../../sandbox/sandbox-stack.ts';
import { DEMO_CHANNEL } from '../../sandbox/sandbox-stack.ts';
import type { WorkerProcess } from './worker-process.ts';

export const KILLS = Number(process.env.FAULT_KILLS ?? 20);
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const reports = (s: SandboxStack, ts: string) => s.slack.thread(DEMO_CHANNEL.id, ts).filter((m) => (m.text ?? '').startsWith('Diagnosis of'));

export const stacks: SandboxStack[] = [];
export const workers: WorkerProcess[] = [];

/** Registers the cleanup: call once at the top of a test file. */
export function stopAfterEach(): void {
  afterEach(async () => {
    for (const w of workers.splice(0)) await w.kill();
    for (const s of stacks.splice(0)) await s.stop();
  });
}

/** What a timeout says besides its name: the queue's counts and the newest worker's last output. */
let context: () => Promise<string> = () => Promise.resolve('');

export function describeState(queue: { getJobCounts: () => Promise<Record<string, number>> }, worker: () => WorkerProcess): void {
  context = async () => `queue: ${JSON.stringify(await queue.getJobCounts())}\nworker exit: ${String(worker().child.exitCode ?? worker().child.signalCode)}\nworker output (tail):\n${worker().output().slice(-3000)}`;
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${await context()}`);
    await sleep(25);
  }
}
