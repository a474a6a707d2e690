// kernel-too-old: the node's kernel is below the running Cilium version's floor, or below what an enabled feature
// needs — decided by comparing versions, never by the "Require support for …" text alone.
// Fact sheet §1.1 (floors), §1.2 (features), §2.1: 6.18 kernels print "Require support for dead code elimination
// (Linux 5.1 or newer)" on v1.18.8 (#44967) and hardened 6.1+ kernels do too (deckhouse#22619); a kernel at or
// above the named version is a probe/config problem (kernel-config-missing), not this runbook.
// §2.10: the folklore "FATAL: kernel too old to run Cilium" does not exist in Cilium and is never matched.
// Scope: floor violations and fatal (or undocumented) feature requirements only; the bandwidth manager, BBR and
// WireGuard belong to their feature runbooks, and fallbacks (BPF host routing) are not failures. Below the floor,
// map-creation failures are quoted here and bpf-map-create-failed is folded in (`supersedes`).
import { ciliumVersionQuote } from '../engine/cilium-version-quote.ts';
import type { EvidenceQuote, Finding, FixStep, RemediationProposal, Runbook } from '../engine/contract.ts';
import { KERNEL_COMPAT_LABEL, preventionSteps } from '../engine/prevention.ts';
import type { Evidence } from '../engine/evidence.ts';
import { computeBlastRadius } from '../engine/blast-radius.ts';
import { findAgentLines, isErrorOrWorse, lineText, quoteLogLine } from '../engine/agent-logs.ts';
import {
  anyReleaseKernelFloor, ciliumKernelFloor, fatalUnmetFeatures, isFeatureOwnedMessage, KERNEL_NAMED_PATTERNS, kernelNamedInMessage, newestReleaseFor,
  type CiliumKernelFloor,
  type UnmetFeature,
} from '../engine/kernel-matrix.ts';
import { MAP_CREATE_FAILURES } from './bpf-map-create-failed.ts';
import { compareTriples, formatTriple, kernelSeries, type KernelTriple } from '../engine/kernel-version.ts';
import { kernelRange, resolveKernel, upstreamText, verdictFor, type ResolvedKernel } from '../engine/kernel-resolved.ts';
import { kernelFactQuote, patchUnknownFinding } from '../engine/kernel-patch-unknown.ts';
import { kernelRefusalFinding } from '../engine/kernel-refusal.ts';
import { nodeKernel } from '../engine/runbook-kit.ts';
import { kernelUpgradeHint } from '../engine/os-kernel-hints.ts';
import { renderHelmValues } from '../engine/helm-values.ts';
import { agentPodSelector, ciliumNamespace, helmUpgrade } from '../engine/install-commands.ts';
import { comparisonConfidence } from '../engine/finding-confidence.ts';
import { featureOffDefaults, perPoolConfigStep } from '../engine/node-config-fix.ts';

const ID = 'kernel-too-old';
const COMPAT_LABEL = KERNEL_COMPAT_LABEL;

