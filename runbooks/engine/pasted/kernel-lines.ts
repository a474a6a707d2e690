// Kernel log lines as people paste them: `dmesg` (`[  12.345678] …`, `dmesg -T` `[Tue Dec  3 10:00:00 2024] …`),
// `journalctl -k` (`Dec 03 10:00:00 node-7 kernel: …`), Talos `talosctl dmesg` (`10.0.88.3: kern:  notice: […]: …`,
// siderolabs/talos#8117), and audit records (`audit: type=1400 audit(…): avc:  denied { prog_load } … tclass=bpf`,
// `type=AVC msg=audit(…)`, bare `avc:  denied` as in cilium/cilium#6358; AppArmor `apparmor="DENIED"`).
// Lockdown refusals follow security/lockdown/lockdown.c: `Lockdown: <comm>: <what> is restricted; see man
// kernel_lockdown.7`, where <what> for BPF is "use of bpf to read kernel RAM" / "use of bpf to write user RAM".
// The verifier's verdict as a hand-run `tc filter add … bpf da obj …` prints it (iproute2 lib/bpf_legacy.c
// bpf_prog_report: `Prog section 'from-container' rejected: Argument list too long (7)!`, cilium/cilium#11107) and the
// verifier's own last words (kernel/bpf/verifier.c: `BPF program is too large. Processed 131073 insn`, `The sequence of
// 8193 jumps is too complex.`) are the kernel's answer too; the agent's log quotes them behind `level=… msg=`, which
// these anchored patterns do not match.

const KERNEL_LINE = [
  /^\[\s*\d+\.\d+\]\s/,
  /^\[[A-Z][a-z]{2} [A-Z][a-z]{2}\s+\d{1,2} \d{2}:\d{2}:\d{2} \d{4}\]\s/,
  // syslog pads a one-digit day with a space: `Jul  9 21:33:27 host kernel: …` (cilium/cilium#26756).
  /^[A-Z][a-z]{2} {1,2}\d{1,2} \d{2}:\d{2}:\d{2} \S+ kernel: /,
  /^\S+: kern:\s+\w+: /,
  /^(?:\S.*?\s)?audit(?:\[\d+\])?: type=\d+ /,
  /^type=(?:AVC|SYSCALL|BPF|PROCTITLE) msg=audit\(/,
  /^avc:\s+denied\s/,
  /^Lockdown: \S+: .+ is restricted/,
  /^Prog section '[^']*' rejected: /,
  /^BPF program is too large\. Processed \d+ insn/,
  /^The sequence of \d+ jumps is too complex/,
];

/** Lines the kernelLog fact keeps: BPF, the verifier and tc's report of it, SELinux/AppArmor denials, lockdown. */
const RELEVANT = /\bbpf\b|prog_load|map_create|perfmon|avc:\s+denied|apparmor="DENIED"|Lockdown:|verifier|capability2|Prog section '[^']*' rejected|program is too large|jumps is too complex/i;

export function isKernelLine(raw: string): boolean {
  const line = raw.trimStart();
  return KERNEL_LINE.some((re) => re.test(line));
}

export function isRelevantKernelLine(raw: string): boolean {
  return RELEVANT.test(raw);
}
