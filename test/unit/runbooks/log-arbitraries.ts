// Generated agent logs for the matcher's equivalence properties: every line shape log-parser.ts reads (logfmt,
// slog, `--timestamps` prefixes, JSON, plain text), built from the phrases the runbooks look for, cut across msg and
// error, with case changes, backslash escapes, JSON \u escapes, non-ASCII letters, CRLF and junk.
import fc from 'fast-check';
import { runbookLogPatterns } from '../../../bench/log-match/patterns.ts';
import type { LogLevel } from '../../../runbooks/engine/log-parser.ts';
import type { LogQuery } from '../../../runbooks/engine/log-query.ts';

/** Every pattern the runbooks match agent log lines with (read from their source, as the benchmark does). */
export const RUNBOOK_PATTERNS: readonly RegExp[] = runbookLogPatterns().map((p) => new RegExp(p.source, p.flags));

const PHRASES = [
  'Unable to contact k8s api-server', 'Unable to contact k8s apiserver', 'Unable to initialize Kubernetes subsystem',
  'x509: certificate is valid for 10.0.0.1', 'dial tcp 10.96.0.1:443: i/o timeout', 'dial tcp 10.0.0.1:6443: connect: connection refused',
  'Still waiting for Cilium Operator to register the following CRDs', 'Establishing connection to apiserver',
  'BPF bandwidth manager needs kernel 5.1 or newer', 'cannot enable --enable-bbr, needs kernel 5.18 or newer',
  'Error while opening/creating BPF maps', 'Unable to create map /sys/fs/bpf/tc/globals/cilium_lxc', 'operation not permitted',
  'creating map: map create: cannot allocate memory (MEMLOCK may be too low', 'failed to set memlock rlimit',
  'BPF program is too large. Processed 131073 insn', 'load program: argument list too long', 'load program: permission denied',
  'Failed to load prog with tc', 'Error while reloading endpoint BPF program', 'loading eBPF collection into the kernel',
  'the server could not find the requested resource (get ciliumnodes.cilium.io)', 'L7 policy is not supported since L7 proxy is not enabled',
  'Timeout waiting for response to forwarded proxied DNS lookup', 'range is full', 'all CIDR ranges are exhausted',
  'required IPv4 pod CIDR not present in node resource', 'failed to probe helper', 'Policy routing:NOT OK, CONFIG_IP_MULTIPLE_TABLES',
  'RTNETLINK answers: Operation not supported', 'Require support for large programs (Linux 5.2.0 or newer)',
  'minimal supported kernel version is >= 4.8.0', 'the map is full', 'Failed to add PolicyMap key: argument list too long',
  'Garbage collection on ipv4 TCP CT map failed to finish', 'wireguard not supported by the Linux kernel',
  'initialize wireguard agent: address already in use', 'Wireguard (--enable-wireguard) is not compatible with L7 proxy',
  "perf ring buffer: can't mmap: operation not permitted", 'Conntrack garbage collection statistics', 'Rewrote endpoint BPF program',
  'Unable to find identity of peer IP', 'Create endpoint request', 'Allocated identity', 'bpfLoadProg=13ms', 'numLookupsFailed=0',
];
const WORDS = ['the', 'map', 'is', 'full', 'kernel', 'needs', 'newer', 'or', 'BPF', 'program', 'failed', 'to', 'load', 'µs', 'İnfo', 'K', 'ſ', '{', '"', '\t', '='];

/** A phrase, maybe cut short, maybe with letters in the other case, maybe with a non-ASCII look-alike. */
const phrase = fc.tuple(fc.constantFrom(...PHRASES, ...WORDS), fc.nat(), fc.constantFrom('keep', 'upper', 'lower', 'flip', 'cut', 'kelvin')).map(([p, n, how]) => {
  switch (how) {
    case 'upper': return p.toUpperCase();
    case 'lower': return p.toLowerCase();
    case 'flip': return [...p].map((c, i) => ((i + n) % 3 === 0 ? c.toUpperCase() : c)).join('');
    case 'cut': return p.slice(0, n % (p.length + 1));
    case 'kelvin': return p.replace(/k/i, '\u212a');
    default: return p;
  }
});

