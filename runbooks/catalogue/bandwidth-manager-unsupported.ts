// bandwidth-manager-unsupported: the bandwidth manager (or BBR) is enabled in cilium-config but cannot work on this
// node. Fact sheet §0.6/§0.8 (5.1 for EDT — so 5.4 is fine; BBR needs 5.18 and is fatal), §1.1 (CONFIG_NET_SCH_FQ),
// §2.6 lines from pkg/datapath/linux/bandwidth/bandwidth.go@439e9b25 (and its 1.16+ `manager.probe()`, which warns
// "BPF bandwidth manager needs kernel 5.1 or newer. Disabling the feature." when bpf_skb_ecn_set_ce is missing, and
// returns "cannot enable --enable-bbr, needs kernel 5.18 or newer" when bpf_skb_set_tstamp is missing), #18639 (4.19
// arm64), #33851/#33455 (procfs/devices: not the kernel), talos#2638 and #16284 (sysctl: no BBR/FQ in the kernel).
// Each of these lines is printed only with the feature on, so a line is enough without the ConfigMap (pasted logs).
// Owns these features: kernel-too-old leaves them alone (kernel-matrix `owner`).
import type { EvidenceQuote, Finding, FixStep, RemediationProposal, Runbook } from '../engine/contract.ts';
import type { Evidence } from '../engine/evidence.ts';
import { computeBlastRadius } from '../engine/blast-radius.ts';
import { findAgentLines, isErrorOrWorse, lineText, quoteLogLine, type LogQuery } from '../engine/agent-logs.ts';
import type { LogLine } from '../engine/log-parser.ts';
import { isCrashLooping } from './agent-crashloop.ts';
import { compareTriples, formatTriple, type KernelTriple } from '../engine/kernel-version.ts';
import { renderHelmValues } from '../engine/helm-values.ts';
import { ciliumDoc, configTrue, disableFeature, nodeKernel, peersBelow, verifyAgentStep } from '../engine/runbook-kit.ts';
import { helmUpgrade, rolloutRestart } from '../engine/install-commands.ts';
import { configSource } from '../engine/effective-config.ts';
import { comparisonConfidence } from '../engine/finding-confidence.ts';
import { moduleQuote, moduleState } from '../engine/node-modules.ts';
import { perPoolConfigStep } from '../engine/node-config-fix.ts';

const ID = 'bandwidth-manager-unsupported';
const EDT_MIN: KernelTriple = [5, 1, 0];
const BBR_MIN: KernelTriple = [5, 18, 0];

/** Each agent line the bandwidth manager prints when it gives up, with what it means. */
const LINES: readonly { re: RegExp; cause: string; kernel: boolean }[] = [
  { re: /bandwidth manager needs kernel 5\.1 or newer/i, cause: 'the kernel lacks the EDT helpers (bpf_skb_ecn_set_ce, Linux 5.1)', kernel: true },
  { re: /cannot enable --enable-bbr, needs kernel 5\.18/i, cause: 'BBR for pods needs Linux 5.18 (bpf_skb_set_tstamp)', kernel: true },
  { re: /bandwidth manager could not read procfs/i, cause: 'the agent could not read net.core.default_qdisc from procfs (seen in kind, #33851) — not the kernel', kernel: false },
  { re: /bandwidth manager could not detect host devices/i, cause: 'the agent found no host devices to attach to (check `devices` in cilium-config)', kernel: false },
  { re: /bandwidth manager cannot be used with IPSec/i, cause: 'IPsec encryption is on, and the two cannot be combined', kernel: false },
  { re: /BBR setup requires BPF host routing/i, cause: 'BBR needs BPF host routing, which is off or unavailable', kernel: false },
  { re: /failed to set sysctl needed by BPF bandwidth manager/i, cause: 'the kernel lacks the fq qdisc or the bbr congestion control (CONFIG_NET_SCH_FQ / CONFIG_TCP_CONG_BBR)', kernel: true },
];

const GIVE_UP_LINES: LogQuery = { text: LINES.map((x) => x.re) };

/** The error came back as the agent's start failure (hive start hook, daemon creation), so the agent exited on it. */
const START_FAILURE = /failed to start|start hook failed|daemon creation failed|cannot enable --enable-bbr/i;

/** True when the agent exits on this bandwidth-manager line rather than switching the feature off and running on. */
function agentStopsOn(e: Evidence, line: LogLine): boolean {
  if (line.level === 'fatal' || line.level === 'panic') return true;
  if (START_FAILURE.test(lineText(line))) return true;
  return isErrorOrWorse(line) && e.agentPod.ok && isCrashLooping(e.agentPod.value);
}

