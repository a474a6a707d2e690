// cilium-agent log lines in every shape the agent prints them:
// ≤1.17 logrus logfmt `level=info msg="…" subsys=daemon` (optional `time="…"` or a prefix; levels incl. `warning`),
// ≥1.18 slog `time=… level=warn msg=… module=agent.datapath… error="…"` (PRs #37902, #39251, #39464; #44967),
// `log-format: json` (logrus `{"level":"info","msg":…,"subsys":…}`, #26942; slog `{"time":…,"level":…,"msg":…,
// "module":…}`, PR #44961), plain-text shapes (Go `log`, klog, logrus' terminal format, level words, Go `panic:`:
// log-text-formats.ts), and `kubectl logs --timestamps` / CRI log-file prefixes. Never throws.
// A line whose level cannot be read keeps level null (unknown) and is still matched on its text.
// Streaming-friendly: lines are sliced one at a time from the text; nothing splits the whole log.
import { readTextLine } from './log-text-formats.ts';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'panic';

export interface LogLine {
  /** 1-based, within the text given (a tail when the collector truncated the log). */
  lineNumber: number;
  level: LogLevel | null;
  msg: string | null;
  error: string | null;
  /** `subsys=` (≤1.17) or `module=` (≥1.18). */
  subsys: string | null;
  time: string | null;
  fields: Record<string, string>;
  format: 'logfmt' | 'json' | 'text';
  raw: string;
}

/** Longer lines are parsed only up to this many characters (verifier dumps can be huge). */
export const MAX_PARSED_CHARS = 65_536;
const KEY = /^[A-Za-z_][\w.\-/]*$/;
const TIMESTAMP_PREFIX = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})\s+/;

/** Yields each line of `text` with its 1-based number, without building an array of lines. */
export function* iterateLines(text: string): Generator<{ lineNumber: number; raw: string }> {
  let start = 0;
  let lineNumber = 0;
  while (start < text.length) {
    const nl = text.indexOf('\n', start);
    const end = nl === -1 ? text.length : nl;
    lineNumber++;
    const raw = text.charCodeAt(end - 1) === 13 ? text.slice(start, end - 1) : text.slice(start, end);
    yield { lineNumber, raw };
    start = end + 1;
  }
}

export function* parseLog(text: string): Generator<LogLine> {
  for (const { lineNumber, raw } of iterateLines(text)) yield parseLogLine(raw, lineNumber);
}

/** Lines matching `predicate`, at most `limit` of them (the first ones). */
export function findLogLines(text: string, predicate: (line: LogLine) => boolean, limit = 50): LogLine[] {
  const out: LogLine[] = [];
  for (const line of parseLog(text)) {
    if (!predicate(line)) continue;
    out.push(line);
    if (out.length >= limit) break;
  }
  return out;
}

/** The last `n` lines matching `predicate` (a ring buffer: memory stays bounded by n). */
export function lastLogLines(text: string, predicate: (line: LogLine) => boolean, n: number): LogLine[] {
  const ring: LogLine[] = [];
  for (const line of parseLog(text)) {
    if (!predicate(line)) continue;
    ring.push(line);
    if (ring.length > n) ring.shift();
  }
  return ring;
}

export function normalizeLevel(value: string | undefined): LogLevel | null {
  switch (value?.trim().toLowerCase()) {
    case 'debug': case 'trace': return 'debug';
    case 'info': return 'info';
    case 'warn': case 'warning': return 'warn';
    case 'error': case 'err': return 'error';
    case 'fatal': case 'crit': case 'critical': return 'fatal';
    case 'panic': case 'dpanic': return 'panic';
    default: return null;
  }
}

/**
 * Text one of which every line given a level holds (lower-case ASCII, compared case-insensitively with backslashes
 * skipped, as log-scan.ts compares literals): what a level-only query may require of a line before parsing it.
 * The spellings above, the four-letter ones of logrus' terminal format (`FATA[0000]`) and klog's severity letter
 * with the first digit of its month (`E1203 15:54:15…`).
 */
export const LEVEL_LITERALS: Readonly<Record<LogLevel, readonly string[]>> = {
  debug: ['debu', 'trac'],
  info: ['info', 'i0', 'i1'],
  warn: ['warn', 'w0', 'w1'],
  error: ['err', 'e0', 'e1'],
  fatal: ['fata', 'crit', 'f0', 'f1'],
  panic: ['pani'],
};

/** CRI log files (/var/log/pods) put the stream and a partial/full tag after the timestamp. */
const CRI_STREAM = /^(?:stdout|stderr) [FP] /;

/** What the field parsers read of a line: the (capped) line after its optional `--timestamps` or CRI prefix. */
function lineBody(raw: string): { rest: string; prefixTime: string | null } {
  const body = raw.length > MAX_PARSED_CHARS ? raw.slice(0, MAX_PARSED_CHARS) : raw;
  const prefix = TIMESTAMP_PREFIX.exec(body);
  if (prefix === null) return { rest: body.trimStart(), prefixTime: null };
  const after = body.slice(prefix[0].length);
  const cri = CRI_STREAM.exec(after);
  return { rest: cri === null ? after : after.slice(cri[0].length), prefixTime: prefix[0].trim() };
}

