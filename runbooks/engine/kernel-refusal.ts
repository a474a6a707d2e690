// kernel-too-old when the node's kernel was not read but the agent itself refused it. Cilium ≤ 1.12 compared `uname -r`
// with its minimum and stopped with `log.Fatalf("kernel version: NOT OK: minimal supported kernel version is %s; kernel
// version that is running is: %s", …)` (cilium/cilium pkg/datapath/linux/requirements.go CheckMinRequirements; before
// that daemon/main.go checkMinRequirements, `>= %d.%d`); the 0.8 troubleshooting guide quotes it as `CRIT kernel
// version: NOT OK: minimal supported kernel version is >= 4.8` without the running version (#603). The line is the
// agent's own verdict, so it stands without the node fact. `kernel version: NOT OK` alone (with an error) is the agent
// failing to read the version, not an old kernel, and is not matched.
import type { EvidenceQuote, Finding, FixStep } from './contract.ts';
import type { Evidence } from './evidence.ts';
import { computeBlastRadius } from './blast-radius.ts';
import { findAgentLines, lineText, quoteLogLine, type LogQuery } from './agent-logs.ts';
import { formatTriple, parseTriple, type KernelTriple } from './kernel-version.ts';
import { kernelUpgradeHint } from './os-kernel-hints.ts';
import { agentPodSelector, ciliumNamespace } from './install-commands.ts';
import { ciliumDoc } from './runbook-kit.ts';

const ID = 'kernel-too-old';
const REFUSAL = /kernel version: NOT OK: minimal supported kernel version is >= ?(\d+\.\d+(?:\.\d+)?)/;
const RUNNING = /kernel version that is running is:? v?(\d+\.\d+(?:\.\d+)?)/;
const REFUSALS: LogQuery = { text: [REFUSAL] };

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

/** The finding for an agent that refused the kernel, when kernel-too-old could not compare versions itself. */
export function kernelRefusalFinding(e: Evidence): Finding | null {
  const lines = findAgentLines(e, REFUSALS, 3);
  const first = lines[0];
  const refusal = first === undefined ? null : readKernelRefusal(lineText(first.line));
  if (first === undefined || refusal === null) return null;
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
