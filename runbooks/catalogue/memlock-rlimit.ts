// memlock-rlimit: BPF map/program creation or the perf ring fail on RLIMIT_MEMLOCK. Fact sheet §2.2: cilium/ebpf's
// hint `(MEMLOCK may be too low, consider rlimit.RemoveMemlock)` (kubeshark#1747, KumKeeHyun/perisco#3), the agent's
// `unable to set memory resource limits" error="failed to set memlock rlimit: operation not permitted"`
// (siderolabs/talos#9494; fixed with privileges or SYS_RESOURCE, talos#5948, #17883), PR #18640 (rlimit.RemoveMemlock
// since 1.12), and the missing CAP_IPC_LOCK fatal
// `Cannot initialise BPF perf ring buffer sockets … can't mmap: operation not permitted` (PR #19812, #19808).
// From Linux 5.11 BPF memory is charged to the memory cgroup and RLIMIT_MEMLOCK no longer limits it (Roman Gushchin's
// "bpf: switch to memcg-based memory accounting", https://lore.kernel.org/bpf/20201201215900.3569844-1-guro@fb.com;
// cilium/ebpf docs/ebpf/concepts/rlimit.md: RemoveMemlock is then a no-op). There a failed setrlimit is the missing
// CAP_SYS_RESOURCE, not a limit that blocks BPF: critical only when the agent exits on it. Every release exits on it
// (daemon_main.go logs it at Fatal; 1.10–1.13 NewDaemon logs it at error and returns it, so "Error while creating
// daemon" follows), but a pasted error line alone does not show the exit; #20676 shows it on 5.18.14.
// Root cause over symptom: when memlock explains the map failures, bpf-map-create-failed is folded in (`supersedes`).
import type { EvidenceQuote, Finding, Runbook } from '../engine/contract.ts';
import { computeBlastRadius } from '../engine/blast-radius.ts';
import { findAgentLines, isErrorOrWorse, lineText, quoteLogLine, type LogQuery } from '../engine/agent-logs.ts';
import { MAP_CREATE_FAILURES } from './bpf-map-create-failed.ts';
import { compareTriples } from '../engine/kernel-version.ts';
import { agentUnhealthy, ciliumDoc, cordon, nodeKernel, verifyAgentStep } from '../engine/runbook-kit.ts';
import { agentPodSelector, agentShell, ciliumNamespace, helmUpgrade } from '../engine/install-commands.ts';

const ID = 'memlock-rlimit';
const HINT = /MEMLOCK may be too low/i;
// daemon_main.go: `rlimit.RemoveMemlock()` failing is logged at Fatal ("unable to set memory resource limits").
const SET_FAILED = /failed to set memlock rlimit|unable to set memory resource limits/i;
const PERF_RING = /perf ring buffer(?:(?!perf ring buffer).)*can't mmap: operation not permitted|failed to create perf ring(?:(?!failed to create perf ring).)*can't mmap: operation not permitted/i;
const MEMLOCK_LINES: LogQuery = { text: [HINT, SET_FAILED, PERF_RING] };

