// DESIGN.md: dependencies point one way (bot → jobs → runbooks); runbooks/ imports nothing of ours and does no I/O;
// nothing in bot/, jobs/ or runbooks/ imports from sandbox/ or test/.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../../..');

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(ROOT, dir))) {
    const path = join(dir, name);
    if (statSync(join(ROOT, path)).isDirectory()) out.push(...sources(path));
    else if (name.endsWith('.ts')) out.push(path);
  }
  return out;
}

function imports(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  return [...text.matchAll(/(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1] ?? m[2] ?? '');
}

function resolvesInto(file: string, spec: string, dirs: string[]): boolean {
  if (!spec.startsWith('.')) return false;
  const target = relative(ROOT, join(ROOT, file, '..', spec));
  return dirs.some((d) => target === d || target.startsWith(`${d}/`));
}

describe('import boundaries', () => {
  it('bot/, jobs/ and runbooks/ never import sandbox/ or test/', () => {
    const offenders = ['bot', 'jobs', 'runbooks'].flatMap((d) => sources(d)).flatMap((f) => imports(f).filter((s) => resolvesInto(f, s, ['sandbox', 'test'])).map((s) => `${f} → ${s}`));
    expect(offenders).toEqual([]);
  });

  it('jobs/ never imports bot/, and runbooks/ imports nothing of ours outside runbooks/ and no I/O module', () => {
    const jobsUp = sources('jobs').flatMap((f) => imports(f).filter((s) => resolvesInto(f, s, ['bot'])).map((s) => `${f} → ${s}`));
    expect(jobsUp).toEqual([]);
    const io = /^(node:)?(fs|fs\/promises|net|http|https|child_process|dgram|tls)$|^(ioredis|bullmq|@kubernetes\/client-node|@slack\/)/;
    const runbookOffenders = sources('runbooks').flatMap((f) =>
      imports(f).filter((s) => resolvesInto(f, s, ['bot', 'jobs', 'sandbox', 'test']) || io.test(s)).map((s) => `${f} → ${s}`),
    );
    expect(runbookOffenders).toEqual([]);
  });
});