export const kernelTooOld: Runbook = {
  id: ID,
  title: 'Node kernel too old for Cilium',
  severity: 'critical',
  rank: 10,
  needs: ['node', 'cilium', 'ciliumConfig'],
  match(e) {
    const kernel = nodeKernel(e)?.resolved;
    // Without the node's kernel only the agent's own refusal (≤ 1.12 "kernel version: NOT OK") can say it is too old.
    if (kernel === undefined || !e.node.ok) return kernelRefusalFinding(e);
    const version = e.cilium.ok ? e.cilium.value.version : null;
    // With the version unread, only the floor every release shares is certain (a 3.10 or 4.4 kernel runs none).
    const floor = version === null ? anyReleaseKernelFloor() : ciliumKernelFloor(version);
    const floorVerdict = floor === null ? 'meets' : verdictFor(kernel, floor.minimum);
    const belowFloor = floorVerdict === 'below' ? floor : null;
    // Features unmet even at the highest patch level the kernel can have are certain; the rest only maybe.
    const { low, high } = kernelRange(kernel);
    const arch = e.node.value.architecture;
    const unmet = e.ciliumConfig.ok ? fatalUnmetFeatures(e.ciliumConfig.value, high, arch) : [];
    const maybeUnmet = e.ciliumConfig.ok ? fatalUnmetFeatures(e.ciliumConfig.value, low, arch).filter((u) => !unmet.some((d) => d.feature.id === u.feature.id)) : [];
    const logLines = corroboratingLines(e, low);
    if (belowFloor === null && unmet.length === 0 && !logLines.some((s) => isErrorOrWorse(s.line))) {
      // Only the vendor's numbering stands between this kernel and the minimum: say "may", never "cannot start".
      const maybeFloor = floorVerdict === 'unknown' ? floor : null;
      return maybeFloor === null && maybeUnmet.length === 0 ? null : patchUnknownFinding(e, kernel, version, maybeFloor, maybeUnmet);
    }

    const fatal = belowFloor !== null || unmet.some((u) => u.feature.effect === 'fatal') || logLines.some((s) => isErrorOrWorse(s.line));
    const target = targetKernel(belowFloor, unmet, logLines.map((s) => kernelNamedInMessage(lineText(s.line))));
    const affects = (p: { kernelVersion: string; osImage: string }): boolean => {
      const k = resolveKernel(p.kernelVersion, p.osImage);
      if (k === null) return false;
      if (belowFloor !== null && verdictFor(k, belowFloor.minimum) === 'below') return true;
      const v = kernelRange(k).high;
      return compareTriples(v, target) < 0 && unmet.length > 0 && e.ciliumConfig.ok && fatalUnmetFeatures(e.ciliumConfig.value, v, arch).length > 0;
    };
    const series = peerSeries(e, affects);
    const blastRadius = computeBlastRadius(e, {
      affects,
      reason: series === null ? `run kernels below ${formatTriple(target)} and will fail the same way` : `run kernel ${series} and will fail the same way`,
    });

    // Root cause before symptom: below the floor, the agent's map failures are this kernel's doing, so they
    // are quoted here and the separate bpf-map-create-failed finding is folded into this one.
    const mapLines = belowFloor === null ? [] : findAgentLines(e, MAP_CREATE_FAILURES, 3);
    return {
      runbookId: ID,
      title: belowFloor !== null ? `Kernel ${kernel.parsed.raw} is below ${version === null ? 'every Cilium release' : `Cilium ${version}`}'s minimum`
        : unmet.length > 0 ? `Kernel ${kernel.parsed.raw} cannot run enabled Cilium features` : `Kernel ${kernel.parsed.raw} is older than the agent requires`,
      severity: fatal ? 'critical' : 'warning',
      summary: summaryOf(e, kernel, version, belowFloor, unmet, fatal),
      evidence: [...comparisons(e, kernel, version, belowFloor, unmet), ...maybeFloorQuote(kernel, floorVerdict === 'unknown' ? floor : null), ...logLines.slice(0, 5).map((s) => quoteLogLine(s.source, s.line)),
        ...mapLines.map((s) => quoteLogLine(s.source, s.line))],
      blastRadius,
      // A fleet-wide cause: prevention (CI preflight, image check, admission guard) closes the critical finding.
      fixSteps: [...fixSteps(e, target, belowFloor, unmet, blastRadius.peers.affected.length),
        ...(fatal ? preventionSteps({ cause: ID, ciliumVersion: version, minimumKernel: target, pool: e.node.ok ? (e.node.value.pool ?? null) : null }) : [])],
      docs: docsFor(version, unmet),
      proposals: proposals(e.nodeName, belowFloor !== null || fatal),
      // Exact numbers read from the cluster make it certain; a stated version or a docs equivalence does not.
      confidence: comparisonConfidence(e, !kernel.docsEquivalent && unmet.every((u) => u.feature.effect !== 'unverified')),
      basis: logLines.some((s) => isErrorOrWorse(s.line)) ? 'explicit' : 'inferred',
      explainsAgentCrash: fatal,
      ...(mapLines.length > 0 ? { supersedes: ['bpf-map-create-failed'] } : {}),
    } satisfies Finding;
  },
};

/** Agent lines naming a kernel version newer than this node's: those corroborate; lines naming an older one do not. */
function corroboratingLines(e: Evidence, kernel: KernelTriple) {
  return findAgentLines(e, {
    text: KERNEL_NAMED_PATTERNS,
    where: (l) => {
      const named = kernelNamedInMessage(lineText(l));
      return named !== null && compareTriples(kernel, named) < 0 && !isFeatureOwnedMessage(lineText(l));
    },
  }, 10);
}

function targetKernel(floor: CiliumKernelFloor | null, unmet: UnmetFeature[], named: (KernelTriple | null)[]): KernelTriple {
  let t: KernelTriple = floor?.minimum ?? [0, 0, 0];
  for (const v of [...unmet.map((u) => u.required), ...named]) if (v !== null && compareTriples(v, t) > 0) t = v;
  return t;
}

