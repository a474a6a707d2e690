// Issue #16: kernel and BPF-loader signals the runbooks read without the node fact or the Cilium version, each from
// a public quote (thread or source named beside it). Held-out threads are never used here.
import { describe, expect, it } from 'vitest';
import { analyzePastedText } from '../../../runbooks/engine/pasted/analyze-pasted.ts';
import { readKernelRefusal } from '../../../runbooks/engine/kernel-refusal.ts';
import { verifierRejection } from '../../../runbooks/engine/kernel-verifier-report.ts';
import { isKernelLine } from '../../../runbooks/engine/pasted/kernel-lines.ts';

const analyse = (text: string, facts: Parameters<typeof analyzePastedText>[1] = {}) => analyzePastedText(text, facts);
const first = (text: string, facts: Parameters<typeof analyzePastedText>[1] = {}) => analyse(text, facts).report.findings[0];
const ids = (text: string, facts: Parameters<typeof analyzePastedText>[1] = {}) => analyse(text, facts).report.findings.map((f) => f.runbookId);

describe('kernel-too-old with the Cilium version unread', () => {
  // kubernetes-sigs/kubespray PR #2415: GCE's Ubuntu 16.04 image, kernel 4.4.
  const QUOTE = 'It failed on gce_ubuntu with ubuntu 16.04 image. This image has kernel version 4.4 which is lower than required for cilium (>4.8)\n';

  it('a kernel below the floor every release shares (4.8) is certain and critical', () => {
    const f = first(QUOTE, { kernel: '4.4', osImage: 'Ubuntu 16.04' });
    expect(f).toMatchObject({ runbookId: 'kernel-too-old', severity: 'critical' });
    expect(f?.summary).toContain('below the 4.8.0 minimum of every Cilium release');
    expect(f?.title).toBe("Kernel 4.4 is below every Cilium release's minimum");
  });

  it('CentOS 7 numbering (3.10.0-1160.el7) is below it too', () => {
    expect(first('', { kernel: '3.10.0-1160.el7.x86_64', osImage: 'CentOS Linux 7 (Core)' })?.runbookId).toBe('kernel-too-old');
  });

  it('a kernel some release runs on (4.19, 5.4) is not called too old without the version', () => {
    expect(ids('', { kernel: '4.19.0-21-amd64', osImage: 'Debian GNU/Linux 10 (buster)' })).not.toContain('kernel-too-old');
    expect(ids('', { kernel: '5.4.0-1045-aws', osImage: 'Ubuntu 20.04.6 LTS' })).not.toContain('kernel-too-old');
  });
});

describe("the agent's own kernel refusal (≤ 1.12 requirements.go) with no kernel fact", () => {
  // The log.Fatalf format of pkg/datapath/linux/requirements.go, as a 1.x agent printed it on Ubuntu 16.04.
  const FATAL = 'level=fatal msg="kernel version: NOT OK: minimal supported kernel version is >= 4.8.0; kernel version that is running is: 4.4.0" subsys=daemon\n';
  // Cilium 0.8's Documentation/troubleshooting.rst example (cilium/cilium#603).
  const CRIT = 'CRIT kernel version: NOT OK: minimal supported kernel version is >= 4.8\n';

  it('reads the minimum and the running version from the line', () => {
    expect(readKernelRefusal('kernel version: NOT OK: minimal supported kernel version is >= 4.8.0; kernel version that is running is: 3.10.0')).toEqual({ minimum: [4, 8, 0], running: [3, 10, 0] });
    expect(readKernelRefusal('kernel version: NOT OK: minimal supported kernel version is >= 4.8')).toEqual({ minimum: [4, 8, 0], running: null });
  });

  it('is a critical, explicit kernel-too-old finding quoting the line', () => {
    const f = first(FATAL);
    expect(f).toMatchObject({ runbookId: 'kernel-too-old', severity: 'critical', basis: 'explicit', confidence: 'certain' });
    expect(f?.title).toBe("Kernel 4.4.0 is below the agent's minimum 4.8.0");
    expect(f?.evidence.some((q) => q.kind === 'comparison' && q.text === 'kernel 4.4.0 < 4.8.0, as the agent itself compared it')).toBe(true);
  });

  it('reads the 0.8 level-word form too', () => {
    expect(first(CRIT)).toMatchObject({ runbookId: 'kernel-too-old', severity: 'critical' });
  });

  it('"kernel version: NOT OK" with only an error (the version could not be read) is not an old kernel', () => {
    expect(ids('level=fatal msg="kernel version: NOT OK" error="exit status 1" subsys=daemon\n')).not.toContain('kernel-too-old');
  });
});

