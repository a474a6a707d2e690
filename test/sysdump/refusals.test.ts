// Archives that must be refused, each with what is wrong: zip bombs (an entry or the total past the limits, a
// gzip bomb inside the bugtool archive, a header lying about its size), path traversal and absolute names, a
// damaged zip, and zips or files that are not a cilium sysdump. The CLI answers them with exit 2; an unknown
// --node lists the archive's nodes.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { zipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeSysdumpFile } from '../../bot/sysdump-cli.ts';
import { DEFAULT_LIMITS, SysdumpError, type ArchiveLimits } from '../../jobs/sysdump/archive-errors.ts';
import { SysdumpArchive } from '../../jobs/sysdump/sysdump-archive.ts';
import { evidenceFromSysdump } from '../../jobs/sysdump/sysdump-evidence.ts';
import { writeTar } from '../../sandbox/sysdump/tar-writer.ts';
import { AGENT, buildSysdump, NODE, TS, type FixtureNames } from './sysdump-fixture.ts';

const NAMES: FixtureNames = {
  nodes: `k8s-nodes-${TS}.yaml`,
  pods: `k8s-pods-${TS}.yaml`,
  events: `k8s-events-${TS}.yaml`,
  config: `cilium-configmap-${TS}.yaml`,
  daemonSet: `cilium-daemonset-${TS}.yaml`,
  operator: `cilium-operator-deployment-${TS}.yaml`,
  log: (p, c) => `logs-${p}-${c}-${TS}.log`,
  prevLog: (p, c) => `logs-${p}-${c}-${TS}-prev.log`,
  bugtool: (p) => `cilium-bugtool-${p}-${TS}.tar.gz`,
};
const SMALL: ArchiveLimits = { maxArchiveBytes: 1024 * 1024, maxEntries: 50, maxEntryBytes: 64 * 1024, maxTotalBytes: 256 * 1024 };
const enc = (s: string) => new TextEncoder().encode(s);
const top = `cilium-sysdump-${TS}`;

function refusal(bytes: Uint8Array, limits: ArchiveLimits = DEFAULT_LIMITS): SysdumpError {
  try {
    SysdumpArchive.open(bytes, 'test.zip', limits);
  } catch (e) {
    if (e instanceof SysdumpError) return e;
    throw e;
  }
  throw new Error('the archive was accepted');
}

/** A valid sysdump plus extra entries. */
function withExtra(extra: Record<string, Uint8Array>): Uint8Array {
  const base = SysdumpArchive.open(buildSysdump(NAMES, { gzipBugtool: true }), 'base.zip');
  const files: Record<string, Uint8Array> = {};
  for (const [name, data] of base.files) files[`${top}/${name}`] = data;
  return zipSync({ ...files, ...extra });
}

describe('zip bombs', () => {
  it('refuses an entry that inflates past the per-entry limit, before inflating it', () => {
    const e = refusal(withExtra({ [`${top}/logs-bomb-cilium-agent-${TS}.log`]: new Uint8Array(200 * 1024) }), SMALL);
    expect(e.problem).toBe('too-large');
    expect(e.message).toMatch(/204800 bytes uncompressed, over the 65536-byte limit per entry/);
  });

  it('refuses many entries that together pass the total limit', () => {
    const extra = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`${top}/filler-${i}.txt`, new Uint8Array(60 * 1024)]));
    expect(refusal(withExtra(extra), SMALL).message).toMatch(/more than 262144 bytes uncompressed in all/);
  });

  it('refuses more entries than the limit', () => {
    const extra = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`${top}/f-${i}.txt`, enc('x')]));
    expect(refusal(withExtra(extra), SMALL).message).toMatch(/over the limit of 50/);
  });

  it('refuses a header that under-states the size to slip past the limits (size and CRC checked)', () => {
    const bytes = withExtra({ [`${top}/notes.txt`]: new Uint8Array(30_000) });
    // Lower the declared uncompressed size of notes.txt in its central directory record.
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const name = enc(`${top}/notes.txt`);
    for (let i = bytes.length - 46; i >= 0; i--) {
      if (view.getUint32(i, true) !== 0x02014b50 || view.getUint16(i + 28, true) !== name.length) continue;
      if (!bytes.subarray(i + 46, i + 46 + name.length).every((b, j) => b === name[j])) continue;
      view.setUint32(i + 24, 100, true);
      break;
    }
    const e = refusal(bytes, SMALL);
    expect(e.problem).toBe('corrupt');
    expect(e.message).toMatch(/notes\.txt does not match its recorded size and CRC-32/);
  });

  it('refuses a gzip bomb inside a bugtool archive when the node is analysed', async () => {
    const bomb = gzipSync(writeTar(new Map([['x/cmd/uname--a.md', new Uint8Array(2 * 1024 * 1024)]]), new Date(0)));
    expect(bomb.length).toBeLessThan(SMALL.maxEntryBytes);
    const base = SysdumpArchive.open(buildSysdump(NAMES, { gzipBugtool: true }), 'base.zip');
    const files: Record<string, Uint8Array> = {};
    for (const [name, data] of base.files) files[`${top}/${name}`] = data;
    files[`${top}/${NAMES.bugtool(AGENT)}`] = bomb;
    const archive = SysdumpArchive.open(zipSync(files), 'test.zip', SMALL);
    await expect(evidenceFromSysdump(archive, NODE)).rejects.toThrow(/inflates past the 65536-byte limit per entry; refused as a gzip bomb/);
  });
});

