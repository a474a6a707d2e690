// Agent log lines that carry no logfmt `level=`/`msg=`: where their level, time and message sit. Each shape is one
// the agent (or a library inside it) really prints, read after any kubectl/CRI prefix (log-parser.ts lineBody):
//  - Go `log` via slog's default handler, on stderr before the agent's logger is set up (hive in 1.16/1.17, e.g. the
//    `config` init container): `2024/11/30 01:50:55 ERROR Start hook failed function="…" error="…"`.
//  - klog from client-go before its output is redirected into the agent's logger: `E1203 15:54:15.165775       1
//    reflector.go:283] …` (openshift/compliance-operator#41; header format: k8s.io/klog `Lmmdd hh:mm:ss.uuuuuu
//    threadid file:line] msg`, structured calls quote the msg).
//  - logrus' text format on a terminal: `FATA[0000] Error while creating daemon  error="…"`.
//  - a level word first, as the 2017 agent printed (`2017-05-17T07:32:18Z INFO Cilium 0.8.90 …`, `DEBU …`,
//    cilium/cilium#742; `CRIT kernel version: NOT OK …`, #603) and Go's own `panic:` / `fatal error:` lines.
// Every msg and field value is a substring of the line (quoted ones unescaped as logfmt's are), which log-scan.ts
// relies on; every level word holds one of LEVEL_LITERALS (log-parser.ts).
import type { LogLevel } from './log-parser.ts';

export interface TextLineHead {
  level: LogLevel | null;
  time: string | null;
  msg: string;
  /** The rest of the line after msg, when it is logfmt (`key=value …`), for the caller to parse. */
  tail: string;
  /** Fields the shape itself carries (klog's `source` file:line). */
  fields: Record<string, string>;
}

/** slog's default handler through Go's `log`: date, time, LEVEL (slog may print `ERROR+2` for custom levels). */
const GO_LOG = /^(\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2}(?:\.\d+)?)\s+(?:(DEBUG|INFO|WARN|ERROR)(?:[+-]\d+)?\s+)?/;
const GO_LEVELS: Readonly<Record<string, LogLevel>> = { DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' };

/** klog header: severity letter, mmdd, time, thread id, file:line, `]`. */
const KLOG = /^([IWEF])(\d{4} \d{2}:\d{2}:\d{2}\.\d{6})\s+\d+\s+([^\s\]]+:\d+)\]\s?/;
const KLOG_LEVELS: Readonly<Record<string, LogLevel>> = { I: 'info', W: 'warn', E: 'error', F: 'fatal' };

/** logrus TextFormatter with colours: four-letter level, `[seconds since start]` or `[timestamp]`. */
const LOGRUS_TEXT = /^(TRAC|DEBU|INFO|WARN|ERRO|FATA|PANI)\[([^\]]{1,40})\]\s*/;
const LOGRUS_LEVELS: Readonly<Record<string, LogLevel>> = {
  TRAC: 'debug', DEBU: 'debug', INFO: 'info', WARN: 'warn', ERRO: 'error', FATA: 'fatal', PANI: 'panic',
};

/** A level word first (upper case, as loggers print it), or Go runtime's `panic:` / `fatal error:`. */
const LEVEL_WORD = /^(panic|fatal error|CRIT|ERROR|FATAL|WARN(?:ING)?|INFO|DEBUG|DEBU)\b:?\s*/;

/** Where a logfmt tail starts after an unquoted msg: the first ` key=` (keys as logfmt reads them). */
const TAIL = /\s(?=[A-Za-z_][\w.\-/]*=)/;

export function readTextLine(rest: string, readQuoted: (s: string, start: number) => [string, number]): TextLineHead | null {
  let m = GO_LOG.exec(rest);
  if (m !== null) {
    const level = m[2] === undefined ? null : (GO_LEVELS[m[2]] ?? null);
    return { level, time: m[1] ?? null, ...splitTail(rest.slice(m[0].length)), fields: {} };
  }
  m = KLOG.exec(rest);
  if (m !== null) {
    const body = rest.slice(m[0].length);
    const fields = { source: m[3] ?? '' };
    const time = m[2] ?? null;
    const level = KLOG_LEVELS[m[1] ?? ''] ?? null;
    if (body.startsWith('"')) {
      // Structured klog (InfoS/ErrorS): `"msg" key="value" …`.
      const [msg, next] = readQuoted(body, 1);
      return { level, time, msg, tail: body.slice(next), fields };
    }
    return { level, time, msg: body.trim(), tail: '', fields };
  }
  m = LOGRUS_TEXT.exec(rest);
  if (m !== null) {
    return { level: LOGRUS_LEVELS[m[1] ?? ''] ?? null, time: m[2] ?? null, ...splitTail(rest.slice(m[0].length)), fields: {} };
  }
  m = LEVEL_WORD.exec(rest);
  if (m !== null) {
    return { level: levelWord(m[1] ?? ''), time: null, msg: rest.slice(m[0].length).trim(), tail: '', fields: {} };
  }
  return null;
}

function levelWord(word: string): LogLevel | null {
  switch (word) {
    case 'panic': return 'panic';
    case 'fatal error': case 'CRIT': case 'FATAL': return 'fatal';
    case 'ERROR': return 'error';
    case 'WARN': case 'WARNING': return 'warn';
    case 'INFO': return 'info';
    case 'DEBUG': case 'DEBU': return 'debug';
    default: return null;
  }
}

/** `Start hook failed function="…" error="…"` → msg `Start hook failed`, tail `function="…" error="…"`. */
function splitTail(text: string): { msg: string; tail: string } {
  const at = text.search(TAIL);
  return at === -1 ? { msg: text.trim(), tail: '' } : { msg: text.slice(0, at).trim(), tail: text.slice(at + 1) };
}
