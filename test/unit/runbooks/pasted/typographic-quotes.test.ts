// Issue #16: agent lines pasted with typographic quotes still read as logfmt (the agent never prints “ or ”).
import { describe, expect, it } from 'vitest';
import { straightenLogfmtQuotes } from '../../../../runbooks/engine/pasted/typographic-quotes.ts';
import { analyzePastedText } from '../../../../runbooks/engine/pasted/analyze-pasted.ts';
import { parseLogLine } from '../../../../runbooks/engine/log-parser.ts';

// cilium/cilium#21237, as the reporter pasted it (both quotes of the second value are closing quotes).
const HOST_ROUTING = 'level=info msg=“BPF host routing requires kernel 5.10 or newer. Falling back to legacy host routing (enable-host-legacy-routing=true).” subsys=daemon';
const MASQ = 'level=warning msg=” Falling back to iptables-based masquerading.” subsys=daemon';

describe('straightenLogfmtQuotes', () => {
  it('gives msg its whole text back', () => {
    expect(parseLogLine(HOST_ROUTING, 1).msg).toBe('“BPF');
    expect(parseLogLine(straightenLogfmtQuotes(HOST_ROUTING), 1).msg).toBe('BPF host routing requires kernel 5.10 or newer. Falling back to legacy host routing (enable-host-legacy-routing=true).');
    expect(parseLogLine(straightenLogfmtQuotes(MASQ), 1).msg).toBe(' Falling back to iptables-based masquerading.');
  });

  it('leaves lines whose values do not open with a typographic quote as pasted', () => {
    const prose = 'The agent said “kernel too old” and stopped';
    expect(straightenLogfmtQuotes(prose)).toBe(prose);
    expect(straightenLogfmtQuotes('level=info msg="ok" subsys=daemon')).toBe('level=info msg="ok" subsys=daemon');
  });

  it('a map creation failure pasted with typographic quotes is read as one (map name and errno)', () => {
    // The same error shape as cilium/cilium#9402 (EPERM), typographic quotes added as a chat client would.
    const line = 'level=error msg=“Error while opening/creating BPF maps” error=“Unable to create map /sys/fs/bpf/tc/globals/cilium_lxc: operation not permitted” subsys=daemon\n';
    const f = analyzePastedText(line).report.findings[0];
    expect(f?.runbookId).toBe('bpf-map-create-failed');
    expect(f?.summary).toContain('cilium_lxc');
  });
});
