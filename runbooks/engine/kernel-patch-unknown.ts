// kernel-too-old's finding when only the vendor's numbering stands between the kernel and a minimum: Debian's
// "4.19.0-21-amd64" is upstream 4.19.2xx, Ubuntu's "5.4.0-1045-aws" a backported 5.4.x, so "4.19.0 < 4.19.57" says
// nothing. A warning, likely, "may be below", with how to read the real patch level; never "cannot start".
// Cilium lists Debian >= 10 and Ubuntu >= 18.04.3 as known to work with the 4.19.57 floor
// (cilium/cilium Documentation/operations/system_requirements.rst@fee7215c5f87).
import { ciliumVersionQuote } from './cilium-version-quote.ts';
import type { EvidenceQuote, Finding, FixStep } from './contract.ts';
import type { Evidence } from './evidence.ts';
import { computeBlastRadius } from './blast-radius.ts';
import type { CiliumKernelFloor, UnmetFeature } from './kernel-matrix.ts';
import { formatTriple, type KernelTriple } from './kernel-version.ts';
import { resolveKernel, upstreamText, verdictFor, type ResolvedKernel } from './kernel-resolved.ts';
import { kernelUpgradeHint } from './os-kernel-hints.ts';
import { ciliumDoc } from './runbook-kit.ts';
import { agentPodSelector, ciliumNamespace } from './install-commands.ts';

const ID = 'kernel-too-old';

/** The node's kernelVersion with the number used and where it came from ("upstream 4.19.249 from /proc/version"). */
export function kernelFactQuote(e: Evidence, kernel: ResolvedKernel): EvidenceQuote {
  const read = !kernel.basis.includes(' from /proc/') || !e.hostKernel.ok ? ''
    : e.hostKernel.value.source === 'agent-exec' ? '; /proc read in the cilium-agent container' : '; /proc read by a probe pod';
  return { kind: 'fact', text: `kernelVersion: ${kernel.parsed.raw} (${kernel.basis})`, source: `node ${e.nodeName} status.nodeInfo${read}` };
}

/** "socket LB (host-reachable services)" → "socket LB": the name without its trailing parenthesis (linear, no regex). */
function featureBaseName(name: string): string {
  const open = name.lastIndexOf(' (');
  return open !== -1 && name.endsWith(')') ? name.slice(0, open) : name;
}

export function patchUnknownFinding(
  e: Evidence, kernel: ResolvedKernel, version: string | null, floor: CiliumKernelFloor | null, features: UnmetFeature[],
): Finding {
  const raw = kernel.parsed.raw;
  const requirements = [
    ...(floor === null ? [] : [{ minimum: floor.minimum, what: `the ${formatTriple(floor.minimum)} minimum of ${version === null ? 'every Cilium release' : `Cilium ${version}`} (${floor.releases})`, source: `Cilium system requirements (${floor.source})` }]),
    ...features.map((u) => ({ minimum: u.required, what: `the ${formatTriple(u.required)} that ${featureBaseName(u.feature.name)} needs, enabled by ${u.enabledBy}`, source: `cilium-config; ${u.feature.source}` })),
  ];
  const minimums = requirements.map((r) => r.minimum);
  const target = minimums.reduce<KernelTriple>((a, b) => (b[0] - a[0] || b[1] - a[1] || b[2] - a[2]) > 0 ? b : a, [0, 0, 0]);
  const evidence: EvidenceQuote[] = [kernelFactQuote(e, kernel)];
  if (e.cilium.ok) evidence.push(ciliumVersionQuote(e.cilium.value, version));
  for (const r of requirements) {
    evidence.push({ kind: 'comparison', text: `kernel ${upstreamText(kernel)} vs ${r.what}: not decidable from uname -r`, source: r.source });
  }
  const numbering = kernel.scheme.patch === 'abi'
    ? `${kernel.scheme.label}'s uname -r carries an ABI number, not the upstream patch level`
    : `${kernel.scheme.label} keeps the base ${formatTriple(kernel.version)} and backports fixes without raising it`;
  const peersMay = (p: { kernelVersion: string; osImage: string }): boolean => {
    const k = resolveKernel(p.kernelVersion, p.osImage);
    return k !== null && minimums.some((m) => verdictFor(k, m) !== 'meets');
  };
  return {
    runbookId: ID,
    title: `Kernel ${raw} may be below ${floor === null ? 'what enabled Cilium features need' : `${version === null ? 'every Cilium release' : `Cilium ${version}`}'s minimum`}`,
    severity: 'warning',
    summary: `${e.nodeName} runs kernel ${raw}: ${numbering}, so this ${upstreamText(kernel)} may be below ${requirements.map((r) => r.what).join(' and ')}. ` +
      (kernel.readPatchWith === null
        ? 'The agent\'s own start-up probes decide: check its log before changing the kernel.'
        : `Read the real patch level with \`${kernel.readPatchWith}\` before changing anything.`),
    evidence,
    blastRadius: computeBlastRadius(e, { affects: peersMay, reason: `run kernels numbered the same way that may be below ${formatTriple(target)} too` }),
    fixSteps: fixSteps(e, kernel, target),
    docs: [ciliumDoc(e, 'Cilium system requirements', 'operations/system_requirements/'), ...features.map((u) => ({ title: u.feature.name, url: u.feature.docs }))],
    // Nothing to change on the cluster before the real version is known.
    proposals: [],
    confidence: 'medium',
    basis: 'inferred',
    explainsAgentCrash: false,
  };
}

function fixSteps(e: Evidence, kernel: ResolvedKernel, target: KernelTriple): FixStep[] {
  const node = e.nodeName;
  const want = formatTriple(target);
  const steps: FixStep[] = [];
  if (kernel.readPatchWith !== null) {
    // /proc is the host kernel's in any container, so the agent (or a debug pod when it is down) can read it.
    const read = e.agentPod.ok && e.agentPod.value.phase === 'Running'
      ? `kubectl -n ${e.agentPod.value.namespace} exec ${e.agentPod.value.name} -c cilium-agent -- ${kernel.readPatchWith}`
      : `kubectl debug node/${node} -it --image=busybox -- ${kernel.readPatchWith}`;
    steps.push({
      title: 'Read the kernel\'s real upstream version',
      detail: kernel.scheme.id === 'debian'
        ? `Debian writes it after "Debian" in /proc/version (e.g. "#1 SMP Debian 4.19.249-2"). At or above ${want}: nothing to do.`
        : `Ubuntu writes it last in /proc/version_signature (e.g. "Ubuntu 5.15.0-57.63-generic 5.15.74"). At or above ${want}: nothing to do.`,
      commands: [read],
    });
  }
  const hint = kernelUpgradeHint(e.node.ok ? (e.node.value.osImage ?? '') : '', target);
  steps.push({ title: `If it is below ${want}, move the node to kernel ${want} or newer`, detail: hint.detail, ...(hint.commands.length > 0 ? { commands: hint.commands } : {}) });
  steps.push({ title: 'Check the agent', detail: 'A kernel that is really too old shows in the agent\'s start-up errors and restarts.', commands: [`kubectl -n ${ciliumNamespace(e)} get pods ${agentPodSelector(e)}`] });
  return steps;
}