/** Free text: phrases and words, or anything at all. */
const text = fc.oneof(
  { weight: 5, arbitrary: fc.array(phrase, { maxLength: 4 }).map((xs) => xs.join(' ')) },
  { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
);

const levelWord = fc.constantFrom('info', 'warning', 'warn', 'error', 'ERR', 'fatal', 'crit', 'panic', 'debug', 'Error', '', 'bogus');

/** Escapes a value for a quoted logfmt field; `extra` also escapes some ordinary letters (`Un\able` reads "Unable"). */
function quote(v: string, extra: number): string {
  const escaped = v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
  return `"${extra === 0 ? escaped : escaped.replace(/[a-z]/gi, (c, i: number) => (i % extra === 0 ? `\\${c}` : c))}"`;
}

/** JSON with some letters written as \u escapes. */
function json(v: unknown, unicode: boolean): string {
  const s = JSON.stringify(v);
  return unicode ? s.replace(/[aeiou]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`) : s;
}

const TS = '2026-03-23T22:11:06.657919407Z';

export const logLine: fc.Arbitrary<string> = fc.tuple(
  fc.constantFrom('logfmt', 'logfmt-time', 'slog', 'slog-bare', 'json', 'json-odd', 'plain', 'junk'),
  levelWord, text, fc.option(text, { nil: undefined }), fc.constantFrom(0, 0, 2, 5), fc.boolean(), fc.constantFrom('', '', '', `${TS} `, ' ', '\t', '\u00a0'), fc.constantFrom('', '', '\r'),
).map(([shape, level, msg, error, extra, flag, prefix, cr]) => {
  const err = error === undefined ? '' : ` error=${quote(error, extra)}`;
  const body = (() => {
    switch (shape) {
      case 'logfmt': return `level=${level} msg=${quote(msg, extra)}${err} subsys=daemon`;
      case 'logfmt-time': return `time="${TS}" level=${level} msg=${quote(msg, extra)}${err} subsys=daemon`;
      case 'slog': return `time=${TS} level=${level} msg=${quote(msg, extra)} module=agent.datapath${err}`;
      case 'slog-bare': return `level=${level} msg=${msg.replace(/\s+/g, '')}${err}`;
      case 'json': return `{"level":${json(level, flag)},"msg":${json(msg, flag)}${error === undefined ? '' : `,"error":${json(error, !flag)}`}}`;
      case 'json-odd': return flag ? `{"level":"error","msg":4.43e2,"error":{"x": ${json(msg, false)}}}` : `{ "msg" : ${json(msg, true)} }`;
      case 'plain': return flag ? `${level === '' ? 'panic' : level.toUpperCase()}: ${msg}` : msg;
      default: return msg + (error ?? '');
    }
  })();
  return prefix + body.replace(/\n/g, ' ') + cr;
});

/** A log: lines joined by newlines, with or without a last newline. */
export const logText: fc.Arbitrary<string> = fc.tuple(fc.array(logLine, { maxLength: 25 }), fc.boolean())
  .map(([lines, trailing]) => lines.join('\n') + (trailing && lines.length > 0 ? '\n' : ''));

const LEVELS: LogLevel[] = ['debug', 'info', 'warn', 'error', 'fatal', 'panic'];

/** A query as runbooks write them: some of their patterns, maybe a level, maybe a further condition. */
export const logQuery: fc.Arbitrary<LogQuery> = fc.tuple(
  fc.option(fc.subarray([...RUNBOOK_PATTERNS], { minLength: 1, maxLength: 12 }), { nil: undefined, freq: 6 }),
  fc.option(fc.subarray(LEVELS, { minLength: 1 }), { nil: undefined }),
  fc.constantFrom(undefined, 'even', 'not-debug'),
).map(([text, level, where]) => ({
  ...(text === undefined ? {} : { text }),
  ...(level === undefined ? {} : { level }),
  ...(where === undefined ? {} : { where: where === 'even' ? (l) => (l.msg ?? '').length % 2 === 0 : (l) => l.level !== 'debug' }),
}) satisfies LogQuery);
