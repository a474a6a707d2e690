// The benchmark side of ack-sender-child.ts: one long-lived sender process, batches in, ack timings out.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import type { PreparedHttpRequest } from '../../sandbox/slack/types.ts';
import type { SenderResult } from './ack-sender-child.ts';

export class AckSender {
  private readonly child: ChildProcess;
  private readonly lines: AsyncIterator<string>;
  private readonly rl: Interface;

  constructor() {
    this.child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'ack-sender-child.ts')], { stdio: ['pipe', 'pipe', 'inherit'] });
    if (this.child.stdout === null) throw new Error('ack sender has no stdout');
    this.rl = createInterface({ input: this.child.stdout });
    this.lines = this.rl[Symbol.asyncIterator]();
  }

  async send(requests: PreparedHttpRequest[], concurrent: boolean): Promise<SenderResult[]> {
    this.child.stdin?.write(`${JSON.stringify({ requests, concurrent })}\n`);
    const next = await this.lines.next();
    if (next.done === true) throw new Error('the ack sender exited');
    return JSON.parse(next.value) as SenderResult[];
  }

  async stop(): Promise<void> {
    this.rl.close();
    this.child.stdin?.end();
    if (this.child.exitCode === null) await new Promise((r) => this.child.once('exit', r));
  }
}