describe('mount-cgroup finds no cgroup namespace (Linux < 4.6)', () => {
  // kubermatic/kubermatic#8656 (CentOS 7, 3.10.0-957): the only tune thread quoting it; CRI log-file prefix as containerd writes it.
  const NSENTER = '2022-03-03T14:22:25.387654016Z stderr F nsenter: cannot open /hostproc/1/ns/cgroup: No such file or directory\n';

  it('without the kernel fact it is kernel-too-old, critical, said with high (not certain) confidence', () => {
    const f = first(NSENTER);
    expect(f).toMatchObject({ runbookId: 'kernel-too-old', severity: 'critical', confidence: 'high', basis: 'inferred' });
    expect(f?.summary).toContain('older than Linux 4.6');
  });

  it('on a kernel known to be new enough the line is not read as an old kernel', () => {
    expect(ids(NSENTER, { kernel: '5.15.0-91-generic', osImage: 'Ubuntu 22.04.3 LTS', ciliumVersion: '1.15.6' })).not.toContain('kernel-too-old');
  });
});

describe('the monitor perf ring: ENOSYS, EPERM and ENODEV mean three different things', () => {
  // cilium/cilium PR #24055, quoted wrapped over two lines as the PR did.
  const ENOSYS = 'level=fatal msg="Cannot initialise BPF perf ring buffer sockets"\nerror="failed to create perf ring for CPU 0: can\'t create perf event: function not implemented"\n';

  it('ENOSYS from perf_event_open is CONFIG_PERF_EVENTS missing, and the wrapped error line stays with its log line', () => {
    const { report, parts } = analyse(ENOSYS);
    expect(parts.map((p) => p.label)).toEqual(['agent log (2 lines)']);
    expect(report.findings[0]?.runbookId).toBe('kernel-config-missing');
    expect(report.findings[0]?.summary).toContain('CONFIG_PERF_EVENTS');
  });

  it('EPERM on mmap is the missing CAP_IPC_LOCK (PR #19812), not a kernel option', () => {
    const line = 'level=fatal msg="Cannot initialise BPF perf ring buffer sockets" error="failed to create perf ring for CPU 0: can\'t mmap: operation not permitted" startTime="2022-05-12 21:57:54.463823399 +0000 UTC m=+3.211794063" subsys=monitor-agent\n';
    expect(ids(line)[0]).toBe('memlock-rlimit');
    expect(ids(line)).not.toContain('kernel-config-missing');
  });

  it('ENODEV for an offline CPU (PR #12068) is neither', () => {
    const line = 'level=fatal msg="Cannot initialise BPF perf ring buffer sockets" error="failed to create perf ring for CPU 2: can\'t create perf event: can\'t create perf event: no such device" startTime="2020-06-15 12:15:09.153912253 +0000 UTC m=+129.850487215" subsys=monitor-agent\n';
    expect(ids(line)).not.toContain('kernel-config-missing');
    expect(ids(line)).not.toContain('memlock-rlimit');
  });

  it('an error= line that does not follow a log line is not glued to one', () => {
    const { parts } = analyse('level=info msg="Starting"\n\nerror="failed to create perf ring for CPU 0: can\'t create perf event: function not implemented"\n');
    expect(parts.map((p) => p.label)).toEqual(['agent log (1 line)']);
  });
});

