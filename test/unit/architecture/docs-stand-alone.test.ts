// The docs stand on their own: no pointer to files outside the repository or to internal notes, and every "§"
// reference in the runbooks resolves to a section of docs/cilium-facts.md.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const REPO = join(import.meta.dirname, '../../..');
const SKIP = new Set(['node_modules', '.git', 'dist', 'coverage', '.sandbox', 'corpus']);

function files(dir: string, ext: RegExp): string[] {
  return readdirSync(dir).flatMap((name) => {
    if (SKIP.has(name)) return [];
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path, ext) : ext.test(name) ? [path] : [];
  });
}

const facts = readFileSync(join(REPO, 'docs/cilium-facts.md'), 'utf8');

/** "1.2" → a "### 1.2 " heading; "5" → "## 5. "; "0.5" → item "5." of section 0's list. */
function resolves(ref: string): boolean {
  const [major, minor] = ref.split('.');
  if (minor === undefined) return new RegExp(`^## ${major}\\. `, 'm').test(facts);
  if (major === '0') {
    const section = facts.slice(facts.indexOf('## 0.'), facts.indexOf('## 1.'));
    return new RegExp(`^${minor}\\. `, 'm').test(section);
  }
  return new RegExp(`^### ${major}\\.${minor} `, 'm').test(facts);
}

describe('docs stand on their own', () => {
  it('no Markdown file points outside the repository or at internal notes', () => {
    for (const path of files(REPO, /\.md$/)) {
      const text = readFileSync(path, 'utf8');
      expect(text, relative(REPO, path)).not.toMatch(/\.\.\/shared\/|\/work\/shared|the brief|the lead's/i);
    }
  });

  it('every § reference in runbooks/ resolves to a section of docs/cilium-facts.md', () => {
    const sources = [...files(join(REPO, 'runbooks'), /\.(ts|md)$/), ...files(join(REPO, 'sandbox/scenarios'), /\.yaml$/)];
    const refs = new Set(sources.flatMap((p) => [...readFileSync(p, 'utf8').matchAll(/§(\d+(?:\.\d+)?)/g)].map((m) => m[1] ?? '')));
    expect(refs.size).toBeGreaterThan(10);
    expect([...refs].filter((r) => !resolves(r)).sort()).toEqual([]);
  });

  it('the resolver tells a missing section from a present one', () => {
    expect(resolves('1.1')).toBe(true);
    expect(resolves('9.9')).toBe(false);
    expect(resolves('0.5')).toBe(true);
  });
});
