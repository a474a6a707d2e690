// cilium-agent log lines in every shape the agent prints them. Fact sheet §2.0:
// ≤1.17 logrus logfmt `level=info msg="…" subsys=daemon` (optional `time="…"` or a prefix; levels incl. `warning`),
// ≥1.18 slog `time=… level=warn msg=… module=agent.datapath… error="…"` (PRs #37902, #39251, #39464; #44967),
// `log-format: json`, plain Go `panic:` lines, and `kubectl logs --timestamps` prefixes. Never throws.
// Streaming-friendly: lines are sliced one at a time from the text; nothing splits the whole log.

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
    case 'panic': return 'panic';
    default: return null;
  }
}

/** What the field parsers read of a line: the (capped) line after its optional `--timestamps` prefix. */
function lineBody(raw: string): { rest: string; prefixTime: string | null } {
  const body = raw.length > MAX_PARSED_CHARS ? raw.slice(0, MAX_PARSED_CHARS) : raw;
  const prefix = TIMESTAMP_PREFIX.exec(body);
  return prefix === null ? { rest: body.trimStart(), prefixTime: null } : { rest: body.slice(prefix[0].length), prefixTime: prefix[0].trim() };
}

/** True when parseLogLine reads the line as JSON: its values are then decoded, not substrings of the line. */
export function looksLikeJson(raw: string): boolean {
  return lineBody(raw).rest.startsWith('{');
}

export function parseLogLine(raw: string, lineNumber: number): LogLine {
  const { rest, prefixTime } = lineBody(raw);
  const json = rest.startsWith('{') ? parseJsonFields(rest) : null;
  const fields = json ?? parseLogfmt(rest);
  const format = json !== null ? 'json' : Object.keys(fields).length > 0 ? 'logfmt' : 'text';
  let level = normalizeLevel(fields['level'] ?? fields['lvl']);
  let msg = fields['msg'] ?? fields['message'] ?? null;
  if (format === 'text' || (level === null && msg === null)) {
    // Plain lines: Go panics and the 2017 "CRIT kernel version: NOT OK" style (#603).
    const text = rest.trim();
    const m = /^(panic|fatal error|CRIT|ERROR|FATAL|WARN(?:ING)?|INFO)\b:?\s*(.*)$/.exec(text);
    if (m !== null) {
      const word = (m[1] ?? '').toLowerCase();
      level = word === 'panic' ? 'panic' : word === 'fatal error' ? 'fatal' : normalizeLevel(word);
      msg = m[2] ?? '';
    } else if (msg === null && format === 'text') {
      msg = text === '' ? null : text;
    }
  }
  return {
    lineNumber,
    level,
    msg,
    error: fields['error'] ?? fields['err'] ?? null,
    subsys: fields['subsys'] ?? fields['module'] ?? null,
    time: fields['time'] ?? fields['ts'] ?? prefixTime,
    fields,
    format,
    raw,
  };
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