/** True when parseLogLine reads the line as JSON: its values are then decoded, not substrings of the line. */
export function looksLikeJson(raw: string): boolean {
  return lineBody(raw).rest.startsWith('{');
}

/**
 * Field names as releases spell them, canonical first: a line gets the canonical name too when it only has another
 * (1.18 logs `ipAddr=` where 1.17 logged `host=` for the API server: PR #44961 vs #28823).
 */
const FIELD_ALIASES: ReadonlyArray<readonly [canonical: string, ...others: string[]]> = [['host', 'ipAddr']];

export function parseLogLine(raw: string, lineNumber: number): LogLine {
  const { rest, prefixTime } = lineBody(raw);
  const json = rest.startsWith('{') ? parseJsonFields(rest) : null;
  let fields = json ?? parseLogfmt(rest);
  let format: LogLine['format'] = json !== null ? 'json' : Object.keys(fields).length > 0 ? 'logfmt' : 'text';
  let level = normalizeLevel(fields['level'] ?? fields['lvl'] ?? fields['severity']);
  let msg = fields['msg'] ?? fields['message'] ?? null;
  let time = fields['time'] ?? fields['ts'] ?? prefixTime;
  if (level === null && msg === null && json === null) {
    const head = readTextLine(rest, readQuoted);
    if (head !== null) {
      fields = { ...head.fields, ...parseLogfmt(head.tail) };
      format = 'text';
      level = head.level;
      msg = head.msg;
      time = head.time ?? prefixTime;
    } else if (format === 'text') {
      const text = rest.trim();
      msg = text === '' ? null : text;
    } else {
      // A message quoted without its time/level/msg keys, fields kept: `Start hook failed  function="…"` (#35928,
      // deckhouse#22619). The words before the first key=value are its message, as for a line with no fields.
      msg = leadingWords(rest);
    }
  }
  for (const [canonical, ...others] of FIELD_ALIASES) {
    if (fields[canonical] !== undefined) continue;
    const other = others.find((o) => fields[o] !== undefined);
    if (other !== undefined) fields[canonical] = fields[other] ?? '';
  }
  return {
    lineNumber,
    level,
    msg,
    error: fields['error'] ?? fields['err'] ?? null,
    subsys: fields['subsys'] ?? fields['module'] ?? null,
    time,
    fields,
    format,
    raw,
  };
}

/** The words of a logfmt line before its first key=value token, or null when it starts with one. */
function leadingWords(line: string): string | null {
  const words: string[] = [];
  for (const word of line.trim().split(/\s+/)) {
    const eq = word.indexOf('=');
    if (eq > 0 && KEY.test(word.slice(0, eq))) break;
    words.push(word);
  }
  return words.length === 0 ? null : words.join(' ');
}

/** logfmt: `key=value` and `key="quoted \"value\""`; tokens that are not key=value are skipped. */
export function parseLogfmt(line: string): Record<string, string> {
  const fields: Record<string, string> = {};
  const n = line.length;
  let i = 0;
  while (i < n) {
    while (i < n && isSpace(line.charCodeAt(i))) i++;
    if (i >= n) break;
    const tokenStart = i;
    while (i < n && line[i] !== '=' && !isSpace(line.charCodeAt(i)) && line[i] !== '"') i++;
    const key = line.slice(tokenStart, i);
    if (i < n && line[i] === '=' && KEY.test(key)) {
      i++;
      if (line[i] === '"') {
        const [value, next] = readQuoted(line, i + 1);
        fields[key] = value;
        i = next;
      } else {
        const valueStart = i;
        while (i < n && !isSpace(line.charCodeAt(i))) i++;
        fields[key] = line.slice(valueStart, i);
      }
      continue;
    }
    // Not a key=value token: skip it, including any quoted run inside it.
    while (i < n && !isSpace(line.charCodeAt(i))) {
      if (line[i] === '"') i = readQuoted(line, i + 1)[1];
      else i++;
    }
  }
  return fields;
}

/** Reads a quoted value starting after the opening quote; returns the unescaped value and the index after it. */
function readQuoted(line: string, start: number): [string, number] {
  let out = '';
  let i = start;
  let chunkStart = i;
  while (i < line.length) {
    const c = line[i];
    if (c === '\\' && i + 1 < line.length) {
      out += line.slice(chunkStart, i);
      const e = line[i + 1];
      out += e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : (e ?? '');
      i += 2;
      chunkStart = i;
      continue;
    }
    if (c === '"') return [out + line.slice(chunkStart, i), i + 1];
    i++;
  }
  // Unterminated: the value runs to the end of the line.
  return [out + line.slice(chunkStart), line.length];
}

function isSpace(code: number): boolean {
  return code === 32 || code === 9 || code === 11 || code === 12 || code === 13;
}

function parseJsonFields(text: string): Record<string, string> | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return null;
  const fields: Record<string, string> = {};
  for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
    if (typeof v === 'string') fields[k] = v;
    else if (typeof v === 'number' || typeof v === 'boolean') fields[k] = String(v);
    else if (v !== null && v !== undefined) fields[k] = JSON.stringify(v);
  }
  return fields;
}

/** A line short enough to quote in a report (long verifier lines are cut with a marker). */
export function quotable(raw: string, max = 400): string {
  return raw.length <= max ? raw : `${raw.slice(0, max)}… (${raw.length - max} more characters)`;
}
