// Issue #16 (tune misses): general rules, each on a real line quoted from the cited thread. A known-bug guess (version
// arithmetic alone, or a signature seen while the version is not known) yields to the specific runbook that explains
// the same line; the rest of this file grows with one describe per rule.
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../runbooks/engine/contract.ts';
import { analyzePastedText } from '../../../runbooks/engine/pasted/analyze-pasted.ts';
import { isTentativeAdvisory, orderFindings } from '../../../runbooks/engine/precedence.ts';
import { finding } from '../bot/report-fixture.ts';

const ids = (fs: readonly Finding[]) => fs.map((f) => f.runbookId);

describe('a tentative known-bug advisory yields to the specific runbook of the same severity', () => {
  it('#24808: the verifier\'s "BPF program is too large" is bpf-program-load-denied, not a known bug guessed without a version', () => {
    const { report } = analyzePastedText(
      '    verifier_test.go:181: Verifier error: program tail_handle_ipv4_cont: load program: argument list too long: BPF program is too large. Processed 131073 insn (160063 line(s) omitted)\n',
      { kernel: '4.19.279' });
    expect(report.findings[0]).toMatchObject({ runbookId: 'bpf-program-load-denied', basis: 'explicit' });
    // The advisory is still reported, below it.
    expect(ids(report.findings)).toContain('version-advisory');
  });

  it('#18639: a version-only advisory does not head a report whose bandwidth manager the kernel switched off', () => {
    const { report } = analyzePastedText('BPF bandwidth manager needs kernel 5.1 or newer. Disabling the feature.\n', {
      ciliumVersion: '1.11.0', kernel: '4.19.0-arm64-server', config: { 'enable-bandwidth-manager': 'true' },
    });
    // The line is recognised as the agent's (segment.ts), so the finding quotes it.
    expect(report.findings[0]).toMatchObject({ runbookId: 'bandwidth-manager-unsupported', basis: 'explicit' });
  });

  it('an advisory known on a read or stated version keeps its rank; severity still comes first', () => {
    const sure = finding('version-advisory', { severity: 'warning', basis: 'explicit', confidence: 'high' });
    const guess = { ...sure, confidence: 'medium' as const };
    const specific = finding('bpf-program-load-denied', { severity: 'warning', basis: 'explicit', confidence: 'certain' });
    const infoSpecific = { ...specific, severity: 'info' as const };
    expect(isTentativeAdvisory(sure)).toBe(false);
    expect(isTentativeAdvisory(guess)).toBe(true);
    expect(ids(orderFindings([{ finding: specific, rank: 30 }, { finding: sure, rank: 14 }]))).toEqual(['version-advisory', 'bpf-program-load-denied']);
    expect(ids(orderFindings([{ finding: guess, rank: 14 }, { finding: specific, rank: 30 }]))).toEqual(['bpf-program-load-denied', 'version-advisory']);
    expect(ids(orderFindings([{ finding: infoSpecific, rank: 30 }, { finding: guess, rank: 14 }]))).toEqual(['version-advisory', 'bpf-program-load-denied']);
  });
});
