// bpf-program-load-denied: the kernel refused a BPF program — verifier complexity (E2BIG, "BPF program is too large"),
// or a permission denial (LSM/SELinux, lockdown, capabilities). Fact sheet §2.3: ≤1.13 tc loader lines
// (`libbpf: failed to load program`, `JoinEP: Failed to load program … Failed to load prog with tc`, `Error while
// rewriting endpoint BPF program`, #18680; `BPF program is too large. Processed 131073 insn`, #17647, #18047;
// `Processed 1000001 insn`, #25500); 1.14+ cilium/ebpf `program tail_nodeport_nat_ingress_ipv4: load program: argument
// list too long: BPF program is too large` (#38967); SELinux `avc: denied { prog_load }` (#6358, rke2#1273) and lockdown
// (talos#8117) live in node logs, not the agent's. Known-bad combinations (§7) are added by version-advisory.
// ≤1.13 the loader ran iproute2's tc and logged its stderr line by line at warning level (subsys=datapath-loader):
// `Prog section 'from-container' rejected: Argument list too long (7)!` (iproute2 lib/bpf_legacy.c bpf_prog_report,
// #9809, #13995), `Unable to load program`, under the error `Command execution failed` cmd="[tc filter replace … bpf da
// obj …]" (#10517), tc's libbpf `libbpf: load bpf program failed: Permission denied` (#18680) and the endpoint's
// `Failed to load tc filter: exit status 1` (PR #14097 thread). A tc command that is
// not a BPF attach, or a line merely from the datapath-loader subsystem, is not a rejection. Cilium's verifier test
// reports a program the kernel would not load as `Failed to load BPF program bpf_lxc with datapath configuration:`
// (test/k8s/verifier.go, #18584).
// The kernelLog fact (pasted dmesg, the probe pod) brings the SELinux/AppArmor/lockdown records themselves
// (engine/kernel-denials.ts): an enforced AVC denial of prog_load/map_create is the cause when it names the agent or
// the agent's log shows the failed load; otherwise (and for capability2 bpf/perfmon, AppArmor and lockdown lines) it
// is a warning that shows the fix.
// Map creation (bpf-map-create-failed) and feature probes (`failed to probe helper`, kernel-config-missing) are not ours.
// Critical needs the agent failing on the load (a fatal or startup-failure line carrying it, or its pod read
// crash-looping / not Ready), or an enforced denial of bpf() to the agent's own processes beside the EPERM/EACCES load
// failure it caused. A regeneration error with the pod state unread (a paste) is a warning: endpoints that fail to
// regenerate keep their old program, and the agent stays up. Denials in dmesg are common and often beside the point
// (siderolabs/talos PR #14254: cilium-agent prog_run denials that "do not break anything"; Calico's bpftool refused in
// coreos/fedora-coreos-tracker#881), so co-occurrence with any load line is not enough.
import type { EvidenceQuote, Finding, FixStep, Runbook } from '../engine/contract.ts';
import type { Evidence } from '../engine/evidence.ts';
import { computeBlastRadius } from '../engine/blast-radius.ts';
import { findAgentLines, isErrorOrWorse, lineText, quoteLogLine, type LogQuery, type SourcedLine } from '../engine/agent-logs.ts';
import { isMapCreateFailure } from './bpf-map-create-failed.ts';
import type { LogLine } from '../engine/log-parser.ts';
import { agentUnhealthy, ciliumDoc, configTrue, cordon, verifyAgentStep } from '../engine/runbook-kit.ts';
import { helmUpgrade } from '../engine/install-commands.ts';
import { kernelDenials, type KernelDenial } from '../engine/kernel-denials.ts';
import { verifierRejections } from '../engine/kernel-verifier-report.ts';

