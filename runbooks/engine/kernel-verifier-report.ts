// The verifier's refusal of a program as the kernel side reports it, read from the kernelLog fact (pasted tc output
// or dmesg-like text, pasted/kernel-lines.ts): iproute2's `Prog section '2/10' rejected: Argument list too long (7)!`
// (lib/bpf_legacy.c bpf_prog_report; a hand-run `tc filter add … bpf da obj bpf_lxc.o` on 4.9 in cilium/cilium#11107)
// and the verifier's own `BPF program is too large. Processed N insn` / `The sequence of N jumps is too complex.`
// (kernel/bpf/verifier.c; both E2BIG). A verbose verifier dump without one of these loaded fine: not a rejection.
import type { Evidence } from './evidence.ts';

export interface VerifierRejection {
  /** tc's section name ("from-container", "2/10"), when the line names one. */
  section: string | null;
  /** The errno text: "Argument list too long", "Permission denied", … */
  reason: string;
  /** The verifier's complexity limit (E2BIG), as opposed to a permission or a rejected instruction. */
  complexity: boolean;
  line: string;
}

const TC_REPORT = /Prog section '([^']*)' rejected: ([A-Za-z][A-Za-z ]*?) \(\d+\)!?/;
const TOO_LARGE = /BPF program is too large\. Processed \d+ insn|The sequence of \d+ jumps is too complex/;

export function verifierRejection(line: string): VerifierRejection | null {
  const tc = TC_REPORT.exec(line);
  if (tc?.[2] !== undefined) {
    return { section: tc[1] ?? null, reason: tc[2], complexity: /argument list too long/i.test(tc[2]), line };
  }
  if (TOO_LARGE.test(line)) return { section: null, reason: 'Argument list too long', complexity: true, line };
  return null;
}

export function verifierRejections(e: Pick<Evidence, 'kernelLog'>): VerifierRejection[] {
  if (!e.kernelLog.ok) return [];
  return e.kernelLog.value.lines.map(verifierRejection).filter((r): r is VerifierRejection => r !== null);
}
