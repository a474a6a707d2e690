// A Slack SDK logger for tests that provoke errors on purpose (bad blocks, dropped sockets, late acks): the lines go
// into `lines` instead of the test output, so `npm test` prints only what is unexpected. A test may assert on them.
import { LogLevel, type Logger } from '@slack/web-api';

export interface CapturedLogger extends Logger {
  readonly lines: { level: LogLevel; text: string }[];
}

export function capturedLogger(): CapturedLogger {
  let level = LogLevel.ERROR;
  let name = '';
  const lines: { level: LogLevel; text: string }[] = [];
  const record = (at: LogLevel) => (...msg: unknown[]) => {
    lines.push({ level: at, text: `${name} ${msg.map((m) => (m instanceof Error ? m.message : String(m))).join(' ')}`.trim() });
  };
  return {
    lines,
    debug: record(LogLevel.DEBUG),
    info: record(LogLevel.INFO),
    warn: record(LogLevel.WARN),
    error: record(LogLevel.ERROR),
    setLevel: (l) => {
      level = l;
    },
    getLevel: () => level,
    setName: (n) => {
      name = n;
    },
  };
}
