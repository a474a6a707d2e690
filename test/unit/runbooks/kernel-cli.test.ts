// `cilium-runbook analyze` as a child process on the issue 15 document: a Debian 10 node on Cilium 1.14 is a
// "may be below" warning, and the exit code is 0 (3 means a critical finding).
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '../../../bin/cilium-runbook.js');

async function analyzeStdin(doc: unknown): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const child = run(process.execPath, [BIN, 'analyze', '-', '--json'], { env: process.env });
    child.child.stdin?.end(JSON.stringify(doc));
    const { stdout, stderr } = await child;
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: err.code ?? -1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

describe('cilium-runbook analyze on vendor kernels', () => {
  it('Debian 10 (4.19.0-21-amd64) with Cilium 1.14: warning "may be below", never "cannot start"', async () => {
    const r = await analyzeStdin({
      node: { name: 'node-7', kernelVersion: '4.19.0-21-amd64', osImage: 'Debian GNU/Linux 10 (buster)' },
      cilium: { version: '1.14.5', config: { 'kube-proxy-replacement': 'false' } },
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { findings: { runbook: string; severity: string; summary: string }[] };
    const kernel = out.findings.find((f) => f.runbook === 'kernel-too-old');
    expect(kernel?.severity).toBe('warning');
    expect(kernel?.summary).toContain('may be below the 4.19.57 minimum of Cilium 1.14.5');
    expect(r.stdout).not.toContain('cannot start');
  }, 30_000);
});
