// kernel-too-old when the node's kernel was not read but the agent itself refused it. Cilium ≤ 1.12 compared `uname -r`
// with its minimum and stopped with `log.Fatalf("kernel version: NOT OK: minimal supported kernel version is %s; kernel
// version that is running is: %s", …)` (cilium/cilium pkg/datapath/linux/requirements.go CheckMinRequirements; before
// that daemon/main.go checkMinRequirements, `>= %d.%d`); the 0.8 troubleshooting guide quotes it as `CRIT kernel
// version: NOT OK: minimal supported kernel version is >= 4.8` without the running version (#603). The line is the
// agent's own verdict, so it stands without the node fact. `kernel version: NOT OK` alone (with an error) is the agent
// failing to read the version, not an old kernel, and is not matched.
// The mount-cgroup init container (Cilium ≥ 1.10) enters the host's cgroup namespace with `nsenter
// --cgroup=/hostproc/1/ns/cgroup`; `nsenter: cannot open /hostproc/1/ns/cgroup: No such file or directory` means the
// kernel has no cgroup namespaces, which Linux gained in 4.6 (cgroup_namespaces(7)), below every Cilium release's
// floor: CentOS 7's 3.10 in kubermatic/kubermatic#8656 ("this version of centos kernel does not seem to support group
// namespace"). That is an inference from the error, so it is said with high, not certain, confidence.
import type { EvidenceQuote, Finding, FixStep } from './contract.ts';
import type { Evidence } from './evidence.ts';
import { computeBlastRadius } from './blast-radius.ts';
import { findAgentLines, lineText, quoteLogLine, type LogQuery } from './agent-logs.ts';
import { formatTriple, parseTriple, type KernelTriple } from './kernel-version.ts';
import { kernelUpgradeHint } from './os-kernel-hints.ts';
import { agentPodSelector, ciliumNamespace } from './install-commands.ts';
import { ciliumDoc } from './runbook-kit.ts';
import { anyReleaseKernelFloor, ciliumKernelFloor } from './kernel-matrix.ts';

const ID = 'kernel-too-old';
const REFUSAL = /kernel version: NOT OK: minimal supported kernel version is >= ?(\d+\.\d+(?:\.\d+)?)/;
const RUNNING = /kernel version that is running is:? v?(\d+\.\d+(?:\.\d+)?)/;
const REFUSALS: LogQuery = { text: [REFUSAL] };
const NO_CGROUP_NS = /nsenter: cannot open \S*proc\/1\/ns\/cgroup: No such file or directory/;
const NO_CGROUP_NS_LINES: LogQuery = { text: [NO_CGROUP_NS] };

export interface KernelRefusal {
  minimum: KernelTriple;
  /** The version the agent read from `uname -r`, when the line says it (≥ 0.10). */
  running: KernelTriple | null;
}

/** The minimum and running kernel an agent refusal line states; null for any other line. */
export function readKernelRefusal(text: string): KernelRefusal | null {
  const min = REFUSAL.exec(text)?.[1];
  const minimum = min === undefined ? null : parseTriple(min);
  if (minimum === null) return null;
  const run = RUNNING.exec(text)?.[1];
  return { minimum, running: run === undefined ? null : parseTriple(run) };
}

/**
 * The finding for an agent that refused the kernel, or an init container that found no cgroup namespace, when
 * kernel-too-old could not compare versions itself (the node's kernel was not read).
 */
