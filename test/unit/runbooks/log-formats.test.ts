// Every log shape the parser reads, on real quoted lines (each row names where it was quoted), and the contract
// log-scan.ts relies on for the plain-text shapes: msg and error are text of the line, and a level is spelled in it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LEVEL_LITERALS, looksLikeJson, normalizeLevel, parseLog, parseLogLine, type LogLine } from '../../../runbooks/engine/log-parser.ts';
import { compileLogQuery, type CompiledLogQuery, type LogQuery } from '../../../runbooks/engine/log-query.ts';
import { levelPrefilterSound, LogText } from '../../../runbooks/engine/log-text.ts';
import { logQuery, RUNBOOK_PATTERNS } from './log-arbitraries.ts';

type Expected = Partial<Pick<LogLine, 'level' | 'msg' | 'error' | 'subsys' | 'time' | 'format'>> & { fields?: Record<string, string> };

const REAL_LINES: ReadonlyArray<[shape: string, source: string, line: string, expected: Expected]> = [
  ['logfmt behind kubectl --timestamps', 'https://github.com/cilium/cilium/issues/28823',
    '2023-10-26T17:30:48.085853480Z level=error msg="Unable to contact k8s api-server" error="Get \\"https://10.96.0.1:443/api/v1/namespaces/kube-system\\": dial tcp 10.96.0.1:443: i/o timeout"',
    { level: 'error', msg: 'Unable to contact k8s api-server', error: 'Get "https://10.96.0.1:443/api/v1/namespaces/kube-system": dial tcp 10.96.0.1:443: i/o timeout', time: '2023-10-26T17:30:48.085853480Z', format: 'logfmt' }],
  ['logfmt, unquoted time (1.16 pre-release)', 'https://github.com/cilium/cilium/issues/32909',
    'time=2024-06-05T10:26:51Z level=error msg="Invoke failed" error="reconciler.Config[github.com/cilium/cilium/pkg/maps/bwmap.Edt].Table cannot be nil" function="bwmap.registerReconciler (.../maps/bwmap/cell.go:41)"',
    { level: 'error', msg: 'Invoke failed', time: '2024-06-05T10:26:51Z', fields: { function: 'bwmap.registerReconciler (.../maps/bwmap/cell.go:41)' } }],
  ['logfmt wins over a log exporter\'s leading severity', 'https://github.com/cilium/cilium/pull/34620',
    'ERROR 2024-08-30T08:12:43.551554643Z [resource.labels.containerName: cilium-agent] time="2024-08-30T08:12:43Z" level=info msg="Memory available for map entries (0.003% of 16778747904B): 41946869B" subsys=config',
    { level: 'info', msg: 'Memory available for map entries (0.003% of 16778747904B): 41946869B', subsys: 'config', time: '2024-08-30T08:12:43Z' }],
  ['zap-style logfmt with ts=', 'https://github.com/microsoft/retina/issues/598',
    'ts=2024-08-13T05:21:34.841Z level=error caller=logrus-zap-hook@v0.1.0/zap.go:51 msg="pkg/mod/k8s.io/client-go@v0.30.1/tools/cache/reflector.go:232: Failed to watch *v2.CiliumNode: failed to list *v2.CiliumNode: the server could not find the requested resource (get ciliumnodes.cilium.io)" subsys=klog',
    { level: 'error', subsys: 'klog', time: '2024-08-13T05:21:34.841Z' }],
  ['logrus JSON (log-format: json)', 'https://github.com/cilium/cilium/issues/26942',
    '{"address":":4244","level":"info","msg":"Starting Hubble server","subsys":"hubble"}',
    { level: 'info', msg: 'Starting Hubble server', subsys: 'hubble', format: 'json', fields: { address: ':4244' } }],
  ['slog JSON with module= and 1.18\'s ipAddr=', 'https://github.com/cilium/cilium/pull/44961',
    '{"time":"2026-03-23T12:45:08.494749132Z","level":"info","msg":"Establishing connection to apiserver","subsys":"cilium-dbg","module":"k8s-client","ipAddr":"https://REDACTED"}',
    { level: 'info', msg: 'Establishing connection to apiserver', subsys: 'cilium-dbg', time: '2026-03-23T12:45:08.494749132Z', format: 'json', fields: { host: 'https://REDACTED', ipAddr: 'https://REDACTED', module: 'k8s-client' } }],
  ['slog JSON, nested object values', 'https://github.com/cilium/cilium/pull/44961',
    '{"time":"2026-03-23T12:45:08.51074202Z","level":"info","msg":"Reading configuration from source","subsys":"cilium-dbg","module":"build-config","configSource":{"kind":"config-map","namespace":"cilium-ns","name":"cilium-config"}}',
    { level: 'info', msg: 'Reading configuration from source', fields: { configSource: '{"kind":"config-map","namespace":"cilium-ns","name":"cilium-config"}' } }],
  ['klog before client-go is redirected', 'https://github.com/openshift/compliance-operator/issues/41',
    'E1203 15:54:15.165775       1 reflector.go:283] pkg/mod/k8s.io/client-go@v0.0.0-20190918200256-06eb1244587a/tools/cache/reflector.go:98: Failed to watch *v1.Node: unknown (get nodes)',
    { level: 'error', msg: 'pkg/mod/k8s.io/client-go@v0.0.0-20190918200256-06eb1244587a/tools/cache/reflector.go:98: Failed to watch *v1.Node: unknown (get nodes)', time: '1203 15:54:15.165775', format: 'text', fields: { source: 'reflector.go:283' } }],
  ['2017 text format: time, level word', 'https://github.com/cilium/cilium/issues/742',
    '2017-05-17T07:32:18Z INFO Cilium 0.8.90 37776f0 Tue, 16 May 2017 23:44:30 +0200 go version go1.8.1 linux/amd64',
    { level: 'info', msg: 'Cilium 0.8.90 37776f0 Tue, 16 May 2017 23:44:30 +0200 go version go1.8.1 linux/amd64', time: '2017-05-17T07:32:18Z' }],
  ['2017 text format: DEBU', 'https://github.com/cilium/cilium/issues/742',
    '2017-05-17T07:32:19Z DEBU Creating 1 worker threads', { level: 'debug', msg: 'Creating 1 worker threads' }],
  ['2017 text format: WARN', 'https://github.com/cilium/cilium/issues/742',
    '2017-05-17T07:32:19Z WARN Command execution /var/lib/cilium/bpf/init.sh /var/lib/cilium/bpf /var/run/cilium/state f00d::ac11:2aa0:0:0 10.160.0.1 vxlan failed: exit status 127',
    { level: 'warn', error: null }],
  ['CRIT before 1.0', 'https://github.com/cilium/cilium/issues/603',
    'CRIT kernel version: NOT OK: minimal supported kernel version is >= 4.8', { level: 'fatal', msg: 'kernel version: NOT OK: minimal supported kernel version is >= 4.8' }],
  // The hive's Go `log` lines on stderr (1.16/1.17 `config` init container), quoted in a public write-up found by
  // text search whose address was not recorded; the CRI-prefixed one is from a containerd log file in another.
  ['Go log (slog default handler)', 'public write-up (address unknown)',
    '2026/01/15 07:03:54 ERROR Start hook failed function="client.(*compositeClientset).onStart (k8s-client)" error="Get \\"https://10.95.0.1:443/api/v1/namespaces/kube-system\\": dial tcp 10.95.0.1:443: i/o timeout"',
    { level: 'error', msg: 'Start hook failed', error: 'Get "https://10.95.0.1:443/api/v1/namespaces/kube-system": dial tcp 10.95.0.1:443: i/o timeout', time: '2026/01/15 07:03:54', format: 'text', fields: { function: 'client.(*compositeClientset).onStart (k8s-client)' } }],
  ['Go log, no fields', 'public write-up (address unknown)', '2026/01/15 07:02:49 INFO Starting hive', { level: 'info', msg: 'Starting hive' }],
  ['Go log in a CRI log file', 'public write-up (address unknown)',
    '2024-11-30T01:50:55.364976241Z stderr F 2024/11/30 01:50:55 ERROR Start failed error="Get \\"https://[2403:580a:e4b1:fffd::1]:443/api/v1/namespaces/kube-system\\": dial tcp [2403:580a:e4b1:fffd::1]:443: i/o timeout" duration=1m5.014039638s',
    { level: 'error', msg: 'Start failed', time: '2024/11/30 01:50:55', fields: { duration: '1m5.014039638s' } }],
  ['klog in a CRI log file', 'public write-up (address unknown)',
    '2024-11-30T01:49:50.350489082Z stderr F E1130 01:49:50.349606       1 config.go:529] Expected to load root CA config from /var/run/secrets/kubernetes.io/serviceaccount/ca.crt, but got err: error creating pool from /var/run/secrets/kubernetes.io/serviceaccount/ca.crt: data does not contain any valid RSA or ECDSA certificates',
    { level: 'error', time: '1130 01:49:50.349606', fields: { source: 'config.go:529' } }],
  ['logfmt in a CRI log file', 'public write-up (address unknown)',
    '2024-11-30T01:49:50.350765231Z stderr F time="2024-11-30T01:49:50Z" level=info msg="Establishing connection to apiserver" host="https://[2403:580a:e4b1:fffd::1]:443" subsys=k8s-client',
    { level: 'info', msg: 'Establishing connection to apiserver', time: '2024-11-30T01:49:50Z', fields: { host: 'https://[2403:580a:e4b1:fffd::1]:443' } }],
];

