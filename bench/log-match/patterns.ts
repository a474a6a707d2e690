// The patterns the runbooks match agent log lines with, read from the runbooks' own source (TypeScript AST) so the
// benchmark cannot drift from them: top-level regex constants and pattern tables (`re:`, `symptomRe:`) of every
// runbook that reads agent logs (imports ./agent-logs.ts), plus the version-naming regexes (kernel-matrix.ts
// KERNEL_NAMED_PATTERNS, which kernelNamedInMessage tries and the kernel runbooks query with).
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export const RUNBOOKS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'runbooks');
/** The runbooks themselves (catalogue/) and the engine file holding KERNEL_NAMED_PATTERNS. */
const PATTERN_DIRS = [join(RUNBOOKS_DIR, 'catalogue'), join(RUNBOOKS_DIR, 'engine')];

export interface LogPattern {
  file: string;
  name: string;
  source: string;
  flags: string;
}

const KERNEL_NAMED = 'KERNEL_NAMED_PATTERNS';

function regexOf(node: ts.Node): { source: string; flags: string } | null {
  if (!ts.isRegularExpressionLiteral(node)) return null;
  const text = node.text;
  const end = text.lastIndexOf('/');
  return { source: text.slice(1, end), flags: text.slice(end + 1) };
}

function collect(file: string, sf: ts.SourceFile, out: LogPattern[]): void {
  const add = (name: string, node: ts.Node) => {
    const re = regexOf(node);
    if (re !== null) out.push({ file, name, ...re });
  };
  const visit = (node: ts.Node, inKernelNamed: boolean) => {
    if (ts.isVariableDeclaration(node) && node.initializer !== undefined && ts.isVariableStatement(node.parent.parent) && node.parent.parent.parent === sf) {
      add(node.name.getText(sf), node.initializer);
    }
    if (ts.isPropertyAssignment(node) && ['re', 'symptomRe'].includes(node.name.getText(sf))) add(node.name.getText(sf), node.initializer);
    if (inKernelNamed && ts.isRegularExpressionLiteral(node)) add(KERNEL_NAMED, node);
    const named = inKernelNamed || (ts.isVariableDeclaration(node) && node.name.getText(sf) === KERNEL_NAMED);
    ts.forEachChild(node, (c) => visit(c, named));
  };
  visit(sf, false);
}

export function runbookLogPatterns(): LogPattern[] {
  const out: LogPattern[] = [];
  const files = PATTERN_DIRS.flatMap((dir) => readdirSync(dir).filter((f) => f.endsWith('.ts')).sort().map((f) => ({ dir, file: f })));
  for (const { dir, file } of files) {
    const text = readFileSync(join(dir, file), 'utf8');
    const readsLogs = /from '(?:\.\/|\.\.\/engine\/)agent-logs\.ts'/.test(text);
    if (!readsLogs && file !== 'kernel-matrix.ts') continue;
    const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
    const found: LogPattern[] = [];
    collect(file, sf, found);
    out.push(...(readsLogs ? found : found.filter((p) => p.name === KERNEL_NAMED)));
  }
  const seen = new Set<string>();
  return out.filter((p) => {
    const key = `${p.source}/${p.flags}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The same pattern as a POSIX ERE for `grep -E` (GNU): non-capturing groups, \d and escaped slashes rewritten. */
export function toEre(source: string): string {
  return source.replace(/\(\?:/g, '(').replace(/\\d/g, '[0-9]').replace(/\\\//g, '/').replace(/\\-/g, '-');
}
