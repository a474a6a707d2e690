// One error type for every way a scenario file can be wrong, so a person sees the file, the place inside it and
// what to change, all in one message (not just the first problem).

/** One problem: where (a path like `objects[3].metadata.name`, plus the YAML line when known) and what. */
export interface ScenarioIssue {
  path: string;
  message: string;
  line?: number;
  column?: number;
  /** The path as keys and indexes, used to find the line in the YAML source. */
  segments?: readonly (string | number)[];
}

/** How many issues the message spells out; the rest are counted (the `issues` array keeps them all). */
const SHOWN_ISSUES = 25;

export class ScenarioError extends Error {
  override readonly name = 'ScenarioError';
  readonly file: string;
  readonly issues: readonly ScenarioIssue[];

  constructor(file: string, issues: readonly ScenarioIssue[]) {
    super(formatIssues(file, issues));
    this.file = file;
    this.issues = issues;
  }
}

export function isScenarioError(err: unknown): err is ScenarioError {
  return err instanceof ScenarioError;
}

function formatIssues(file: string, issues: readonly ScenarioIssue[]): string {
  const lines = issues.slice(0, SHOWN_ISSUES).map((issue) => {
    const where = issue.line === undefined ? '' : ` (line ${issue.line}${issue.column === undefined ? '' : `, column ${issue.column}`})`;
    return `  - ${issue.path}${where}: ${issue.message}`;
  });
  if (issues.length > SHOWN_ISSUES) lines.push(`  … and ${issues.length - SHOWN_ISSUES} more`);
  const noun = issues.length === 1 ? 'problem' : 'problems';
  return `invalid scenario file ${file} (${issues.length} ${noun}):\n${lines.join('\n')}`;
}

/** `['objects', 3, 'metadata', 'name']` → `objects[3].metadata.name`; odd keys are quoted (`labels["k8s-app"]`). */
export function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(top level)';
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (typeof part === 'string' && /^[A-Za-z_$][\w$]*$/.test(part)) out += out === '' ? part : `.${part}`;
    else out += `[${JSON.stringify(String(part))}]`;
  }
  return out;
}