function peerSeries(e: Evidence, affects: (p: { kernelVersion: string; osImage: string }) => boolean): string | null {
  if (!e.peers.ok) return null;
  const series = new Set<string>();
  for (const p of e.peers.value) {
    if (p.name === e.nodeName || !affects(p)) continue;
    const k = resolveKernel(p.kernelVersion, p.osImage);
    if (k !== null) series.add(kernelSeries(k.parsed));
  }
  return series.size === 1 ? ([...series][0] ?? null) : null;
}

function summaryOf(
  e: Evidence, kernel: ResolvedKernel, version: string | null, floor: CiliumKernelFloor | null, unmet: UnmetFeature[], fatal: boolean,
): string {
  const parts: string[] = [];
  if (floor !== null) parts.push(`below the ${formatTriple(floor.minimum)} minimum of ${version === null ? 'every Cilium release' : `Cilium ${version}`} (${floor.releases})`);
  if (unmet.length > 0) {
    const named = unmet.slice(0, 3).map((u) => `${u.feature.name.replace(/ \(.*\)$/, '')} (needs ${formatTriple(u.required)})`);
    parts.push(`too old for ${named.join(', ')}${unmet.length > 3 ? ` and ${unmet.length - 3} more enabled features` : ''}`);
  }
  if (parts.length === 0) parts.push('older than the kernel the agent itself says it requires');
  const outcome = fatal ? 'so the cilium-agent cannot start and pods on the node get no network' : 'so these features are degraded or switched off';
  const upstream = kernel.docsEquivalent ? ` (counted as ${upstreamText(kernel)} per Cilium's docs)`
    : kernel.scheme.patch === 'upstream' ? '' : ` (upstream ${upstreamText(kernel)})`;
  return `${e.nodeName} runs kernel ${kernel.parsed.raw}${upstream}, ${parts.join(' and ')}, ${outcome}.`;
}

function comparisons(
  e: Evidence, kernel: ResolvedKernel, version: string | null, floor: CiliumKernelFloor | null, unmet: UnmetFeature[],
): EvidenceQuote[] {
  const eff = upstreamText(kernel);
  const out: EvidenceQuote[] = [kernelFactQuote(e, kernel)];
  if (e.cilium.ok) out.push(ciliumVersionQuote(e.cilium.value, version));
  if (floor !== null) {
    out.push({ kind: 'comparison', text: `kernel ${eff} < ${formatTriple(floor.minimum)}, the minimum for Cilium ${floor.releases}`, source: `Cilium system requirements (${floor.source})` });
  }
  for (const u of unmet) {
    out.push({ kind: 'comparison', text: `${u.enabledBy} enables ${u.feature.name}: needs kernel ${formatTriple(u.required)}, node has ${eff}`, source: `cilium-config; ${u.feature.source}` });
  }
  return out;
}

