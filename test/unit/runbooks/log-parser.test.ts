import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { findLogLines, iterateLines, lastLogLines, parseLog, parseLogLine, parseLogfmt } from '../../../runbooks/engine/log-parser.ts';
import { LINES } from './fixtures.ts';

describe('parseLogLine', () => {
  it('reads logrus logfmt (≤1.17) with subsys', () => {
    const l = parseLogLine(LINES.mapEperm, 3);
    expect(l).toMatchObject({
      lineNumber: 3, level: 'error', format: 'logfmt', subsys: 'daemon', msg: 'Error while opening/creating BPF maps',
      error: 'Unable to create map /sys/fs/bpf/tc/globals/cilium_lxc: operation not permitted',
    });
  });

  it('reads slog (≥1.18) with time, module and a quoted function field', () => {
    const l = parseLogLine(LINES.slogDnsWarn, 1);
    expect(l).toMatchObject({ level: 'warn', subsys: 'agent.controlplane.fqdn.dns-proxy', time: '2025-10-01T08:00:00.1Z' });
    expect(l.error).toBe('read udp 10.0.1.5:41234->10.96.0.10:53: i/o timeout');
    const hook = parseLogLine(LINES.slogDce, 1);
    expect(hook.fields['function']).toBe('datapath.initDatapath.func1 (pkg/datapath/cells.go:181) (agent.datapath)');
    expect(hook.error).toContain('Require support for dead code elimination (Linux 5.1 or newer)');
  });

  it('normalises warning → warn and unescapes quotes (#30437)', () => {
    const l = parseLogLine(LINES.kprDeprecated, 1);
    expect(l.level).toBe('warn');
    expect(l.msg).toBe('Deprecated value for --kube-proxy-replacement: strict (use either "true", or "false")');
  });

  it('skips a kubectl --timestamps prefix', () => {
    const l = parseLogLine(`2024-11-12T14:35:15.123456789Z ${LINES.apiserverInfo}`, 1);
    expect(l).toMatchObject({ level: 'info', subsys: 'k8s-client', time: '2024-11-12T14:35:15.123456789Z' });
  });

  it('reads JSON log format and plain panic / CRIT lines', () => {
    expect(parseLogLine('{"level":"fatal","msg":"Error while creating daemon","subsys":"daemon","error":"boom"}', 1))
      .toMatchObject({ format: 'json', level: 'fatal', msg: 'Error while creating daemon', error: 'boom' });
    expect(parseLogLine(LINES.panic, 1)).toMatchObject({ level: 'panic', msg: 'Start or stop failed to finish on time, aborting forcefully.' });
    expect(parseLogLine('CRIT kernel version: NOT OK: minimal supported kernel version is >= 4.8', 1).level).toBe('fatal');
  });

  it('keeps an unterminated quote to the end of the line', () => {
    expect(parseLogfmt('level=error msg="cut off here')).toEqual({ level: 'error', msg: 'cut off here' });
  });

  it('tolerates garbage and verifier dumps', () => {
    expect(parseLogLine('\u0000\u0001 ===', 1).level).toBeNull();
    expect(parseLogLine('regs=4 stack=0 before 12: (bf) r1 = r6', 1).fields['regs']).toBe('4');
  });
});

describe('streaming helpers', () => {
  const text = [LINES.apiserverInfo, LINES.mapEperm, '', LINES.daemonFatal, LINES.panic].join('\r\n');
  it('numbers lines from 1, CRLF-safe', () => {
    const lines = [...iterateLines(text)];
    expect(lines.map((l) => l.lineNumber)).toEqual([1, 2, 3, 4, 5]);
    expect(lines[1]?.raw.endsWith('\r')).toBe(false);
  });
  it('finds the first and last matches', () => {
    expect(findLogLines(text, (l) => l.level === 'error' || l.level === 'fatal').map((l) => l.lineNumber)).toEqual([2, 4]);
    expect(lastLogLines(text, (l) => l.level !== null, 2).map((l) => l.lineNumber)).toEqual([4, 5]);
  });
});

describe('properties', () => {
  it('never throws and yields one line per newline-separated line', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (s) => {
      const lines = [...parseLog(s)];
      const expected = s === '' ? 0 : s.split('\n').length - (s.endsWith('\n') ? 1 : 0);
      expect(lines.length).toBe(expected);
    }));
  });

  it('round-trips logfmt key/values, quoted with escapes', () => {
    const key = fc.stringMatching(/^[a-z][a-z0-9_.-]{0,10}$/);
    fc.assert(fc.property(fc.dictionary(key, fc.string({ maxLength: 30 })), (fields) => {
      const line = Object.entries(fields)
        .map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t')}"`)
        .join(' ');
      expect(parseLogfmt(line)).toEqual(fields);
    }));
  });
});