describe('parseLogLine on real lines of every shape', () => {
  it.each(REAL_LINES)('%s (%s)', (_shape, _source, line, expected) => {
    const parsed = parseLogLine(line, 1);
    const { fields, ...rest } = expected;
    expect(parsed).toMatchObject(rest);
    if (fields !== undefined) expect(parsed.fields).toMatchObject(fields);
  });
});

describe('plain-text shapes without a public quote', () => {
  // logrus' TextFormatter on a terminal (four-letter level, seconds since start, msg padded before the fields).
  it('reads logrus terminal lines, levels TRAC…PANI', () => {
    expect(parseLogLine('FATA[0000] Error while creating daemon                  error="invalid daemon configuration" subsys=daemon', 1))
      .toMatchObject({ level: 'fatal', msg: 'Error while creating daemon', error: 'invalid daemon configuration', subsys: 'daemon', time: '0000' });
    const levels = ['TRAC', 'DEBU', 'INFO', 'WARN', 'ERRO', 'FATA', 'PANI'].map((w) => parseLogLine(`${w}[0001] x`, 1).level);
    expect(levels).toEqual(['debug', 'debug', 'info', 'warn', 'error', 'fatal', 'panic']);
  });

  it('reads structured klog (quoted msg, then fields) and every klog severity', () => {
    expect(parseLogLine('I1025 00:15:15.525108       1 controller.go:123] "Pod status updated" pod="kube-system/cilium-x" status="ready"', 1))
      .toMatchObject({ level: 'info', msg: 'Pod status updated', fields: { pod: 'kube-system/cilium-x', status: 'ready', source: 'controller.go:123' } });
    expect(['I', 'W', 'E', 'F'].map((s) => parseLogLine(`${s}0102 03:04:05.000006 7 a.go:1] m`, 1).level)).toEqual(['info', 'warn', 'error', 'fatal']);
  });

  it('keeps a line it cannot read as text with level unknown', () => {
    expect(parseLogLine('something odd happened: ', 1)).toMatchObject({ level: null, msg: 'something odd happened:', format: 'text' });
    expect(parseLogLine('2025/11/18 11:59:40 [script.sh] [INFO] Installing csi....', 1))
      .toMatchObject({ level: null, msg: '[script.sh] [INFO] Installing csi....', time: '2025/11/18 11:59:40' });
  });

  it('does not read a Go-log, klog or level-word head out of a JSON or logfmt line', () => {
    expect(parseLogLine('{"msg":"INFO x"}', 1)).toMatchObject({ level: null, msg: 'INFO x', format: 'json' });
    expect(parseLogLine('level=bogus msg="E1203 15:54:15.165775 1 a.go:1] x"', 1).level).toBeNull();
  });
});

