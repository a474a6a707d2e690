// kernel-config-missing: a feature fails on a kernel that is new enough — a missing CONFIG_*, BPF hardening, or a
// probe regression — decided by comparing `uname -r` with the version the agent names (never by the text alone).
// Fact sheet §1.1 (required CONFIG_* list, system_requirements.rst@00c88111), §1.3 (non-fatal CONFIG_IP_MULTIPLE_TABLES,
// ipv6), §2.1: "Require support for dead code elimination (Linux 5.1 or newer)" on 6.18 with v1.18.8 (#44967) and on
// hardened 6.1+ (kptr_restrict + bpf_jit_harden, deckhouse#22619); `failed to probe helper … FnSetRetval … R1 is not a
// scalar` on kernel 7.2 (#48016, typhoon#1680); "BPF NodePort services needs kernel 4.17.0" on 5.18.14 (#20726);
// §2.3 `RTNETLINK answers: Operation not supported` (clsact/cls_bpf missing, #11294, #20858), or `No such file or
// directory` just before tc's "We have an error talking to the kernel" (rancher/k3os#746); §2.7 WireGuard on a
// 6.6 kernel without CONFIG_WIREGUARD (microsoft/azurelinux#16243); §7 WSL2 without CONFIG_IPV6_MULTIPLE_TABLES (#29302).
// The bandwidth manager's own lines belong to bandwidth-manager-unsupported; below the named version, kernel-too-old.
import { preventionSteps } from '../engine/prevention.ts';
import { perPoolConfigStep, type PerPoolStepInput } from '../engine/node-config-fix.ts';
import type { EvidenceQuote, Finding, Runbook } from '../engine/contract.ts';
import type { Evidence } from '../engine/evidence.ts';
import { computeBlastRadius } from '../engine/blast-radius.ts';
import { findAgentLines, isErrorOrWorse, lineText, quoteLogLine, type SourcedLine } from '../engine/agent-logs.ts';
import { isFeatureOwnedMessage, KERNEL_NAMED_PATTERNS, kernelNamedInMessage } from '../engine/kernel-matrix.ts';
import { compareTriples, formatTriple } from '../engine/kernel-version.ts';
import { WG_NOT_SUPPORTED } from './wireguard-unsupported.ts';
import { agentUnhealthy, ciliumDoc, configTrue, configValue, nodeKernel, verifyAgentStep, type NodeKernel } from '../engine/runbook-kit.ts';

const ID = 'kernel-config-missing';
// The agent exiting on the failure: daemon_main.go's fatal, the 1.14+ hive's start hooks (as bpf-program-load-denied),
// and ≤ 1.13 newDaemon's KPR init, which logs at error and returns the error, so the daemon is not created
// (cilium/cilium daemon/cmd/daemon.go: "unable to initialize Kube proxy replacement options"; #20726).
const STARTUP_FAILED = /failed to start: |Start hook failed|Failed to start hive|daemon creation failed|Error while (?:creating|initializing) daemon|unable to initialize Kube proxy replacement options/i;

// A device name has no spaces: `[^:\s]+` stops at the next word, so repeated "creating device " stays linear.
const LINK_TYPE_MISSING = /creating device [^:\s]+: operation not supported, maybe kernel module for ([a-z0-9_]+) is not available/i;

