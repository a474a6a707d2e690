// Kubernetes label and field selectors, evaluated on plain objects from a sysdump: the subset the collectors send
// (`k=v`, `k!=v`, `k`, `!k`, `k in (a,b)`, `k notin (a,b)`; field selectors `path=value` / `path!=value`).

function labelTerm(term: string, labels: Record<string, string>): boolean {
  const set = /^([^\s!=]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term);
  if (set !== null) {
    const values = (set[3] ?? '').split(',').map((v) => v.trim());
    const has = labels[set[1] ?? ''] !== undefined && values.includes(labels[set[1] ?? ''] ?? '');
    return set[2] === 'in' ? has : !has;
  }
  const neq = /^([^!=]+)!=(.*)$/.exec(term);
  if (neq !== null) return labels[neq[1]?.trim() ?? ''] !== neq[2]?.trim();
  const eq = /^([^!=]+)==?(.*)$/.exec(term);
  if (eq !== null) return labels[eq[1]?.trim() ?? ''] === eq[2]?.trim();
  if (term.startsWith('!')) return labels[term.slice(1).trim()] === undefined;
  return labels[term.trim()] !== undefined;
}

/** Splits on commas outside parentheses. */
function terms(selector: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of selector) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((t) => t.trim()).filter((t) => t !== '');
}

export function matchesLabels(selector: string | undefined, labels: Record<string, string> | undefined): boolean {
  if (selector === undefined || selector.trim() === '') return true;
  return terms(selector).every((t) => labelTerm(t, labels ?? {}));
}

function field(obj: unknown, path: string): string | undefined {
  let cur: unknown = obj;
  for (const key of path.split('.')) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return typeof cur === 'string' || typeof cur === 'number' ? String(cur) : undefined;
}

export function matchesFields(selector: string | undefined, obj: unknown): boolean {
  if (selector === undefined || selector.trim() === '') return true;
  return terms(selector).every((t) => {
    const neq = /^([^!=]+)!=(.*)$/.exec(t);
    if (neq !== null) return field(obj, neq[1] ?? '') !== neq[2];
    const eq = /^([^!=]+)==?(.*)$/.exec(t);
    return eq !== null && field(obj, eq[1] ?? '') === eq[2];
  });
}
