// Every regular-expression literal in runbooks/*.ts (read with the TypeScript parser, so none is missed), and
// adversarial texts for one: its own literal text repeated to the size of a long agent line (64 KB, the parser's
// cap), the shape that makes a backtracking engine retry `.*`/`[^x]*` from every occurrence (issue 17).
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { requiredLiterals } from '../../runbooks/engine/log-literals.ts';

const RUNBOOKS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'runbooks');

export interface RunbookRegex {
  file: string;
  line: number;
  re: RegExp;
}

export function runbookRegexes(): RunbookRegex[] {
  const out: RunbookRegex[] = [];
  // Every .ts under runbooks/ (catalogue/, engine/ and their folders); `file` is the base name, as the exemptions use.
  const files = (readdirSync(RUNBOOKS, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts')).sort();
  for (const path of files) {
    const file = basename(path);
    const sf = ts.createSourceFile(file, readFileSync(join(RUNBOOKS, path), 'utf8'), ts.ScriptTarget.ES2022, true);
    const visit = (node: ts.Node): void => {
      if (ts.isRegularExpressionLiteral(node)) {
        const end = node.text.lastIndexOf('/');
        // g and y only make test() stateful; the cost per call is the same without them.
        const re = new RegExp(node.text.slice(1, end), node.text.slice(end + 1).replace(/[gy]/g, ''));
        out.push({ file, line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1, re });
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return out;
}

/** The plain runs of a regex's source (escapes resolved, spaces kept) and its required literals. */
export function fragmentsOf(re: RegExp): string[] {
  const runs = new Set<string>();
  for (const alt of requiredLiterals(re) ?? []) for (const l of alt) runs.add(l);
  // Class escapes become a separator (a backquote: no pattern uses one), other escapes the character they stand for.
  const plain = re.source.replace(/\\[dDsSwWbB]/g, '`').replace(/\\(.)/g, '$1');
  for (const run of plain.split(/[`[\]().*+?{}|^$]+/)) if (run !== '') runs.add(run);
  return [...runs];
}

/** Pieces whose repetition stresses the regex: each fragment alone, with a separator, and two in a row. */
export function adversarialPieces(re: RegExp): string[] {
  const frags = fragmentsOf(re);
  const pieces = new Set<string>(['a', ' ', '0', '1.', 'a ']);
  for (const f of frags) for (const sep of ['', ' ', '.', 'x', ':', '/', ' (']) pieces.add(f + sep);
  for (let i = 0; i + 1 < frags.length; i++) pieces.add(`${frags[i] ?? ''} ${frags[i + 1] ?? ''}`);
  return [...pieces];
}

export function repeatTo(piece: string, size: number): string {
  return piece.repeat(Math.ceil(size / Math.max(1, piece.length))).slice(0, size);
}

/** CPU milliseconds `fn` takes (user + system of this process: less noisy than wall time on a shared machine). */
export function cpuMs(fn: () => void): number {
  const before = process.cpuUsage();
  fn();
  const d = process.cpuUsage(before);
  return (d.user + d.system) / 1000;
}
