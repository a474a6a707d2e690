// What a runbook looks for in the agent's logs, declared rather than coded as an opaque predicate, so the matcher
// (log-scan.ts) knows which literal text a line must hold before it is worth parsing (log-literals.ts).
import { requiredLiterals, type RequiredLiterals } from './log-literals.ts';
import { LEVEL_LITERALS, type LogLevel, type LogLine } from './log-parser.ts';

/** A line matches when every part given holds. */
export interface LogQuery {
  /** One of these matches the line's msg and error (lineText). No `g`/`y` flags: test() must not keep state. */
  text?: readonly RegExp[];
  /** The line's level is one of these. */
  level?: readonly LogLevel[];
  /** Whatever else must hold; runs on parsed lines that passed `text` and `level`. */
  where?: (l: LogLine) => boolean;
}

export interface CompiledLogQuery {
  readonly query: LogQuery;
  /** Alternatives of literals (lower-case) one of which a matching line's raw text holds; null: none known. */
  readonly required: RequiredLiterals;
  readonly test: (l: LogLine) => boolean;
}

/** msg and error together: the text most runbooks match on (fact sheet §2.0). */
export function lineText(l: LogLine): string {
  return `${l.msg ?? ''} ${l.error ?? ''}`;
}

/** How each level is spelled in a line, in every format the parser reads (log-parser.ts LEVEL_LITERALS). */
const LEVEL_SPELLINGS = LEVEL_LITERALS;

const compiled = new WeakMap<LogQuery, CompiledLogQuery>();
const literalCache = new WeakMap<RegExp, RequiredLiterals>();

function literalsOf(re: RegExp): RequiredLiterals {
  let r = literalCache.get(re);
  if (r === undefined) {
    r = requiredLiterals(re);
    literalCache.set(re, r);
  }
  return r;
}

export function compileLogQuery(query: LogQuery): CompiledLogQuery {
  const known = compiled.get(query);
  if (known !== undefined) return known;
  const { text, level, where } = query;
  const stateful = text?.find((re) => re.global || re.sticky);
  if (stateful !== undefined) throw new Error(`log query regex ${String(stateful)} has the g or y flag`);
  const c: CompiledLogQuery = {
    query,
    required: requiredOf(text, level),
    test: (l) => {
      if (level !== undefined && (l.level === null || !level.includes(l.level))) return false;
      if (text !== undefined) {
        const t = lineText(l);
        if (!text.some((re) => re.test(t))) return false;
      }
      return where === undefined || where(l);
    },
  };
  compiled.set(query, c);
  return c;
}

function requiredOf(text: readonly RegExp[] | undefined, level: readonly LogLevel[] | undefined): RequiredLiterals {
  if (text !== undefined) {
    const alternatives: string[][] = [];
    for (const re of text) {
      const r = literalsOf(re);
      if (r === null) return level === undefined ? null : requiredOf(undefined, level);
      alternatives.push(...r);
    }
    return alternatives;
  }
  if (level !== undefined) return level.flatMap((l) => LEVEL_SPELLINGS[l].map((s) => [s]));
  return null;
}
