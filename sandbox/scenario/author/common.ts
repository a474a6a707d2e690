// Helpers for writing the bundled scenario YAML from the typed builders: repeat templates with unique ids per copy,
// and comments that cite the source of every Cilium log line.
import { Document, isCollection, isScalar } from 'yaml';
import { citeLogLine } from '../cilium-logs.ts';
import type { ContainerLog } from '../schema.ts';

/** The comment above a logs entry: for each line of each stream, where that line comes from. */
export function logCitations(log: ContainerLog): string {
  const out: string[] = [];
  for (const stream of ['previous', 'current'] as const) {
    const text = log[stream];
    if (text === undefined) continue;
    const lines = text.split('\n').filter((l) => l !== '');
    out.push(` ${stream} (${lines.length} lines), every line a real Cilium line:`);
    lines.forEach((line, n) => {
      const cite = citeLogLine(line);
      if (cite === undefined) throw new Error(`log line without a known source (see cilium-logs.ts CITATIONS): ${line}`);
      out.push(`   ${n + 1}: ${cite}`);
    });
  }
  return out.join('\n');
}

/** Repeat a big scalar without repeating its text: an anchor at one place, `*name` aliases at others. */
export interface YamlAlias {
  name: string;
  anchorAt: (string | number)[];
  aliasAt: (string | number)[][];
}

export interface YamlComment {
  path: (string | number)[];
  text: string;
}

/** One YAML document with a header comment and comments above chosen collection items. No line folding. */
export function renderYaml(header: string, body: object, comments: YamlComment[], aliases: YamlAlias[] = []): string {
  const doc = new Document(body);
  for (const a of aliases) {
    const target = doc.getIn(a.anchorAt, true);
    if (!isScalar(target)) throw new Error(`no scalar at ${a.anchorAt.join('.')} to anchor`);
    target.anchor = a.name;
    for (const p of a.aliasAt) doc.setIn(p, doc.createAlias(target, a.name));
  }
  doc.commentBefore = header.split('\n').map((l) => ` ${l}`.trimEnd()).join('\n');
  for (const c of comments) {
    const node = doc.getIn(c.path, true);
    if (!isCollection(node)) throw new Error(`no collection at ${c.path.join('.')} to comment`);
    node.commentBefore = c.text.split('\n').map((l) => (l.startsWith(' ') ? l : ` ${l}`)).join('\n');
  }
  return doc.toString({ lineWidth: 0, minContentWidth: 0 });
}

/** Comments for every logs entry of a list at `base` (e.g. `['repeat', 0, 'logs']`). */
export function logComments(base: (string | number)[], logs: readonly ContainerLog[]): YamlComment[] {
  return logs.map((log, n) => ({ path: [...base, n], text: logCitations(log) }));
}