export const bandwidthManagerUnsupported: Runbook = {
  id: ID,
  title: 'Bandwidth manager enabled but unsupported on the node',
  severity: 'critical',
  rank: 26,
  needs: ['ciliumConfig', 'node', 'agentLogs'],
  match(e) {
    // A config that has both off wins over old lines (an earlier container's); lines stand in only without it.
    if (e.ciliumConfig.ok && !configTrue(e, 'enable-bandwidth-manager') && !configTrue(e, 'enable-bbr')) return null;
    const lines = findAgentLines(e, GIVE_UP_LINES, 5);
    const bbr = configTrue(e, 'enable-bbr') || lines.some((s) => /enable-bbr|BBR setup/i.test(lineText(s.line)));
    const bwm = configTrue(e, 'enable-bandwidth-manager') || lines.some((s) => /bandwidth manager/i.test(lineText(s.line)));
    if (!bwm && !bbr) return null;
    const k = nodeKernel(e);
    const causes = [...new Set(lines.map((s) => LINES.find((x) => x.re.test(lineText(s.line)))?.cause ?? ''))];
    const edtOld = bwm && k !== null && compareTriples(k.effective, EDT_MIN) < 0;
    const bbrOld = bbr && k !== null && compareTriples(k.effective, BBR_MIN) < 0;
    // sch_fq in /proc/modules (node probe) means the running kernel has fq, whatever a config file says (a /boot config
    // of another kernel); not listed says nothing alone (fq may be built in), so it is only quoted.
    const fqLoaded = moduleState(e, 'sch_fq') === 'loaded';
    const fqMissing = bwm && !fqLoaded && e.kernelConfig.ok && !['y', 'm'].includes(e.kernelConfig.value.options['CONFIG_NET_SCH_FQ'] ?? 'n');
    if (!edtOld && !bbrOld && !fqMissing && lines.length === 0) return null;

    // Critical only when the agent really stops on it: the BBR refusal (the probe returns an error), a fatal line, the
    // error surfacing as the start failure, or an error-level line while the pod crash-loops. Since the bandwidth
    // manager became a hive job (1.16+) "failed to set sysctl" is returned to the job and degrades health without
    // stopping the agent, so that line alone, or any error-level line, stays a warning.
    const fatal = bbrOld || lines.some((s) => agentStopsOn(e, s.line));
    const evidence: EvidenceQuote[] = [];
    if (configTrue(e, 'enable-bandwidth-manager')) evidence.push({ kind: 'fact', text: 'enable-bandwidth-manager=true', source: configSource(e, 'enable-bandwidth-manager') });
    if (configTrue(e, 'enable-bbr')) evidence.push({ kind: 'fact', text: 'enable-bbr=true', source: configSource(e, 'enable-bbr') });
    if (k !== null && e.node.ok) {
      evidence.push({ kind: 'fact', text: `kernelVersion: ${k.parsed.raw}`, source: `node ${e.nodeName} status.nodeInfo` });
      if (edtOld) evidence.push({ kind: 'comparison', text: `kernel ${formatTriple(k.effective)} < 5.1.0 needed by the bandwidth manager (EDT)`, source: 'bandwidth.go probe(); fact sheet §1.2' });
      if (bbrOld) evidence.push({ kind: 'comparison', text: `kernel ${formatTriple(k.effective)} < 5.18.0 needed by BBR for pods`, source: 'bandwidth.go probe(); PR #19287' });
    }
    if (fqMissing && e.kernelConfig.ok) evidence.push({ kind: 'fact', text: 'CONFIG_NET_SCH_FQ is not set', source: `kernel config (${e.kernelConfig.value.source})` });
    const sysctlFailed = lines.some((s) => /failed to set sysctl/i.test(lineText(s.line)));
    const fqFact = fqMissing || sysctlFailed ? moduleQuote(e, 'sch_fq') : null;
    if (fqFact !== null) evidence.push(fqFact);
    evidence.push(...lines.map((s) => quoteLogLine(s.source, s.line)));
    const kernelProbeOnNewKernel = k !== null && !edtOld && lines.some((s) => /needs kernel 5\.1/i.test(lineText(s.line)));
    if (kernelProbeOnNewKernel) causes.push('the probe failed although the kernel is 5.1 or newer: a vendor kernel without the helper, or BPF hardening');
    if (edtOld) causes.unshift('the kernel is older than 5.1');
    if (bbrOld) causes.unshift('BBR needs kernel 5.18');
    if (fqMissing) causes.push('the kernel is built without the fq qdisc (CONFIG_NET_SCH_FQ)');
    const what = bbr && (bbrOld || lines.some((s) => /bbr/i.test(lineText(s.line)))) ? 'BBR for pods' : 'the bandwidth manager';

    return {
      runbookId: ID,
      title: fatal ? `${what === 'BBR for pods' ? 'BBR' : 'Bandwidth manager'} cannot start on ${e.nodeName}` : `Bandwidth manager disabled on ${e.nodeName}`,
      severity: fatal ? 'critical' : 'warning',
      summary: `${e.nodeName} has ${what} enabled but ${causes.filter((c) => c !== '').join('; ')}` +
        (fatal ? ', so the cilium-agent refuses to start.' : sysctlFailed
          ? ', so the bandwidth manager was not set up (no line shows the agent exiting on it): pod egress rate limits (kubernetes.io/egress-bandwidth) are not enforced here.'
          : ', so the agent switched it off: pod egress rate limits (kubernetes.io/egress-bandwidth) are not enforced here.'),
      evidence,
      blastRadius: computeBlastRadius(e, !edtOld && !bbrOld ? undefined : {
        affects: peersBelow(bbrOld ? BBR_MIN : EDT_MIN),
        reason: `run kernels below ${bbrOld ? '5.18' : '5.1'} and cannot run it either`,
      }),
      fixSteps: fixSteps(e, bwm, bbr, edtOld || bbrOld || fqMissing, bbrOld),
      docs: [ciliumDoc(e, 'Bandwidth Manager', 'network/kubernetes/bandwidth-manager/'), ciliumDoc(e, 'System requirements', 'operations/system_requirements/')],
      proposals: proposals(bwm, bbr, bbrOld),
      confidence: lines.length > 0 || fqMissing ? 'certain' : k === null ? 'medium' : comparisonConfidence(e, k.resolved.exact && !k.resolved.docsEquivalent),
      basis: lines.length > 0 ? 'explicit' : fqMissing ? 'observed' : 'inferred',
      explainsAgentCrash: fatal,
    } satisfies Finding;
  },
};