export const memlockRlimit: Runbook = {
  id: ID,
  title: 'RLIMIT_MEMLOCK too low for BPF',
  severity: 'critical',
  rank: 18,
  needs: ['agentLogs'],
  match(e) {
    const lines = findAgentLines(e, MEMLOCK_LINES, 6);
    const limit = e.memlock.ok ? e.memlock.value : null;
    const tinyLimit = limit !== null && limit.soft !== 'unlimited' && Number(limit.soft) < 64 * 1024 * 1024;
    if (lines.length === 0) return null; // the limit alone is not a failure: memcg-accounting kernels ignore it
    const texts = lines.map((s) => lineText(s.line));
    const hint = texts.some((t) => HINT.test(t));
    const perf = texts.some((t) => PERF_RING.test(t));
    const fatal = hint || perf || lines.some((s) => s.line.level === 'fatal');
    const k = nodeKernel(e);
    const oldKernel = k !== null && compareTriples(k.effective, [5, 11, 0]) < 0;
    const memcgKernel = k !== null && !oldKernel;
    // The agent failed on it: it exited (fatal), or its pod is read crash-looping / not Ready beside the line.
    const agentFailed = fatal || agentUnhealthy(e) === true;
    // An error-level setrlimit failure binds BPF memory only before 5.11; with the kernel unknown or ≥ 5.11 the
    // line alone does not show the agent stopped.
    const critical = agentFailed || (oldKernel && lines.some((s) => isErrorOrWorse(s.line)));
    const evidence: EvidenceQuote[] = lines.map((s) => quoteLogLine(s.source, s.line));
    if (limit !== null) evidence.push({ kind: 'fact', text: `Max locked memory: soft ${limit.soft}, hard ${limit.hard}`, source: 'cilium-agent /proc/1/limits' });
    if (k !== null) evidence.push({ kind: 'fact', text: `kernelVersion: ${k.parsed.raw}${oldKernel ? ' (before memcg accounting for BPF, 5.11: maps are charged to memlock)' : ' (5.11 or later: BPF memory is charged to the memory cgroup, RLIMIT_MEMLOCK does not limit it)'}`, source: `node ${e.nodeName} status.nodeInfo` });
    const mapFailures = findAgentLines(e, MAP_CREATE_FAILURES, 20);
    // Fold the map finding only when every map failure carries the memlock hint (otherwise it has its own cause).
    const explainsMaps = hint && mapFailures.length > 0 && mapFailures.every((s) => HINT.test(lineText(s.line)));

    return {
      runbookId: ID,
      title: perf ? 'Agent lacks CAP_IPC_LOCK for its perf ring' : hint ? 'RLIMIT_MEMLOCK blocks BPF map creation'
        : memcgKernel ? 'Agent cannot set RLIMIT_MEMLOCK (missing CAP_SYS_RESOURCE)' : 'Agent cannot lift RLIMIT_MEMLOCK for BPF',
      severity: critical ? 'critical' : 'warning',
      summary: perf
        ? `The cilium-agent on ${e.nodeName} cannot mmap its BPF perf ring (operation not permitted): it lacks CAP_IPC_LOCK or a sufficient memlock limit, so it stops.`
        : `The cilium-agent on ${e.nodeName} ${hint ? 'cannot create BPF maps because RLIMIT_MEMLOCK is too low' : 'could not raise RLIMIT_MEMLOCK'}` +
          `${tinyLimit && limit !== null ? ` (soft limit ${limit.soft} bytes)` : ''}; ` +
          (memcgKernel && !hint
            ? `on kernel ${k.parsed.raw} (≥ 5.11) the limit does not bind BPF memory, so the cause is the agent lacking CAP_SYS_RESOURCE (or a privileged pod)${agentFailed ? ', and the agent exits on it' : '; the line alone does not show that the agent stopped'}.`
            : `it needs CAP_SYS_RESOURCE (or a privileged pod) to lift the limit${oldKernel ? ' on this pre-5.11 kernel' : ''}${critical || k !== null ? '' : ' (the kernel was not read, and the line alone does not show that the agent stopped)'}.`),
      evidence,
      blastRadius: computeBlastRadius(e),
      fixSteps: [
        {
          title: 'Check the agent’s capabilities and limit',
          detail: 'Cilium ≥1.12 lifts the limit itself (rlimit.RemoveMemlock, PR #18640) when it has CAP_SYS_RESOURCE; the perf ring also needs CAP_IPC_LOCK.',
          commands: [
            `kubectl -n ${ciliumNamespace(e)} get pod ${agentPodSelector(e)} -o jsonpath='{.items[0].spec.containers[?(@.name=="cilium-agent")].securityContext}'`,
            agentShell(e, `grep 'Max locked memory' /proc/1/limits`),
          ],
        },
        {
          title: 'Give the agent the capabilities back',
          detail: 'Restricted platforms (Talos, hardened PSPs/policies) strip them; restore the chart defaults (values.yaml securityContext.capabilities.ciliumAgent). Alternatively raise LimitMEMLOCK for the container runtime (containerd/CRI-O systemd unit) to infinity.',
          commands: [helmUpgrade(e, 'cilium-caps.yaml')],
          helmValues: 'securityContext:\n  capabilities:\n    ciliumAgent:\n      - CHOWN\n      - KILL\n      - NET_ADMIN\n      - NET_RAW\n      - IPC_LOCK\n      - SYS_MODULE\n      - SYS_ADMIN\n      - SYS_RESOURCE\n      - DAC_OVERRIDE\n      - FOWNER\n      - SETGID\n      - SETUID',
        },
        verifyAgentStep(e),
      ],
      docs: [ciliumDoc(e, 'System requirements (privileges)', 'operations/system_requirements/')],
      proposals: critical ? [cordon(e.nodeName, 'The agent cannot create its BPF objects; keep new pods off the node.')] : [],
      confidence: hint || perf ? 'certain' : critical ? 'high' : 'medium',
      basis: 'explicit',
      explainsAgentCrash: agentFailed,
      ...(explainsMaps ? { supersedes: ['bpf-map-create-failed'] } : {}),
    } satisfies Finding;
  },
};
