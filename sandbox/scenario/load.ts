// Scenario files → `Scenario`: YAML syntax, then the zod schema, then `repeat` expansion, then cross-checks. Every
// failure is one ScenarioError naming the file, the path inside it (with its line) and what is wrong.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isNode, LineCounter, parseAllDocuments, type Document } from 'yaml';
import type { z } from 'zod';
import { checkScenario } from './check.ts';
import { expandRepeats } from './expand.ts';
import { ScenarioSchema, type Scenario } from './schema.ts';
import { formatPath, ScenarioError, type ScenarioIssue } from './scenario-error.ts';

/**
 * Bigger files are refused before parsing: a scenario is hand-written or generated state, never a dump. 16 MiB, not
 * 64: the YAML parser needs ~30× a double-quoted scalar's size, so a 60 MB quoted log took 1.8 GB (found by
 * test/fuzz/files.test.ts); the largest bundled scenario is 1.7 MB, and big clusters are built with generateCluster.
 */
export const MAX_SCENARIO_BYTES = 16 * 1024 * 1024;

/** Where the bundled scenarios live, found from this module so the cwd does not matter. */
export const SCENARIOS_DIR = fileURLToPath(new URL('../scenarios/', import.meta.url));

const BARE_NAME = /^[a-z0-9][a-z0-9-]*$/;

export function parseScenario(text: string, source: string): Scenario {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_SCENARIO_BYTES) throw tooBig(source, bytes);
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (!Array.isArray(docs) || docs.length === 0) {
    throw new ScenarioError(source, [{ path: '(file)', message: 'the file is empty; expected one YAML document with name, description and objects' }]);
  }
  if (docs.length > 1) {
    const pos = docs[1]?.range[0] ?? 0;
    throw new ScenarioError(source, [{ path: '(file)', message: `expected one YAML document, found ${docs.length} (remove the "---" separators)`, ...linePos(lineCounter, pos) }]);
  }
  const doc = docs[0] as Document.Parsed;
  if (doc.errors.length > 0) {
    throw new ScenarioError(source, doc.errors.map((e) => ({
      path: '(YAML syntax)',
      // The parser reports nesting deeper than the stack as a bare RangeError message (found by fuzzing).
      message: /Maximum call stack size exceeded/.test(e.message) ? 'nested too deeply (thousands of levels); a scenario needs a few dozen at most' : (e.message.split('\n')[0] ?? e.message),
      ...linePos(lineCounter, e.pos[0]),
    })));
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 1000 });
  } catch (err) {
    throw new ScenarioError(source, [{ path: '(YAML)', message: (err as Error).message }]);
  }
  const parsed = ScenarioSchema.safeParse(raw);
  if (!parsed.success) throw new ScenarioError(source, parsed.error.issues.map((i) => locate(zodIssue(i), doc, lineCounter)));
  const expanded = expandRepeats(parsed.data);
  const issues = [...expanded.issues, ...checkScenario(expanded, parsed.data.expect)];
  if (parsed.data.expect?.hubbleFindings !== undefined && parsed.data.hubbleFlows === undefined) {
    issues.push({ path: 'expect.hubbleFindings', segments: ['expect', 'hubbleFindings'], message: 'hubbleFindings needs the scenario\'s hubbleFlows (the flows file the Relay emulator serves)' });
  }
  if (issues.length > 0) throw new ScenarioError(source, issues.map((i) => locate(i, doc, lineCounter)));
  return {
    name: parsed.data.name,
    description: parsed.data.description,
    source,
    objects: expanded.objects.map((o) => o.value),
    logs: expanded.logs.map((l) => l.value),
    exec: expanded.exec.map((e) => e.value),
    users: parsed.data.users,
    ...(parsed.data.nodeData.length > 0 && { nodeData: parsed.data.nodeData }),
    ...(parsed.data.hubbleFlows !== undefined && { hubbleFlows: parsed.data.hubbleFlows }),
    ...(parsed.data.expect !== undefined && { expect: parsed.data.expect }),
  };
}

export function loadScenarioFile(path: string): Scenario {
  let size: number;
  try {
    size = statSync(path).size;
  } catch (err) {
    throw new ScenarioError(path, [{ path: '(file)', message: `cannot read: ${(err as Error).message}` }]);
  }
  if (size > MAX_SCENARIO_BYTES) throw tooBig(path, size);
  return parseScenario(readFileSync(path, 'utf8'), path);
}

/** A bare name (`kernel-too-old`) is a bundled scenario; anything else is a path, relative to the cwd. */
export function resolveScenario(nameOrPath: string): Scenario {
  if (!BARE_NAME.test(nameOrPath)) return loadScenarioFile(resolve(nameOrPath));
  const available = listScenarios();
  if (!available.includes(nameOrPath)) {
    throw new ScenarioError(nameOrPath, [{ path: '(name)', message: `no bundled scenario of that name in ${SCENARIOS_DIR}; available: ${available.join(', ') || '(none)'}` }]);
  }
  return loadScenarioFile(scenarioPath(nameOrPath));
}

export function scenarioPath(name: string): string {
  return resolve(SCENARIOS_DIR, `${name}.yaml`);
}

/** Names of the bundled scenarios, sorted. */
export function listScenarios(): string[] {
  let files: string[];
  try {
    files = readdirSync(SCENARIOS_DIR);
  } catch {
    return [];
  }
  return files.filter((f) => f.endsWith('.yaml')).map((f) => basename(f, '.yaml')).sort();
}

function tooBig(source: string, bytes: number): ScenarioError {
  const mib = (n: number): string => (n / (1024 * 1024)).toFixed(1);
  return new ScenarioError(source, [{
    path: '(file)',
    message: `the file is ${mib(bytes)} MiB; scenario files are limited to ${mib(MAX_SCENARIO_BYTES)} MiB (use repeat blocks, or build large clusters in code with generateCluster)`,
  }]);
}

/** zod's wording made specific: a missing field says "missing", an unknown key is named in the path. */
function zodIssue(issue: z.core.$ZodIssue): ScenarioIssue {
  const segments = issue.path.map((p) => (typeof p === 'number' ? p : String(p)));
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys;
    const first = keys[0] ?? '';
    const message = keys.length === 1 ? `unknown key "${first}" (typo?)` : `unknown keys ${keys.map((k) => `"${k}"`).join(', ')} (typo?)`;
    return { path: formatPath(keys.length === 1 ? [...segments, first] : segments), message, segments };
  }
  if (issue.code === 'invalid_type' && /received undefined$/.test(issue.message)) {
    return { path: formatPath(segments), message: `missing (expected ${issue.expected})`, segments };
  }
  return { path: formatPath(segments), message: issue.message, segments };
}

/** Adds the line and column of the deepest YAML node on the issue's path that exists. */
function locate(issue: ScenarioIssue, doc: Document.Parsed, lc: LineCounter): ScenarioIssue {
  if (issue.segments === undefined || issue.line !== undefined) return issue;
  for (let n = issue.segments.length; n >= 0; n--) {
    const node: unknown = n === 0 ? doc.contents : doc.getIn(issue.segments.slice(0, n), true);
    if (isNode(node) && node.range !== undefined && node.range !== null) return { ...issue, ...linePos(lc, node.range[0]) };
  }
  return issue;
}

function linePos(lc: LineCounter, offset: number): { line: number; column: number } {
  const pos = lc.linePos(offset);
  return { line: pos.line, column: pos.col };
}
