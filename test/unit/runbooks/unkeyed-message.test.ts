// Issue #16: a line quoted without its time/level/msg keys (`Start hook failed  function="…"`) keeps its words as the
// message, so the offline crash-loop fallback still sees the agent's startup failure and the wrapped error below it.
import { describe, expect, it } from 'vitest';
import { parseLogLine } from '../../../runbooks/engine/log-parser.ts';
import { analyzePastedText } from '../../../runbooks/engine/pasted/analyze-pasted.ts';

// deckhouse/deckhouse#22619, verbatim (two lines as the PR quoted them).
const DECKHOUSE_22619 = [
  'Start hook failed  function="datapath.initDatapath.func1 (pkg/datapath/cells.go:188)"',
  '  error="requirements failed: Require support for dead code elimination (Linux 5.1 or newer)"',
].join('\n');

describe('a message quoted without its msg key', () => {
  it('the words before the first key=value are the message; the fields are kept', () => {
    const l = parseLogLine(DECKHOUSE_22619.split('\n')[0] ?? '', 1);
    expect(l).toMatchObject({ msg: 'Start hook failed', level: null, format: 'logfmt' });
    expect(l.fields['function']).toBe('datapath.initDatapath.func1 (pkg/datapath/cells.go:188)');
  });

  it('a line that starts with key=value keeps no message', () => {
    expect(parseLogLine('  error="requirements failed: x"', 1)).toMatchObject({ msg: null, error: 'requirements failed: x' });
    expect(parseLogLine('level=info subsys=daemon', 1).msg).toBeNull();
  });

  it('deckhouse#22619: the fallback quotes "Start hook failed" with the wrapped error; the version-only advisory stays below', () => {
    const { report } = analyzePastedText(`${DECKHOUSE_22619}\n`, { ciliumVersion: '1.17.17' });
    const first = report.findings[0];
    expect(first).toMatchObject({ runbookId: 'agent-crashloop', severity: 'warning', basis: 'explicit' });
    expect(first?.summary).toContain('Start hook failed (requirements failed: Require support for dead code elimination');
    expect(first?.evidence.filter((q) => q.kind === 'log')).toHaveLength(2);
  });
});