export function kernelRefusalFinding(e: Evidence): Finding | null {
  const lines = findAgentLines(e, REFUSALS, 3);
  const first = lines[0];
  const refusal = first === undefined ? null : readKernelRefusal(lineText(first.line));
  if (first === undefined || refusal === null) return noCgroupNamespaceFinding(e);
  const want = formatTriple(refusal.minimum);
  const running = refusal.running === null ? null : formatTriple(refusal.running);
  const evidence: EvidenceQuote[] = [
    ...lines.map((s) => quoteLogLine(s.source, s.line)),
    {
      kind: 'comparison',
      text: running === null ? `the agent's own kernel check failed: minimum ${want}` : `kernel ${running} < ${want}, as the agent itself compared it`,
      source: 'cilium-agent start-up check (pkg/datapath/linux/requirements.go)',
    },
  ];
  return {
    runbookId: ID,
    title: `Kernel ${running ?? ''} is below the agent's minimum ${want}`.replace('  ', ' '),
    severity: 'critical',
    summary: `The cilium-agent on ${e.nodeName} refused to start: its kernel check says the node's kernel${running === null ? '' : ` ${running}`} ` +
      `is below the minimum ${want} it supports, so pods on the node get no network until the node runs a newer kernel.`,
    evidence,
    blastRadius: computeBlastRadius(e),
    fixSteps: fixSteps(e, refusal.minimum),
    docs: [ciliumDoc(e, 'Cilium system requirements', 'operations/system_requirements/')],
    proposals: [{ action: 'cordon-node', params: { node: e.nodeName }, risk: 'low', reason: 'No new pods on a node whose agent cannot run.' }],
    confidence: 'certain',
    basis: 'explicit',
    explainsAgentCrash: true,
  };
}

function noCgroupNamespaceFinding(e: Evidence): Finding | null {
  const lines = findAgentLines(e, NO_CGROUP_NS_LINES, 2);
  if (lines.length === 0) return null;
  return {
    runbookId: ID,
    title: 'Kernel has no cgroup namespaces (older than Linux 4.6)',
    severity: 'critical',
    summary: `On ${e.nodeName} the mount-cgroup step cannot open the host's cgroup namespace: the kernel has none, so it is ` +
      'older than Linux 4.6 (as CentOS 7\'s 3.10 is) and below the minimum of every Cilium release; the agent cannot start and pods on the node get no network.',
    evidence: [
      ...lines.map((s) => quoteLogLine(s.source, s.line)),
      { kind: 'comparison', text: 'no /proc/1/ns/cgroup: cgroup namespaces need Linux 4.6, every Cilium release needs at least 4.8', source: 'cgroup_namespaces(7); Cilium system requirements' },
    ],
    blastRadius: computeBlastRadius(e),
    fixSteps: fixSteps(e, targetFloor(e)),
    docs: [ciliumDoc(e, 'Cilium system requirements', 'operations/system_requirements/')],
    proposals: [{ action: 'cordon-node', params: { node: e.nodeName }, risk: 'low', reason: 'No new pods on a node whose agent cannot run.' }],
    confidence: 'high',
    basis: 'inferred',
    explainsAgentCrash: true,
  };
}

/** The floor of the release read, else the one every release shares. */
function targetFloor(e: Evidence): KernelTriple {
  const version = e.cilium.ok ? e.cilium.value.version : null;
  return (version === null ? null : ciliumKernelFloor(version))?.minimum ?? anyReleaseKernelFloor().minimum;
}

function fixSteps(e: Evidence, minimum: KernelTriple): FixStep[] {
  const node = e.nodeName;
  const hint = kernelUpgradeHint(e.node.ok ? (e.node.value.osImage ?? '') : '', minimum);
  return [
    { title: 'Stop new workloads landing on the node', detail: `Cordon ${node}: its agent cannot run on this kernel.`, commands: [`kubectl cordon ${node}`] },
    { title: 'Read the kernel and OS image of the node', detail: 'Other nodes built from the same image fail the same way.', commands: [`kubectl get node ${node} -o jsonpath='{.status.nodeInfo.kernelVersion} {.status.nodeInfo.osImage}'`] },
    { title: `Move the node to kernel ${formatTriple(minimum)} or newer`, detail: `${hint.detail} Current Cilium releases need far more (5.10 from 1.18): aim for a kernel the release you run supports.`, ...(hint.commands.length > 0 ? { commands: hint.commands } : {}) },
    { title: 'Verify', detail: 'After the kernel change the agent should become Ready.', commands: [`kubectl -n ${ciliumNamespace(e)} get pods ${agentPodSelector(e)}`] },
  ];
}
