// The literal text every match of a regular expression must contain, read from its source, so that a log line
// whose raw text holds none of it need not be parsed at all (log-scan.ts). Sound by construction: whatever the
// analyser does not understand (classes, escapes like \d, lookarounds, unicode mode) requires nothing, which only
// makes the filter weaker, never wrong. Literals never hold a space (msg and error are joined by one, see
// lineText) nor a backslash (escapes in quoted values), and are ASCII, lower-cased: matched case-insensitively.

/** Alternatives, any one of which every match satisfies; each lists literals that all occur. null: nothing required. */
export type RequiredLiterals = string[][] | null;

/** Beyond this many alternatives a disjunction requires nothing (sound) and a conjunction drops factors (sound). */
const MAX_ALTERNATIVES = 24;

export function requiredLiterals(re: RegExp): RequiredLiterals {
  // Unicode mode folds k and s onto non-ASCII letters (K, ſ) under /i: not worth the care here.
  if (re.flags.includes('u') || re.flags.includes('v')) return null;
  try {
    const parser = new SourceParser(re.source);
    const req = parser.disjunction();
    return parser.done() ? simplify(req) : null;
  } catch {
    return null;
  }
}

/** A printable ASCII character other than space and backslash: may be part of a literal. */
function literalChar(c: string): boolean {
  const code = c.charCodeAt(0);
  return c.length === 1 && code > 32 && code < 127 && code !== 92;
}

type Atom = { kind: 'char'; ch: string } | { kind: 'group'; req: RequiredLiterals } | { kind: 'other' };

class SourceParser {
  private i = 0;
  constructor(private readonly src: string) {}

  done(): boolean {
    return this.i >= this.src.length;
  }

  disjunction(): RequiredLiterals {
    const alternatives: RequiredLiterals[] = [this.sequence()];
    while (this.src[this.i] === '|') {
      this.i++;
      alternatives.push(this.sequence());
    }
    return or(alternatives);
  }

  private sequence(): RequiredLiterals {
    const factors: RequiredLiterals[] = [];
    let run = '';
    const flush = () => {
      if (run !== '') factors.push([[run]]);
      run = '';
    };
    while (this.i < this.src.length && this.src[this.i] !== '|' && this.src[this.i] !== ')') {
      const atom = this.atom();
      const min = this.quantifierMin();
      if (atom.kind === 'char' && literalChar(atom.ch) && min !== 0) {
        run += atom.ch;
        if (min !== null) flush(); // repeated: what follows is not adjacent to this run
        continue;
      }
      flush();
      if (atom.kind === 'group' && min !== 0) factors.push(atom.req);
    }
    flush();
    return and(factors);
  }

  /** The minimum count of a quantifier at the cursor (consumed), or null when there is none. */
  private quantifierMin(): number | null {
    const c = this.src[this.i];
    let min: number | null = null;
    if (c === '*' || c === '?') min = 0;
    else if (c === '+') min = 1;
    else if (c === '{') {
      const m = /^\{(\d+)(?:,\d*)?\}/.exec(this.src.slice(this.i));
      if (m === null) return null; // a literal `{` (Annex B)
      this.i += m[0].length - 1;
      min = Number(m[1]);
    }
    if (min === null) return null;
    this.i++;
    if (this.src[this.i] === '?') this.i++; // lazy
    return min;
  }

  private atom(): Atom {
    const c = this.src[this.i] ?? '';
    this.i++;
    switch (c) {
      case '.': case '^': case '$': return { kind: 'other' };
      case '[': this.skipClass(); return { kind: 'other' };
      case '(': return this.group();
      case '*': case '+': case '?': throw new Error('quantifier without atom');
      case '\\': {
        const e = this.src[this.i];
        if (e === undefined) throw new Error('trailing backslash');
        this.i++;
        if (!/[A-Za-z0-9]/.test(e)) return { kind: 'char', ch: e };
        // Classes, assertions, control, hex, octal and named escapes, back-references: nothing literal. What follows
        // the letter is consumed as generously as any reading of it allows (\x41, \cJ, \12, \k<n>, \p{L}), since
        // taking too much only drops a literal, while taking too little would require text the match need not hold.
        const tail = e === 'x' ? /^[0-9A-Fa-f]{0,2}/ : e === 'u' ? /^[0-9A-Fa-f]{0,4}/ : e === 'c' ? /^[A-Za-z]?/ : /[0-9]/.test(e) ? /^[0-9]*/
          : e === 'k' ? /^<[^>]*>?/ : e === 'p' || e === 'P' ? /^\{[^}]*\}?/ : /^/;
        this.i += tail.exec(this.src.slice(this.i))?.[0].length ?? 0;
        return { kind: 'other' };
      }
      default: return { kind: 'char', ch: c };
    }
  }

  private group(): Atom {
    let consumed = true; // false for a lookaround
    if (this.src[this.i] === '?') {
      const rest = this.src.slice(this.i, this.i + 3);
      if (rest.startsWith('?:')) {
        this.i += 2;
      } else if (rest.startsWith('?=') || rest.startsWith('?!') || rest === '?<=' || rest === '?<!') {
        this.i += rest.startsWith('?<') ? 3 : 2;
        consumed = false;
      } else if (rest.startsWith('?<')) {
        const close = this.src.indexOf('>', this.i);
        if (close === -1) throw new Error('unterminated group name');
        this.i = close + 1;
      } else throw new Error(`unsupported group ${rest}`);
    }
    const req = this.disjunction();
    if (this.src[this.i] !== ')') throw new Error('unterminated group');
    this.i++;
    // A lookaround's text need not be part of the match (negative ones must not be there at all).
    return consumed ? { kind: 'group', req } : { kind: 'other' };
  }

  private skipClass(): void {
    while (this.i < this.src.length) {
      const c = this.src[this.i];
      this.i += c === '\\' ? 2 : 1;
      if (c === ']') return;
    }
    throw new Error('unterminated class');
  }
}

/** Every factor holds: the cross product of their alternatives (factors that would make it too large are dropped). */
function and(factors: RequiredLiterals[]): RequiredLiterals {
  const known = factors.filter((f): f is string[][] => f !== null).sort((a, b) => a.length - b.length);
  let acc: string[][] = [[]];
  for (const f of known) {
    if (acc.length * f.length > MAX_ALTERNATIVES) continue;
    acc = acc.flatMap((x) => f.map((y) => [...x, ...y]));
  }
  return acc.some((x) => x.length === 0) ? null : acc;
}

/** One of the alternatives holds: nothing is required if one of them requires nothing. */
function or(alternatives: RequiredLiterals[]): RequiredLiterals {
  const out: string[][] = [];
  for (const a of alternatives) {
    if (a === null) return null;
    out.push(...a);
  }
  return out.length === 0 || out.length > MAX_ALTERNATIVES ? null : out;
}

/**
 * Lower-cased; within an alternative, without literals another one contains; and without alternatives another one
 * implies (an alternative is redundant when each literal of a weaker one lies inside one of its own).
 */
function simplify(req: RequiredLiterals): RequiredLiterals {
  if (req === null) return null;
  const alts = req.map((alt) => {
    const lits = [...new Set(alt.map((l) => l.toLowerCase()))];
    return lits.filter((l) => !lits.some((o) => o !== l && o.includes(l))).sort();
  });
  const implies = (strong: string[], weak: string[]) => weak.every((w) => strong.some((s) => s.includes(w)));
  return alts.filter((a, i) => !alts.some((b, j) => j !== i && implies(a, b) && (!implies(b, a) || j < i)));
}