describe('the verifier refusal as tc or the kernel print it (pasted raw, not through the agent)', () => {
  // cilium/cilium#11107: `tc filter add … bpf da obj bpf_lxc.o sec from-container` run by hand on 4.9.
  const TC = "Prog section '2/10' rejected: Argument list too long (7)!\n - Type:         3\n - Attach Type:  0\n";

  it("reads tc's report and the verifier's last words", () => {
    expect(verifierRejection("Prog section '2/10' rejected: Argument list too long (7)!")).toMatchObject({ section: '2/10', reason: 'Argument list too long', complexity: true });
    expect(verifierRejection("Prog section 'from-container' rejected: Permission denied (13)!")).toMatchObject({ reason: 'Permission denied', complexity: false });
    expect(verifierRejection('The sequence of 8193 jumps is too complex.')).toMatchObject({ complexity: true });
    // A verbose log of a program that loaded: the verifier's statistics line is not a rejection.
    expect(verifierRejection('processed 96 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0')).toBeNull();
  });

  it('is bpf-program-load-denied for the complexity limit, a warning without the agent\'s state', () => {
    const f = first(TC, { kernel: '4.9.212' });
    expect(f).toMatchObject({ runbookId: 'bpf-program-load-denied', severity: 'warning', confidence: 'certain' });
    expect(f?.summary).toContain("verifier's complexity limit");
  });

  it("the agent's own logfmt copy of the line stays an agent log line (PR #11109's CI log)", () => {
    const line = `2020-04-23T06:40:22.234957764Z level=warning msg="Prog section '2/10' rejected: Permission denied (13)!" subsys=datapath-loader`;
    expect(isKernelLine(line)).toBe(false);
    expect(isKernelLine("Prog section '2/10' rejected: Permission denied (13)!")).toBe(true);
    expect(analyse(`${line}\n`).parts.map((p) => p.kind)).toEqual(['cilium-log']);
  });
});

describe('"permission denied" with a verifier log is the verifier refusing an unsafe program, not a permission', () => {
  // cilium/cilium PR #40427: the verifier test's failure on a rebased branch.
  const UNSAFE = "    verifier_test.go:245: Error: program tail_nodeport_nat_egress_ipv4: load program: permission denied: 1030: (71) r1 = *(u8 *)(r9 +23): R9 invalid mem access 'inv' (646 line(s) omitted)\n";

  it('cilium/ebpf EACCES followed by the refused instruction', () => {
    const f = first(UNSAFE);
    expect(f?.runbookId).toBe('bpf-program-load-denied');
    expect(f?.title).toContain('the verifier found it unsafe');
    expect(f?.summary).toContain('verifier rejecting it as unsafe');
    expect(f?.fixSteps[0]?.title).toBe('Run the latest patch release of your Cilium minor, as built upstream');
  });

  it('EPERM (no verifier log) stays a permission or capability refusal', () => {
    const f = first('level=error msg="endpoint regeneration failed" error="program tail_nodeport_nat_egress_ipv4: load program: operation not permitted"\n');
    expect(f?.runbookId).toBe('bpf-program-load-denied');
    expect(f?.summary).toContain('permission denial');
    expect(f?.summary).not.toContain('unsafe');
  });
});

describe('syslog kernel lines with a one-digit day', () => {
  it('`Apr 21 …` and `Jul  9 …` (padded) are both kernel lines (cilium/cilium#11106, #26756)', () => {
    expect(isKernelLine('Apr 21 17:21:26 e69a07245.et15sqa kernel: WARNING: CPU: 16 PID: 78113 at lib/iov_iter.c:883 copy_page_to_iter+0xd9/0x310')).toBe(true);
    expect(isKernelLine('Jul  9 21:33:27 k8s-1-master1 kernel: [  648.179683] WARNING: CPU: 2 PID: 18279 at kernel/trace/bpf_trace.c:684 bpf_event_output+0x1c9/0x1f0')).toBe(true);
    expect(isKernelLine('Jul  9 21:33:27 k8s-1-master1 cilium-agent[1122]: level=warning msg="x"')).toBe(false);
  });
});

describe("libbpf ≥ 0.5's wording of a refused load", () => {
  it("`prog '…': BPF program load failed: <errno>` is a program load failure naming the program (JiaHuann/libbpf-bootstrap-android#1)", () => {
    const f = first("libbpf: prog 'update_rq_clock': BPF program load failed: Permission denied\n");
    expect(f?.runbookId).toBe('bpf-program-load-denied');
    expect(f?.title).toContain('update_rq_clock');
  });

  // Constructed: libbpf.c's format with E2BIG, wrapped as the ≤ 1.13 datapath-loader wraps tc's stderr (no thread quotes it).
  it('E2BIG in that wording is the complexity limit', () => {
    const f = first("level=warning msg=\"libbpf: prog 'cil_from_container': BPF program load failed: Argument list too long\" subsys=datapath-loader\n");
    expect(f?.summary).toContain("verifier's complexity limit");
  });
});