function fixSteps(e: Evidence, bwm: boolean, bbr: boolean, kernelIsCause: boolean, bbrOld: boolean): FixStep[] {
  const steps: FixStep[] = [];
  if (kernelIsCause) {
    steps.push({
      title: `Move the node to a kernel ${bbrOld ? '≥ 5.18' : '≥ 5.1'} built with CONFIG_NET_SCH_FQ`,
      detail: 'Roll the node pool to a newer image, or keep the feature off on these nodes (next step).',
      commands: [`kubectl get node ${e.nodeName} -o jsonpath='{.status.nodeInfo.kernelVersion}'`],
    });
  }
  // Only what is enabled and failing: BBR off keeps the bandwidth manager when only BBR is the problem.
  const values = bbrOld && bwm ? renderHelmValues({ 'bandwidthManager.bbr': false })
    : renderHelmValues({ ...(bwm ? { 'bandwidthManager.enabled': false } : {}), ...(bbr ? { 'bandwidthManager.bbr': false } : {}) });
  steps.push({
    title: bbrOld && bwm ? 'Or turn BBR off (the bandwidth manager itself can stay)' : 'Or turn the bandwidth manager off',
    detail: 'This is cluster-wide; the agents restart with the new config.',
    commands: [helmUpgrade(e, 'cilium-bandwidth-fix.yaml'), rolloutRestart(e)],
    helmValues: values,
  });
  // A kernel shared by one pool: turning the feature off there only keeps it for the rest of the cluster.
  const perPool = kernelIsCause ? perPoolConfigStep(e, bbrOld && bwm
    ? { what: 'BBR', slug: 'bbr', defaults: { 'enable-bbr': 'false' } }
    : { what: bbr && !bwm ? 'BBR' : 'the bandwidth manager', slug: bbr && !bwm ? 'bbr' : 'bandwidth-manager', defaults: { ...(bwm ? { 'enable-bandwidth-manager': 'false' } : {}), ...(bbr ? { 'enable-bbr': 'false' } : {}) } }) : null;
  if (perPool !== null) steps.push(perPool);
  steps.push(verifyAgentStep(e, 'Then `cilium-dbg status` on the node should show the BandwidthManager state you expect.'));
  return steps;
}

function proposals(bwm: boolean, bbr: boolean, bbrOld: boolean): RemediationProposal[] {
  if (bbr && (bbrOld || !bwm)) return [disableFeature('enable-bbr', 'false', 'BBR cannot run on this kernel; the agent refuses to start with it.')];
  return bwm ? [disableFeature('enable-bandwidth-manager', 'false', 'The agent already switched it off here; turning it off says so explicitly and restarts the agents.')] : [];
}