/** What log-scan.ts compares a literal with: the line lower-cased, backslashes skipped, past any JSON. */
function scannable(raw: string): string {
  return raw.toLowerCase().replace(/\\/g, '');
}

const word = fc.constantFrom('Start', 'hook', 'failed', 'the', 'map', 'is', 'full', 'BPF', 'program', 'too', 'large', 'x=1', '"q"', 'a\\"b', 'E1203', '[0000]', ':', '=', '{');
const freeText = fc.array(word, { maxLength: 6 }).map((ws) => ws.join(' '));
const quoted = freeText.map((s) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`);

/** Lines of the plain-text shapes, with and without kubectl/CRI prefixes and logfmt tails. */
const textShapeLine = fc.tuple(
  fc.constantFrom('go', 'go-bare', 'klog', 'klog-structured', 'logrus', 'word', 'free'),
  fc.constantFrom('DEBUG', 'INFO', 'WARN', 'ERROR', 'ERROR+2'), fc.constantFrom('I', 'W', 'E', 'F'),
  fc.constantFrom('TRAC', 'DEBU', 'INFO', 'WARN', 'ERRO', 'FATA', 'PANI'), fc.constantFrom('panic:', 'fatal error:', 'CRIT', 'FATAL', 'WARNING', 'DEBU'),
  freeText, fc.option(quoted, { nil: undefined }), fc.constantFrom('', '2024-11-30T01:50:55.364976241Z ', '2024-11-30T01:50:55Z stderr F '),
).map(([shape, go, k, lr, w, msg, err, prefix]) => {
  const tail = err === undefined ? '' : ` error=${err} subsys=daemon`;
  switch (shape) {
    case 'go': return `${prefix}2024/11/30 01:50:55 ${go} ${msg}${tail}`;
    case 'go-bare': return `${prefix}2024/11/30 01:50:55 ${msg}`;
    case 'klog': return `${prefix}${k}1130 01:49:50.349606       1 config.go:529] ${msg}`;
    case 'klog-structured': return `${prefix}${k}0102 01:49:50.349606 12 a.go:9] ${err ?? '""'}${tail}`;
    case 'logrus': return `${prefix}${lr}[0000] ${msg}${tail}`;
    case 'word': return `${prefix}${w} ${msg}`;
    default: return `${prefix}${msg}${tail}`;
  }
});

/** Runs of characters a literal may hold (log-literals.ts: printable ASCII but space and backslash). */
function literalRuns(s: string | null): string[] {
  return (s ?? '').split(/[^\x21-\x5b\x5d-\x7e]+/).filter((r) => r !== '');
}

describe('what the scanner relies on, for the plain-text shapes', () => {
  it('msg and error hold only text of the line; a level is spelled in the line (LEVEL_LITERALS)', () => {
    fc.assert(fc.property(textShapeLine, (raw) => {
      if (looksLikeJson(raw)) return; // always parsed by the scanner: no literal is asked of a JSON line
      const l = parseLogLine(raw, 1);
      const line = scannable(raw);
      for (const run of [...literalRuns(l.msg), ...literalRuns(l.error)]) expect(line).toContain(run.toLowerCase());
      if (l.level !== null) expect(LEVEL_LITERALS[l.level].some((s) => line.includes(s))).toBe(true);
    }), { numRuns: 2000 });
  });

  it('LogText finds exactly what parsing every line finds, for queries with text', () => {
    const log = fc.array(textShapeLine, { maxLength: 20 }).map((ls) => ls.join('\n'));
    const withText = fc.tuple(logQuery, fc.subarray([...RUNBOOK_PATTERNS, /Start hook failed/i, /Failed to watch/i], { minLength: 1, maxLength: 8 }))
      .map(([q, text]): LogQuery => ({ ...q, text: q.text ?? text }));
    fc.assert(fc.property(log, withText, (text, query) => {
      const want = [...parseLog(text)].filter(compileLogQuery(query).test);
      expect(new LogText(text).find(query, Infinity)).toEqual(want);
    }), { numRuns: 600 });
  });

  it('LogText finds exactly what parsing every line finds, for level-only queries too', () => {
    const log = fc.array(textShapeLine, { maxLength: 20 }).map((ls) => ls.join('\n'));
    fc.assert(fc.property(log, logQuery, (text, query) => {
      const want = [...parseLog(text)].filter(compileLogQuery(query).test);
      expect(new LogText(text).find(query, Infinity)).toEqual(want);
    }), { numRuns: 600 });
  });
});

describe('LEVEL_LITERALS', () => {
  it('covers every level value normalizeLevel accepts in a level= / "level": field', () => {
    for (const word of ['debug', 'trace', 'info', 'warn', 'warning', 'error', 'err', 'fatal', 'crit', 'critical', 'panic', 'dpanic', 'ERROR', 'Warning']) {
      const level = normalizeLevel(word);
      expect(level).not.toBeNull();
      if (level !== null) expect(LEVEL_LITERALS[level].some((s) => word.toLowerCase().includes(s))).toBe(true);
    }
  });
});

describe('JSON behind a CRI log-file prefix', () => {
  it('is decoded, and found by LogText through \\u escapes', () => {
    const line = '2024-11-30T01:50:55.364976241Z stdout F {"level":"error","msg":"the m\\u0061p is full","subsys":"map-ct"}';
    expect(parseLogLine(line, 1)).toMatchObject({ format: 'json', level: 'error', msg: 'the map is full', subsys: 'map-ct' });
    const text = `level=info msg=routine\n${line}\n`;
    expect(new LogText(text).find({ text: [/the map is full/i] }, 5).map((l) => l.lineNumber)).toEqual([2]);
  });
});

describe('levelPrefilterSound', () => {
  const compiled = (query: LogQuery, required: string[][] | null): CompiledLogQuery => ({ query, required, test: () => true });
  it('holds when each spelling of the levels holds one alternative\'s literals', () => {
    expect(levelPrefilterSound(compiled({ level: ['error'] }, [['err'], ['e0'], ['e1']]))).toBe(true);
    expect(levelPrefilterSound(compiled({ level: ['error'] }, [['e']]))).toBe(true);
    expect(levelPrefilterSound(compiled({ level: ['error'] }, null))).toBe(true);
  });
  it('fails when a spelling would be filtered out (klog `E1203`, logrus `FATA`)', () => {
    expect(levelPrefilterSound(compiled({ level: ['error'] }, [['err']]))).toBe(false);
    expect(levelPrefilterSound(compiled({ level: ['fatal'] }, [['fatal'], ['crit'], ['f0'], ['f1']]))).toBe(false);
  });
  it('is not asked of queries with text (their literals come from msg and error)', () => {
    expect(levelPrefilterSound(compiled({ text: [/x/], level: ['error'] }, [['zzz']]))).toBe(true);
  });
});
