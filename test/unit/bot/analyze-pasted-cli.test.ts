// `cilium-runbook analyze` on pasted text, as a child process: a status file with a full IPAM pool leads with
// ipam-exhausted; binary and oversize input are refused with the reason; YAML documents and flags still work.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { classifyInput, InputError, MAX_PASTED_BYTES, parseConfigFlags, recognisedLine } from '../../../bot/analyze-input.ts';
import { STATUS_18331 } from '../runbooks/pasted/samples.ts';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '../../../bin/cilium-runbook.js');
const dir = mkdtempSync(join(tmpdir(), 'analyze-pasted-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(args: string[], stdin?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const child = run(process.execPath, [BIN, ...args], { env: process.env, maxBuffer: 16 * 1024 * 1024 });
    if (stdin !== undefined) child.child.stdin?.end(stdin);
    const { stdout, stderr } = await child;
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: err.code ?? -1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

describe('cilium-runbook analyze <pasted text>', () => {
  it('status.txt with "IPv4: 510/511 allocated" → ipam-exhausted first, exit 3, the recognised parts printed', async () => {
    const file = join(dir, 'status.txt');
    writeFileSync(file, `$ kubectl -n kube-system exec cilium-x7k2p -- cilium-dbg status\n${STATUS_18331}\n`);
    const text = await cli(['analyze', file]);
    expect(text.stderr).toBe('');
    expect(text.code).toBe(3);
    expect(text.stdout.split('\n')[0]).toBe('recognised: cilium-dbg status');
    expect(text.stdout).toMatch(/\[CRITICAL\] Pod IPs exhausted on <node> \(ipam-exhausted/);

    const json = await cli(['analyze', file, '--json']);
    const out = JSON.parse(json.stdout) as { findings: { runbook: string }[]; recognised: { kind: string; label: string }[] };
    expect(out.findings[0]?.runbook).toBe('ipam-exhausted');
    expect(out.recognised).toEqual([expect.objectContaining({ kind: 'agent-status', label: 'cilium-dbg status' })]);
  }, 60_000);

  it('standard input with --cilium-version and --kernel: the stated facts count', async () => {
    const r = await cli(['analyze', '-', '--json', '--cilium-version', 'v1.16.3', '--kernel', '4.9.0'], 'level=info msg="Starting" subsys=daemon\n');
    const out = JSON.parse(r.stdout) as { findings: { runbook: string }[]; recognised: { label: string }[] };
    expect(out.findings[0]?.runbook).toBe('kernel-too-old');
    expect(out.recognised.map((p) => p.label)).toEqual(['agent log (1 line)']);
  }, 60_000);

  it('refuses binary input, oversize text and a bad --config, with the reason and exit 2', async () => {
    const bin = join(dir, 'core.bin');
    writeFileSync(bin, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00]));
    const big = join(dir, 'big.txt');
    writeFileSync(big, 'level=info msg="x" subsys=daemon\n'.repeat(Math.ceil((MAX_PASTED_BYTES + 1) / 32)));
    const [b, o, c] = await Promise.all([cli(['analyze', bin]), cli(['analyze', big]), cli(['analyze', '-', '--config', 'novalue'], 'x\n')]);
    expect([b.code, o.code, c.code]).toEqual([2, 2, 2]);
    expect(b.stderr).toMatch(/NUL bytes/);
    expect(o.stderr).toMatch(/over 8388608 bytes \(8 MiB\) is refused/);
    expect(c.stderr).toMatch(/--config "novalue" is not key=value/);
  }, 60_000);
});

describe('classifyInput', () => {
  it('JSON and YAML evidence documents stay documents; describe output (valid YAML too) is pasted text', () => {
    expect(classifyInput(Buffer.from('{"node":{"name":"n"}}'), 'f').kind).toBe('document');
    expect(classifyInput(Buffer.from('node:\n  name: n\n  kernelVersion: 4.9.0\n'), 'f')).toEqual({ kind: 'document', document: { node: { name: 'n', kernelVersion: '4.9.0' } } });
    expect(classifyInput(Buffer.from('Name:         cilium-crx2x\nNamespace:    kube-system\n'), 'f').kind).toBe('pasted');
  });
  it('mostly invalid UTF-8 is refused; a truncated JSON document says it is not JSON', () => {
    expect(() => classifyInput(Buffer.from([0xff, 0xfe, 0x41, 0xc3, 0x28, 0xa0, 0xa1]), 'f')).toThrow(/not UTF-8 text/);
    expect(() => classifyInput(Buffer.from('{"node":'), 'f')).toThrow(InputError);
    expect(() => classifyInput(Buffer.from('{"node":'), 'f')).toThrow(/is not JSON/);
  });
  it('--config pairs', () => {
    expect(parseConfigFlags(['kube-proxy-replacement=true', 'ipam = cluster-pool'])).toEqual({ 'kube-proxy-replacement': 'true', ipam: 'cluster-pool' });
  });
});

describe('recognisedLine', () => {
  it('lists the parts, and sums them per kind when a paste interleaves many', () => {
    const part = (kind: 'hubble-flows' | 'kernel-log', label: string, lines: number) => ({ kind, label: `${label} (${lines} line${lines === 1 ? '' : 's'})`, startLine: 1, lines });
    expect(recognisedLine([part('kernel-log', 'dmesg', 3)])).toBe('recognised: dmesg (3 lines)');
    const many = Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? part('hubble-flows', 'hubble observe', 2) : part('kernel-log', 'dmesg', 1)));
    expect(recognisedLine(many)).toBe('recognised: hubble observe (20 lines in 10 parts), dmesg (10 lines in 10 parts)');
  });
});