/** Lines that name a kernel problem without a version, with the config they point at. */
const CONFIG_LINES: readonly { re: RegExp; hint: string }[] = [
  { re: /failed to probe helper/i, hint: 'a helper probe the kernel rejects (kernel 7.2 regression #48016: roll back to 7.1.x or upgrade Cilium once fixed)' },
  { re: /Policy routing:NOT OK(?:(?!Policy routing:NOT OK).)*CONFIG_IP_MULTIPLE_TABLES/i, hint: 'CONFIG_IP_MULTIPLE_TABLES' },
  { re: /ipv6 is enabled in agent but ipv6 is either disabled or not compiled in the kernel/i, hint: 'IPv6 (CONFIG_IPV6, or ipv6.disable=1 on the kernel command line)' },
  { re: /RTNETLINK answers: Operation not supported/i, hint: 'CONFIG_NET_SCH_INGRESS / CONFIG_NET_CLS_BPF / CONFIG_NET_CLS_ACT (tc clsact, cls_bpf)' },
  { re: /proxy routing rule(?:(?!proxy routing rule).)*address family not supported by protocol/i, hint: 'CONFIG_IPV6_MULTIPLE_TABLES (WSL2 custom kernels, #29302)' },
  // perf_event_open(2) is ENOSYS without CONFIG_PERF_EVENTS: the monitor's perf ring fails (PR #24055 added the option
  // to the requirements for this fatal). EPERM on the ring is memlock-rlimit's, ENODEV an offline CPU (PR #12068).
  { re: /can't create perf event: function not implemented/i, hint: 'CONFIG_PERF_EVENTS (perf_event_open not implemented, so the BPF perf ring cannot be created)' },
  // netlink EOPNOTSUPP on creating a link: the kernel has no driver for that device type (#36189: CONFIG_VXLAN).
  { re: LINK_TYPE_MISSING, hint: 'the kernel module for the device type' },
];

// iproute2 prints "We have an error talking to the kernel" when a tc add/replace request fails; right after
// "RTNETLINK answers: No such file or directory" it means the kernel has no `bpf` classifier or clsact qdisc to
// attach to (k3os#746 with picl-k3os-image-generator#45: CONFIG_NET_CLS_BPF missing on the Raspberry Pi kernel).
// ENOENT alone is not enough: `tc filter show`/`del` on a device without the qdisc prints it harmlessly.
const TC_ENOENT = /RTNETLINK answers: No such file or directory/i;
const TC_REQUEST_FAILED = /We have an error talking to the kernel/i;
const TC_ENOENT_HINT = 'CONFIG_NET_CLS_BPF / CONFIG_NET_SCH_INGRESS (tc found no bpf classifier or clsact qdisc)';

/** ENOENT lines that the failed tc request right after them (at most 2 lines on) belongs to. */
function tcAttachNotFound(e: Evidence): SourcedLine[] {
  const failed = findAgentLines(e, { text: [TC_REQUEST_FAILED] }, 8);
  if (failed.length === 0) return [];
  return findAgentLines(e, { text: [TC_ENOENT] }, 8).filter((n) => failed.some((f) => f.source.chunk === n.source.chunk
    && f.line.lineNumber > n.line.lineNumber && f.line.lineNumber - n.line.lineNumber <= 2));
}

/** Every line `relevant` can keep matches one of these. */
const RELEVANT_PATTERNS: readonly RegExp[] = [WG_NOT_SUPPORTED, ...CONFIG_LINES.map((c) => c.re), ...KERNEL_NAMED_PATTERNS];

/** What the named requirement usually means when the kernel is new enough. */
function hintFor(text: string): string {
  if (/netkit/i.test(text)) return 'CONFIG_NETKIT';
  if (/NodePort/i.test(text)) return 'BPF features missing from a custom kernel build (#20726)';
  if (/clsact|cls_bpf|tcx/i.test(text)) return 'CONFIG_NET_SCH_INGRESS / CONFIG_NET_CLS_BPF';
  return 'BPF hardening (kernel.kptr_restrict with net.core.bpf_jit_harden, deckhouse#22619) or the v1.18.8 probe regression on new kernels (#44967)';
}

/** The kernel options Cilium always needs (fact sheet §1.1), plus those the enabled features need. */
function requiredOptions(e: Evidence, k: NodeKernel | null): string[] {
  const req = ['CONFIG_BPF', 'CONFIG_BPF_SYSCALL', 'CONFIG_NET_CLS_BPF', 'CONFIG_BPF_JIT', 'CONFIG_NET_CLS_ACT', 'CONFIG_NET_SCH_INGRESS',
    'CONFIG_CRYPTO_SHA1', 'CONFIG_CRYPTO_USER_API_HASH', 'CONFIG_CGROUPS', 'CONFIG_CGROUP_BPF', 'CONFIG_PERF_EVENTS', 'CONFIG_SCHEDSTATS'];
  const routing = configValue(e, 'routing-mode') ?? 'tunnel';
  if (routing === 'tunnel') req.push((configValue(e, 'tunnel-protocol') ?? 'vxlan') === 'geneve' ? 'CONFIG_GENEVE' : 'CONFIG_VXLAN');
  if (configValue(e, 'enable-l7-proxy') !== 'false') req.push('CONFIG_NETFILTER_XT_TARGET_TPROXY', 'CONFIG_NETFILTER_XT_MATCH_SOCKET');
  if (configTrue(e, 'enable-wireguard') && k !== null && compareTriples(k.effective, [5, 6, 0]) >= 0) req.push('CONFIG_WIREGUARD');
  if (configValue(e, 'datapath-mode')?.startsWith('netkit') === true) req.push('CONFIG_NETKIT');
  return req;
}

export const kernelConfigMissing: Runbook = {
  id: ID,
  title: 'Kernel is new enough but lacks what Cilium needs',
  severity: 'critical',
  rank: 12,
  needs: ['node', 'agentLogs'],
  match(e) {
    const k = nodeKernel(e);
    const hits: { at: SourcedLine; hint: string; named: string | null }[] = [];
    for (const at of findAgentLines(e, { text: RELEVANT_PATTERNS, where: (l) => relevant(lineText(l), k) }, 8)) {
      const text = lineText(at.line);
      const named = kernelNamedInMessage(text);
      const fixed = CONFIG_LINES.find((c) => c.re.test(text));
      const linkType = LINK_TYPE_MISSING.exec(text)?.[1];
      hits.push({ at, named: named === null ? null : formatTriple(named), hint: WG_NOT_SUPPORTED.test(text) ? 'CONFIG_WIREGUARD (kernel ≥ 5.6 built without it)'
        : linkType !== undefined ? `CONFIG_${linkType.toUpperCase()} (no ${linkType} device support in the kernel)` : fixed?.hint ?? hintFor(text) });
    }
    for (const at of tcAttachNotFound(e)) hits.push({ at, named: null, hint: TC_ENOENT_HINT });
    const missingOpts = e.kernelConfig.ok && e.ciliumConfig.ok
      ? requiredOptions(e, k).filter((o) => !['y', 'm'].includes(e.kernelConfig.ok ? (e.kernelConfig.value.options[o] ?? 'n') : 'y')) : [];
    if (hits.length === 0 && missingOpts.length === 0) return null;

    // Critical needs the agent failing on it: a fatal or startup-failure line naming the cause, or its pod read
    // unhealthy. An error-level line with the pod state unread (a paste) is a warning that says so: many of these
    // (a tc attach, an IPv6 route, a helper probe) are logged per device or per probe while the agent keeps running.
    const named = hits.filter((h) => !/Policy routing:NOT OK/i.test(lineText(h.at.line)));
    const fatalLine = named.some((h) => h.at.line.level === 'fatal' || h.at.line.level === 'panic' || STARTUP_FAILED.test(lineText(h.at.line)));
    const errorLine = named.some((h) => isErrorOrWorse(h.at.line));
    const unhealthy = agentUnhealthy(e);
    const critical = fatalLine || ((errorLine || missingOpts.length > 0) && unhealthy === true);
    const podUnread = !critical && errorLine && unhealthy === null;
    const evidence: EvidenceQuote[] = [];
    if (k !== null) evidence.push({ kind: 'fact', text: `kernelVersion: ${k.parsed.raw}`, source: `node ${e.nodeName} status.nodeInfo` });
    for (const h of hits) {
      if (h.named !== null && k !== null) evidence.push({ kind: 'comparison', text: `kernel ${formatTriple(k.effective)} ≥ ${h.named}, the version the agent names: not an age problem`, source: 'fact sheet §2.1' });
      evidence.push(quoteLogLine(h.at.source, h.at.line));
    }
    if (missingOpts.length > 0 && e.kernelConfig.ok) evidence.push({ kind: 'fact', text: `not set: ${missingOpts.join(', ')}`, source: `kernel config (${e.kernelConfig.value.source})` });
    const hints = [...new Set([...hits.map((h) => h.hint), ...missingOpts])];

    return {
      runbookId: ID,
      title: `Kernel ${k?.parsed.raw ?? ''} lacks ${hints.length === 1 ? (hints[0] ?? '').replace(/ \(.*$/, '') : 'what Cilium needs'}`.replace('  ', ' '),
      severity: critical ? 'critical' : 'warning',
      summary: `${e.nodeName}'s kernel${k === null ? '' : ` ${k.parsed.raw}`} is new enough, yet ${fatalLine ? 'the agent stops because ' : ''}a kernel capability is missing or refused: ${hints.join('; ')}.${podUnread ? ' The agent pod\'s state was not read, so whether the agent stopped on it is not known.' : ''}`,
      evidence,
      blastRadius: computeBlastRadius(e, k === null ? undefined : {
        affects: (p) => p.kernelVersion === k.parsed.raw, reason: `run the same kernel build ${k.parsed.raw} and likely lack it too`,
      }),
      fixSteps: [
        {
          title: 'Confirm what the kernel lacks',
          detail: 'Read the kernel config and the BPF hardening sysctls on the node.',
          commands: [`kubectl debug node/${e.nodeName} -it --image=busybox -- sh -c 'zcat /proc/config.gz 2>/dev/null | grep -E "CONFIG_(BPF|NET_CLS|NET_SCH|WIREGUARD|NETKIT|IP_MULTIPLE|IPV6)" || grep -E "CONFIG_(BPF|NET_CLS|NET_SCH|WIREGUARD)" /host/boot/config-$(uname -r); sysctl kernel.kptr_restrict net.core.bpf_jit_harden'`],
        },
        {
          title: 'Use a kernel built with the missing options, or relax the hardening',
          detail: 'Switch the node image to one whose kernel has the options above (most distribution kernels do; minimal/custom ones may not). For hardening, `net.core.bpf_jit_harden=0` on the node lets the probes read what they need (deckhouse#22619). For probe regressions on brand-new kernels, pin the previous kernel or the previous Cilium patch release.',
        },
        ...perPoolSteps(e, hints),
        verifyAgentStep(e),
        // A kernel build shared by a pool: prevention (CI preflight, image check of the options, admission guard).
        ...(critical ? preventionSteps({
          cause: ID, ciliumVersion: e.cilium.ok ? e.cilium.value.version : null, minimumKernel: null,
          kernelOptions: missingOpts.filter((o) => /^CONFIG_[A-Z0-9_]+$/.test(o)), pool: e.node.ok ? (e.node.value.pool ?? null) : null,
        }) : []),
      ],
      docs: [ciliumDoc(e, 'System requirements (kernel configuration)', 'operations/system_requirements/')],
      proposals: critical ? [{ action: 'cordon-node', params: { node: e.nodeName }, risk: 'low', reason: 'The agent cannot run on this kernel build; keep new pods off the node.' }] : [],
      confidence: podUnread ? 'medium' : hits.some((h) => h.named !== null) || missingOpts.length > 0 ? 'certain' : 'high',
      basis: hits.length > 0 ? 'explicit' : 'observed',
      explainsAgentCrash: critical && (fatalLine || errorLine),
    } satisfies Finding;
  },
};

/** The enabled features the missing options belong to, turned off for the node's pool only (when one can be). */
function perPoolSteps(e: Evidence, hints: string[]): NonNullable<ReturnType<typeof perPoolConfigStep>>[] {
  const wants: PerPoolStepInput[] = [];
  if (configTrue(e, 'enable-wireguard') && hints.some((h) => h.startsWith('CONFIG_WIREGUARD'))) {
    wants.push({ what: 'WireGuard', slug: 'wireguard', defaults: { 'enable-wireguard': 'false' }, caveat: 'Traffic to and from these nodes is then unencrypted.' });
  }
  if (configValue(e, 'datapath-mode')?.startsWith('netkit') === true && hints.includes('CONFIG_NETKIT')) {
    wants.push({ what: 'netkit', slug: 'netkit', defaults: { 'datapath-mode': 'veth' } });
  }
  return wants.map((w) => perPoolConfigStep(e, w)).filter((s) => s !== null);
}

/** A line this runbook owns: a named version the kernel meets, WireGuard on ≥ 5.6, or a config-only line. */
function relevant(text: string, k: NodeKernel | null): boolean {
  if (isFeatureOwnedMessage(text) && !WG_NOT_SUPPORTED.test(text)) return false;
  if (WG_NOT_SUPPORTED.test(text)) return k !== null && compareTriples(k.effective, [5, 6, 0]) >= 0;
  if (CONFIG_LINES.some((c) => c.re.test(text))) return true;
  const named = kernelNamedInMessage(text);
  return named !== null && k !== null && compareTriples(k.effective, named) >= 0;
}