describe('names', () => {
  it.each([`${top}/../../etc/cron.d/x`, '/etc/passwd', `${top}/a/../../b`, 'C:/Windows/x'])('refuses %s', (name) => {
    const e = refusal(withExtra({ [name]: enc('x') }));
    expect(e.problem).toBe('unsafe-name');
    expect(e.message).toMatch(/path traversal/);
  });

  it('refuses a bugtool tar with a climbing name', async () => {
    const base = SysdumpArchive.open(buildSysdump(NAMES, { gzipBugtool: true }), 'base.zip');
    const files: Record<string, Uint8Array> = {};
    for (const [name, data] of base.files) files[`${top}/${name}`] = data;
    files[`${top}/${NAMES.bugtool(AGENT)}`] = gzipSync(writeTar(new Map([['../../root/.ssh/authorized_keys', enc('k')]]), new Date(0)));
    await expect(evidenceFromSysdump(SysdumpArchive.open(zipSync(files), 't.zip'), NODE)).rejects.toThrow(/path traversal/);
  });
});

describe('corrupt and foreign archives', () => {
  it('refuses a truncated zip as corrupt', () => {
    const bytes = buildSysdump(NAMES, { gzipBugtool: true });
    expect(refusal(bytes.subarray(0, Math.floor(bytes.length / 2))).problem).toBe('corrupt');
  });

  it('refuses a zip with a damaged entry as corrupt', () => {
    const bytes = buildSysdump(NAMES, { gzipBugtool: true }).slice();
    // Flip bytes inside the first entry's data (after its 30-byte local header and name).
    const nameLen = new DataView(bytes.buffer).getUint16(26, true);
    for (let i = 30 + nameLen; i < 30 + nameLen + 16; i++) bytes[i] = (bytes[i] ?? 0) ^ 0xff;
    expect(refusal(bytes).problem).toBe('corrupt');
  });

  it('refuses a file that is not a zip as foreign', () => {
    expect(refusal(gzipSync(enc('hello'))).message).toMatch(/not a zip file/);
  });

  it('refuses a zip that is not a cilium sysdump as foreign, naming what it looked for', () => {
    const e = refusal(zipSync({ 'photos/cat.jpg': enc('meow'), 'photos/notes.txt': enc('x') }));
    expect(e.problem).toBe('foreign');
    expect(e.message).toMatch(/not a cilium sysdump: .*k8s-nodes-<ts>\.yaml/);
  });
});

describe('cilium-runbook analyze <sysdump.zip>', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sysdump-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, bytes: Uint8Array) => {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    return path;
  };

  it('exits 2 with what is wrong for a corrupt or foreign archive', async () => {
    const foreign = await analyzeSysdumpFile(file('foreign.zip', zipSync({ 'a.txt': enc('a') })), { json: false });
    expect(foreign.exitCode).toBe(2);
    expect(foreign.stderr).toMatch(/foreign archive refused: .* not a cilium sysdump/);
    const corrupt = await analyzeSysdumpFile(file('corrupt.zip', buildSysdump(NAMES, { gzipBugtool: true }).subarray(0, 200)), { json: false });
    expect(corrupt.exitCode).toBe(2);
    expect(corrupt.stderr).toMatch(/corrupt archive refused/);
  });

  it('an unknown --node exits 2 listing the nodes in the archive', async () => {
    const out = await analyzeSysdumpFile(file(`cilium-sysdump-${TS}.zip`, buildSysdump(NAMES, { gzipBugtool: true })), { node: 'node-z', json: false });
    expect(out.exitCode).toBe(2);
    expect(out.stderr).toContain('node "node-z" is not in');
    expect(out.stderr).toContain('its nodes: node-a, node-b');
  });

  it('--node --json prints the findings document; without --node the nodes grouped by root cause', async () => {
    const path = file(`cilium-sysdump-${TS}.zip`, buildSysdump(NAMES, { gzipBugtool: true }));
    const one = await analyzeSysdumpFile(path, { node: 'node-b', json: true });
    const doc = JSON.parse(one.stdout) as { findings: { runbook: string; severity: string }[] };
    expect(doc.findings[0]).toMatchObject({ runbook: 'apiserver-unreachable', severity: 'critical' });
    expect(one.exitCode).toBe(3);
    const fleet = await analyzeSysdumpFile(path, { json: false });
    expect(fleet.stdout).toMatch(/\[critical\] 1 node: apiserver-unreachable/);
    expect(fleet.stdout).toContain(`details: cilium-runbook analyze ${path} --node node-b`);
    expect(fleet.exitCode).toBe(3);
  });
});
