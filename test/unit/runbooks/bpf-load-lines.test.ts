// Issue #16: Cilium's verifier test wording for a program the kernel would not load is a program load failure.
import { describe, expect, it } from 'vitest';
import { analyzePastedText } from '../../../runbooks/engine/pasted/analyze-pasted.ts';

describe('"Failed to load BPF program <name>" (test/k8s/verifier.go)', () => {
  it('#18584: names the program; without a level or pod state it is a warning, not a crash', () => {
    const { report } = analyzePastedText('  Failed to load BPF program bpf_lxc with datapath configuration:\n', { ciliumVersion: '1.11.90', kernel: '5.10.0-1055-oem' });
    const f = report.findings[0];
    expect(f).toMatchObject({ runbookId: 'bpf-program-load-denied', severity: 'warning', basis: 'explicit' });
    expect(f?.summary).toContain('bpf_lxc');
  });

  it('a BPF map that failed to load is not a program', () => {
    const { report } = analyzePastedText('level=error msg="Failed to load BPF map cilium_lb4_services_v2: no such file"\n');
    expect(report.findings.map((x) => x.runbookId)).not.toContain('bpf-program-load-denied');
  });
});