function fixSteps(e: Evidence, target: KernelTriple, floor: CiliumKernelFloor | null, unmet: UnmetFeature[], affectedPeers: number): FixStep[] {
  const node = e.nodeName;
  const steps: FixStep[] = [{
    title: 'Stop new workloads landing on the node',
    detail: `Cordon ${node} and label it so it can be kept out of Cilium's schedule.` +
      (affectedPeers > 0 ? ` Do the same for the ${affectedPeers} other affected nodes, and stop the autoscaler from adding more nodes from this image.` : ''),
    commands: [`kubectl cordon ${node}`, `kubectl label node ${node} ${COMPAT_LABEL}=false --overwrite`],
  }];
  const hint = kernelUpgradeHint(e.node.ok ? (e.node.value.osImage ?? '') : '', target);
  const split = floor !== null && compareTriples(target, floor.minimum) > 0
    ? ` Cilium ${floor.releases} itself needs ${formatTriple(floor.minimum)}; ${formatTriple(target)} is for the enabled features, which you can also turn off (next step).`
    : '';
  steps.push({ title: `Move the node to kernel ${formatTriple(target)} or newer`, detail: hint.detail + split, ...(hint.commands.length > 0 ? { commands: hint.commands } : {}) });
  if (unmet.length > 0) {
    const config = e.ciliumConfig.ok ? e.ciliumConfig.value : {};
    const values = renderHelmValues(...unmet.map((u) => u.feature.helmDisable(config)));
    const kprOff = values.includes('kubeProxyReplacement: false');
    steps.push({
      title: floor === null ? 'Or turn off the features this kernel cannot run' : 'Also turn off the features this kernel cannot run (if you keep it)',
      detail: `Only these are enabled and unsupported here: ${unmet.map((u) => u.enabledBy).join(', ')}.` +
        (kprOff ? ' Turning kube-proxy replacement off needs kube-proxy deployed again first, or Services stop working.' : ''),
      commands: [helmUpgrade(e, 'cilium-kernel-fix.yaml')],
      helmValues: values,
    });
    // Above the floor, only features stand in the way: a pool on an old image can run without them, alone.
    const perFeature = unmet.map((u) => featureOffDefaults(u.feature.id, config));
    const perPool = floor === null && perFeature.every((d) => d !== null)
      ? perPoolConfigStep(e, { what: unmet.length === 1 ? (unmet[0]?.feature.name.replace(/ \(.*\)$/, '') ?? 'the feature') : 'these features', slug: unmet.length === 1 ? (unmet[0]?.feature.id ?? 'features') : 'kernel-features', defaults: Object.assign({}, ...perFeature) as Record<string, string> })
      : null;
    if (perPool !== null) steps.push(perPool);
  }
  if (floor !== null) {
    const older = newestReleaseFor(effectiveKernelOf(e) ?? [0, 0, 0]);
    steps.push({
      title: 'Or keep the agent off these nodes until they are replaced',
      detail: 'Pods on a node without a running agent get no network, so drain it too. ' +
        (older !== null && compareTriples(older.minimum, [4, 19, 57]) >= 0
          ? `A Cilium ${older.releases} release would run on this kernel, but only as a stopgap.`
          : 'No supported Cilium release runs on this kernel.'),
      commands: [`kubectl drain ${node} --ignore-daemonsets --delete-emptydir-data`],
      helmValues: [
        'affinity:', '  nodeAffinity:', '    requiredDuringSchedulingIgnoredDuringExecution:', '      nodeSelectorTerms:',
        '        - matchExpressions:', `            - key: ${COMPAT_LABEL}`, '              operator: NotIn', '              values: ["false"]',
      ].join('\n'),
    });
  }
  steps.push({ title: 'Verify', detail: 'After the kernel change the agent should become Ready.', commands: [`kubectl get node ${node} -o jsonpath='{.status.nodeInfo.kernelVersion}'`, `kubectl -n ${ciliumNamespace(e)} get pods ${agentPodSelector(e)}`] });
  return steps;
}

function effectiveKernelOf(e: Evidence): KernelTriple | null {
  return nodeKernel(e)?.effective ?? null;
}

/** A floor the hidden patch level may not meet, beside certain failures (they decide the severity). */
function maybeFloorQuote(kernel: ResolvedKernel, floor: CiliumKernelFloor | null): EvidenceQuote[] {
  if (floor === null) return [];
  return [{ kind: 'comparison', text: `kernel ${upstreamText(kernel)} may also be below ${formatTriple(floor.minimum)}, the minimum for Cilium ${floor.releases} (patch level not known)`, source: `Cilium system requirements (${floor.source})` }];
}

function docsFor(version: string | null, unmet: UnmetFeature[]) {
  const minor = version === null ? null : /^(\d+\.\d+)/.exec(version)?.[1];
  const docs = [{ title: 'Cilium system requirements', url: `https://docs.cilium.io/en/${minor == null ? 'stable' : `v${minor}`}/operations/system_requirements/` }];
  for (const u of unmet) if (!docs.some((d) => d.url === u.feature.docs)) docs.push({ title: u.feature.name, url: u.feature.docs });
  return docs;
}

function proposals(node: string, keepOff: boolean): RemediationProposal[] {
  const out: RemediationProposal[] = [
    { action: 'cordon-node', params: { node }, risk: 'low', reason: 'No new pods on a node whose agent cannot run.' },
    { action: 'label-node', params: { node, key: COMPAT_LABEL, value: 'false' }, risk: 'low', reason: 'Marks the node so the agent affinity and the autoscaler can exclude it.' },
  ];
  if (keepOff) {
    out.push({ action: 'pin-agent-affinity', params: { key: COMPAT_LABEL, operator: 'NotIn', values: 'false' }, risk: 'medium', reason: 'Stops the agent crash-looping on labelled nodes; pods there stay without network until drained.' });
  }
  return out;
}