const ID = 'bpf-program-load-denied';
const TOO_LARGE = /BPF program is too large|load program: argument list too long|Prog section '[^']*' rejected: Argument list too long|BPF program load failed: Argument list too long/i;
const DENIED = /load program: (permission denied|operation not permitted)|Failed to load prog(?:(?!Failed to load prog).)*(permission denied|operation not permitted)|Prog section '[^']*' rejected: (?:Permission denied|Operation not permitted)|libbpf: load bpf program failed: (?:Permission denied|Operation not permitted)/i;
const LOAD_FAIL = /failed to load (?:BPF )?program|Failed to load prog with tc|Error while (rewriting|reloading) endpoint BPF program|loading eBPF collection into the kernel|Prog section '[^']*' rejected: |^Unable to load program|libbpf: load bpf program failed|libbpf: prog '[^']*': BPF program load failed|Failed to load tc filter/i;
// libbpf ≥ 0.5 words it `prog '%s': BPF program load failed: %s` and dumps the verifier log between
// `-- BEGIN PROG LOAD LOG --` and `-- END PROG LOAD LOG --` (tools/lib/bpf/libbpf.c bpf_object_load_prog).
const DENIED_LIBBPF = /BPF program load failed: (?:Permission denied|Operation not permitted)/i;
const isDenied = (t: string): boolean => DENIED.test(t) || DENIED_LIBBPF.test(t);
// EACCES ("Permission denied") is also the verifier's own answer to a program it finds unsafe (kernel/bpf/verifier.c
// returns -EACCES for invalid accesses, with the refused instruction in its log): tc's report followed by "Verifier
// analysis:" (#8307, code built by LLVM 3.8.1), cilium/ebpf's `load program: permission denied: 2908: (69) …: R1 invalid
// mem access` (#37478; the verifier test in PR #40427). Without a verifier log, EACCES/EPERM is an LSM or capability.
const UNSAFE_PROGRAM = /load program: permission denied: \d+: \(|invalid mem access/i;
const VERIFIER_LOG: LogQuery = { text: [/^Verifier analysis:/, /-- BEGIN PROG LOAD LOG --/] };
const EACCES = /permission denied/i;
// The agent exiting on the failure: daemon_main.go's fatal, 1.14+ hive start hooks (the crash-loop fallback's words).
const STARTUP_FAILED = /failed to start: |Start hook failed|Failed to start hive|Start or stop failed|daemon creation failed|Error while (?:creating|initializing) daemon/i;
// Processes that are the agent: itself, tc (the ≤ 1.13 loader, iproute2), and the ≤ 1.4 feature probes run from
// bpf/probes (`raw_change_tail`, `raw_lpm_map.t` in #6358; comm is cut at 15 characters).
const AGENT_COMM = /^(?:cilium-agent|cilium|tc|raw_[\w.]+)$/;
/** The loader's tc call failed; only a tc command that attaches a BPF object is a program load. */
const TC_COMMAND_FAILED = /Command execution failed/i;
// Each attempt stops at the next "tc filter ": linear on a line that repeats the command.
const TC_BPF_ATTACH = /\btc filter (?:replace|add)\b(?:(?!tc filter )[^\]"])*\bbpf\b/;

function isTcAttachFailure(l: LogLine): boolean {
  return TC_COMMAND_FAILED.test(lineText(l)) && TC_BPF_ATTACH.test(l.fields['cmd'] ?? l.raw);
}

export function isProgramLoadFailure(l: LogLine): boolean {
  const t = lineText(l);
  // Probes are kernel-config-missing's; "context canceled" is an endpoint deleted mid-regeneration (routine).
  if (isMapCreateFailure(l) || /failed to probe helper|context canceled/i.test(t)) return false;
  return TOO_LARGE.test(t) || isDenied(t) || LOAD_FAIL.test(t) || isTcAttachFailure(l);
}

/** isProgramLoadFailure as a query: it only keeps lines one of these patterns matches. */
export const PROGRAM_LOAD_FAILURES: LogQuery = { text: [TOO_LARGE, DENIED, LOAD_FAIL, TC_COMMAND_FAILED], where: isProgramLoadFailure };

export const bpfProgramLoadDenied: Runbook = {
  id: ID,
  title: 'BPF program rejected by the kernel',
  severity: 'critical',
  rank: 20,
  needs: ['agentLogs'],
  match(e) {
    const lines = findAgentLines(e, PROGRAM_LOAD_FAILURES, 12);
    const denials = kernelDenials(e);
    const lsm = denials.filter((d) => d.blocksLoad);
    // dmesg carries every process's denials: a record is the agent's when it names the agent or the agent's log shows
    // the failed load beside it. Uncorroborated, it is a warning that shows the fix.
    const deniedLoad = lines.some((s) => isDenied(lineText(s.line)));
    const agentDenied = lsm.filter((d) => d.comm !== null && AGENT_COMM.test(d.comm) && deniedLoad);
    // tc's or the verifier's own report of the refusal (a hand-run tc, pasted verifier output): the kernel's answer.
    const rejections = verifierRejections(e);
    if (lines.length === 0 && denials.length === 0 && rejections.length === 0) return null;
    const texts = [...lines.map((s) => lineText(s.line) + ' ' + s.line.raw), ...rejections.map((r) => r.line)];
    const complexity = texts.some((t) => TOO_LARGE.test(t)) || rejections.some((r) => r.complexity);
    const denied = texts.some(isDenied) || denials.length > 0;
    const unsafe = !complexity && lsm.length === 0 && texts.some((t) => isDenied(t) && EACCES.test(t))
      && (texts.some((t) => UNSAFE_PROGRAM.test(t)) || findAgentLines(e, VERIFIER_LOG, 1).length > 0);
    const program = firstMatch(texts, /program '?([A-Za-z0-9_]+)'?:? (?:load program|is too large)/) ?? firstMatch(texts, /failed to load program '([^']+)'/)
      ?? firstMatch(texts, /Failed to load BPF program ([A-Za-z0-9_]+)/)
      ?? firstMatch(texts, /Prog section '([^']+)' rejected/) ?? firstMatch(texts, /prog '([^']+)': BPF program load failed/);
    const insns = firstMatch(texts, /Processed (\d+) insn/);
    const errors = lines.some((s) => isErrorOrWorse(s.line));
    // A warning-level verifier line alone on a Ready agent is an endpoint that failed to regenerate, not a node outage.
    // An enforced SELinux/AppArmor denial of bpf() refuses the load whatever the agent logged; lockdown alone is weak.
    // A failed `tc filter replace … bpf` with no verifier, permission or load line beside it says the attach failed,
    // not why: BTF the kernel rejects, a missing classifier or qdisc, a vanished device (#23006). Not a critical cause.
    const reasonless = lines.length > 0 && lines.every((s) => !TOO_LARGE.test(lineText(s.line)) && !isDenied(lineText(s.line)) && !LOAD_FAIL.test(lineText(s.line)));
    const exited = lines.some((s) => s.line.level === 'fatal' || STARTUP_FAILED.test(lineText(s.line)));
    const unhealthy = agentUnhealthy(e);
    // The verifier prints "Processed N insn" only when it ran out of its instruction budget (kernel/bpf/verifier.c
    // do_check: insn_processed > BPF_COMPLEXITY_LIMIT_INSNS, 131072 before 5.2, 1M since): the same program fails on
    // every regeneration on this kernel, so no endpoint gets it (#17647: fixed only by a newer kernel).
    const budgetExhausted = complexity && insns !== null;
    const agentFailed = !reasonless && errors && (exited || unhealthy === true || (budgetExhausted && unhealthy !== false));
    const critical = agentFailed || agentDenied.length > 0;
    // Error lines with the pod state unread: whether the agent stopped is not known (as agent-crashloop words pastes).
    const podUnread = !critical && errors && !reasonless && unhealthy === null;
    const cause = complexity ? `the verifier's complexity limit${insns === null ? '' : ` (processed ${insns} instructions)`}`
      : unsafe ? 'the verifier rejecting it as unsafe (EACCES with the verifier\'s log: code from a compiler or Cilium build this kernel\'s verifier does not accept, or a datapath regression)'
      : lsm.length > 0 ? denialCause(lsm)
      : denied ? 'a permission denial (SELinux/AppArmor, kernel lockdown, or missing CAP_BPF/CAP_SYS_ADMIN)'
        : reasonless ? 'a failed tc attach whose reason is not in these lines (read the output that follows the command)'
          : 'the kernel (the error does not say why; read the verifier output)';
    const evidence: EvidenceQuote[] = lines.slice(0, 5).map((s: SourcedLine) => quoteLogLine(s.source, s.line));
    for (const r of rejections.slice(0, 3)) evidence.push({ kind: 'log', text: r.line.slice(0, 400), source: `kernel/tc output (${e.kernelLog.ok ? e.kernelLog.value.source : 'pasted'})` });
    for (const d of denials.slice(0, 5)) evidence.push({ kind: 'log', text: d.line.slice(0, 400), source: `kernel log (${e.kernelLog.ok ? e.kernelLog.value.source : 'dmesg'})` });
    const features = ['enable-host-firewall', 'enable-bpf-masquerade', 'enable-wireguard', 'enable-ipv6']
      .filter((key) => configTrue(e, key));
    if (features.length > 0) evidence.push({ kind: 'fact', text: `enabled features that grow the datapath programs: ${features.join(', ')}`, source: 'cilium-config ConfigMap' });

    return {
      runbookId: ID,
      title: `BPF program ${program === null ? '' : `${program} `}rejected: ${complexity ? 'too large for the verifier' : unsafe ? 'the verifier found it unsafe' : denied ? 'permission denied' : 'load failed'}`,
      severity: critical ? 'critical' : 'warning',
      summary: (reasonless ? `Attaching Cilium's BPF program${program === null ? '' : ` ${program}`} on ${e.nodeName} failed: ${cause}`
        : `The kernel on ${e.nodeName} refused to load Cilium's BPF program${program === null ? '' : ` ${program}`} because of ${cause}`) +
        (critical ? ', so the agent cannot program the datapath.' : '; endpoints whose program failed keep their previous datapath or none.') +
        (podUnread ? ' The agent pod\'s state was not read, so whether the agent stopped on it is not known.' : ''),
      evidence,
      blastRadius: computeBlastRadius(e, e.node.ok && e.node.value.kernelVersion !== undefined && complexity
        ? { affects: (p) => p.kernelVersion === (e.node.ok ? e.node.value.kernelVersion : ''), reason: 'run the same kernel and will hit the same verifier limit' }
        : undefined),
      fixSteps: complexity ? complexitySteps(e, features) : unsafe ? unsafeSteps(e) : deniedSteps(e, denials),
      docs: [ciliumDoc(e, 'System requirements', 'operations/system_requirements/'), ciliumDoc(e, 'Troubleshooting', 'operations/troubleshooting/')],
      proposals: critical ? [cordon(e.nodeName, 'The agent cannot load its datapath; keep new pods off the node.')] : [],
      // The tc command's failure alone does not say why: the verifier output below it does.
      confidence: podUnread ? 'medium' : complexity || agentDenied.length > 0 || (denied && (lines.length > 0 || rejections.length > 0)) ? 'certain' : lines.length > 0 && !reasonless ? 'high' : 'medium',
      basis: 'explicit',
      explainsAgentCrash: critical,
    } satisfies Finding;
  },
};

function firstMatch(texts: string[], re: RegExp): string | null {
  for (const t of texts) { const m = re.exec(t); if (m?.[1] !== undefined) return m[1]; }
  return null;
}

function complexitySteps(e: Evidence, features: string[]): FixStep[] {
  const helm: string[] = [];
  if (features.includes('enable-host-firewall')) helm.push('hostFirewall:\n  enabled: false');
  if (features.includes('enable-bpf-masquerade')) helm.push('bpf:\n  masquerade: false');
  return [
    {
      title: 'Upgrade Cilium to the latest patch release of your minor',
      detail: 'Verifier-complexity regressions for specific kernels are usually fixed in Cilium patch releases (#17647, #25500, #38967); version-advisory lists known-bad combinations.',
      commands: ['helm repo update && helm search repo cilium/cilium --versions | head'],
    },
    {
      title: 'Or move the node to a newer kernel',
      detail: 'Kernels ≥ 5.2 allow 1M verified instructions instead of 4.19\'s 131k budget; newer verifiers prune better (#17647 fixed by 5.10.120).',
      commands: [`kubectl get node ${e.nodeName} -o jsonpath='{.status.nodeInfo.kernelVersion}'`],
    },
    ...(helm.length > 0 ? [{
      title: 'Or turn off the feature that grew the program',
      detail: 'Host firewall and BPF masquerade add code to the nodeport/NAT programs that failed in #30093 and #38967.',
      commands: [helmUpgrade(e, 'cilium-verifier-fix.yaml')],
      helmValues: helm.join('\n'),
    }] : []),
    verifyAgentStep(e),
  ];
}

function unsafeSteps(e: Evidence): FixStep[] {
  return [
    {
      title: 'Run the latest patch release of your Cilium minor, as built upstream',
      detail: 'The verifier refused an instruction it could prove unsafe: datapath regressions of this kind are fixed in patch releases (version-advisory lists known kernel × release combinations), and a datapath built with another compiler (LLVM 3.8.1 in #8307) can emit code this verifier rejects.',
      commands: ['helm repo update && helm search repo cilium/cilium --versions | head'],
    },
    {
      title: 'Report it with the verifier log',
      detail: 'The refused instruction and register state follow the rejection line; with the kernel version and the cilium-config datapath options they are what a fix needs.',
      commands: [`kubectl get node ${e.nodeName} -o jsonpath='{.status.nodeInfo.kernelVersion}'`],
    },
    verifyAgentStep(e),
  ];
}

function denialCause(lsm: KernelDenial[]): string {
  const perms = [...new Set(lsm.map((d) => d.permission))].join(', ');
  const comms = [...new Set(lsm.map((d) => d.comm).filter((c): c is string => c !== null))].slice(0, 3).join(', ');
  return `${lsm[0]?.lsm === 'apparmor' ? 'AppArmor' : 'SELinux'} denying bpf() (${perms})${comms === '' ? '' : ` to ${comms}`}`;
}

function deniedSteps(e: Evidence, denials: KernelDenial[] = []): FixStep[] {
  const selinux = denials.some((d) => d.lsm === 'selinux' && d.enforced);
  return [
    ...(selinux ? [{
      title: 'Let the agent use bpf() under SELinux',
      detail: 'The AVC records name the refused permission and the domain (scontext). Run the agent as spc_t (the Helm chart\'s `securityContext.seLinuxOptions`, type spc_t; rke2#1273) or install the distribution\'s Cilium SELinux policy; `audit2allow` on the records shows the exact rule. Do not switch SELinux to permissive as the fix.',
      commands: [`kubectl debug node/${e.nodeName} -it --image=busybox -- sh -c 'grep -h "avc:.*tclass=bpf" /host/var/log/audit/audit.log | tail -5'`],
      helmValues: 'securityContext:\n  seLinuxOptions:\n    level: s0\n    type: spc_t',
    }] : []),
    {
      title: 'Find what denies bpf() on the node',
      detail: 'SELinux denials show as `avc: denied { prog_load }` in the audit log (#6358); lockdown as `Lockdown: … use of bpf … is restricted`. The agent must run privileged or with CAP_BPF/CAP_SYS_ADMIN/CAP_NET_ADMIN.',
      commands: [`kubectl debug node/${e.nodeName} -it --image=busybox -- sh -c 'cat /sys/kernel/security/lockdown; dmesg | grep -iE "avc|lockdown|bpf" | tail -20'`],
    },
    { title: 'Allow it', detail: 'Use the distribution\'s Cilium SELinux policy or container_t → spc_t for the agent (rke2#1273), or boot without lockdown=confidentiality.' },
    verifyAgentStep(e),
  ];
}
