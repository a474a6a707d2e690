// kube-proxy-conflict: kube-proxy replacement is on while kube-proxy still runs, or its Service rules remain.
// Fact sheet §5 (kube-proxy chains per pkg/proxy/iptables and pkg/proxy/ipvs proxier.go; kubelet's own
// KUBE-KUBELET-CANARY / KUBE-FIREWALL / KUBE-MARK-* are not kube-proxy, #22164; IPVS keeps Services in ipsets
// with few KUBE-SVC chains; nftables rules are not in iptables-save), §3.1 (`kube-proxy-replacement` values,
// PR #26577, #31286; healthz :10256 clash #10621, rke2#3490), kubeproxy-free.rst warnings (PR #24407), cleanup
// caveat on RHEL 8.10 (#39204), k3s embedded kube-proxy (kube-hetzner#1210). RKE2 does not embed kube-proxy: it runs
// it as a static pod (component=kube-proxy, rancher/rke2 pkg/staticpod) until `disable-kube-proxy: true`
// (rancher/rke2#2785). Without cilium-config, the agent's own `cilium-dbg status` line `KubeProxyReplacement: True`
// (`Strict` before 1.14; pkg/client FormatStatusResponse) says it is on — e.g. beside a pasted iptables-save.
import type { EvidenceQuote, Finding, FixStep, RemediationProposal, Runbook } from '../engine/contract.ts';
import type { Evidence, IptablesInfo } from '../engine/evidence.ts';
import { computeBlastRadius } from '../engine/blast-radius.ts';
import { hasKubeProxyRules } from '../engine/iptables-summary.ts';
import { kubeProxyReplacementEnabled } from '../engine/cilium-version.ts';
import { agentCli, agentShell } from '../engine/install-commands.ts';
import { configSource } from '../engine/effective-config.ts';
import { agentStatusOf, agentStatusSource } from '../engine/agent-status.ts';

const ID = 'kube-proxy-conflict';

export const kubeProxyConflict: Runbook = {
  id: ID,
  title: 'kube-proxy runs beside kube-proxy replacement',
  severity: 'critical',
  rank: 30,
  // With kube-proxy replacement off there is nothing to conflict with: the runbook does not apply, so it is not
  // "inconclusive" for want of iptables.
  needs: (e) => (e.ciliumConfig.ok && !kubeProxyReplacementEnabled(e.ciliumConfig.value) ? [] : statusKpr(e) !== null ? ['kubeProxy', 'iptables'] : ['ciliumConfig', 'kubeProxy', 'iptables']),
  match(e) {
    const fromConfig = e.ciliumConfig.ok && kubeProxyReplacementEnabled(e.ciliumConfig.value);
    const fromStatus = fromConfig ? null : statusKpr(e);
    if (!fromConfig && fromStatus === null) return null;
    const kpr = fromConfig && e.ciliumConfig.ok ? (e.ciliumConfig.value['kube-proxy-replacement'] ?? '') : (fromStatus ?? '');
    const kp = e.kubeProxy.ok ? e.kubeProxy.value : null;
    const podRunning = kp?.podOnNode != null && kp.podOnNode.phase === 'Running';
    const rules = e.iptables.ok && hasKubeProxyRules(e.iptables.value) ? e.iptables.value : null;
    const embedded = distroKubeProxy(e);
    if (!podRunning && rules === null && kp?.daemonSetPresent !== true) return null;

    // Active: kube-proxy programs Services on this node right now (a pod, or k3s/RKE2's built-in one with rules).
    const active = podRunning || (embedded?.embedded === true && rules !== null);
    // Running kube-proxy beside KPR is discouraged, not broken in itself (cilium/cilium PR #24407: "highly not
    // recommended" yet possible, e.g. RKE1), so critical needs the node's own pod read running. A pasted
    // `kubectl get pods` stands in for every node (agent-rows.ts): with this node's pods unread and nothing else
    // showing kube-proxy here, it is a medium-confidence warning that says so.
    const podUnread = podRunning && rules === null && /^pasted\b/.test(kp?.source ?? '');
    const critical = active && !podUnread;
    const evidence: EvidenceQuote[] = [fromConfig
      ? { kind: 'fact', text: `kube-proxy-replacement: "${kpr}"`, source: configSource(e, 'kube-proxy-replacement') }
      : { kind: 'fact', text: `KubeProxyReplacement: ${kpr}`, source: agentStatusSource(e) }];
    if (kp !== null) {
      if (kp.podOnNode != null) evidence.push({ kind: 'fact', text: `kube-proxy ${kp.podOnNode.kind === 'static' ? 'static pod' : 'pod'} ${kp.podOnNode.name} on ${e.nodeName}: ${kp.podOnNode.phase}, ready=${kp.podOnNode.ready}`, source: 'pods on the node' });
      if (kp.daemonSetPresent) evidence.push({ kind: 'fact', text: `DaemonSet ${kp.daemonSetName ?? 'kube-proxy'} present${kp.mode != null ? `, mode ${kp.mode}` : ''}`, source: 'kube-system DaemonSets / kube-proxy ConfigMap' });
    }
    if (rules !== null) evidence.push(rulesQuote(rules));
    if (embedded !== null) evidence.push({ kind: 'fact', text: embedded.how, source: embedded.source });
    if (kpr.trim().toLowerCase() === 'strict') evidence.push({ kind: 'fact', text: '"strict" is the pre-1.14 spelling; 1.16+ accept only true/false', source: 'fact sheet §3.1 (PR #26577, #31286)' });

    const ipvs = kp?.mode === 'ipvs' || rules?.kubeProxyChains.ipvs === true;
    const state = active ? 'runs' : kp?.daemonSetPresent === true && rules === null ? (kp.podOnNode === undefined ? 'is still deployed' : 'is still deployed (no pod on this node)') : 'has left its rules behind';
    return {
      runbookId: ID,
      title: active ? 'kube-proxy still runs beside kube-proxy replacement' : 'kube-proxy leftovers beside kube-proxy replacement',
      severity: critical ? 'critical' : 'warning',
      summary: `Cilium replaces kube-proxy on ${e.nodeName} (kube-proxy-replacement=${kpr}) but kube-proxy ${state}, so two independent datapaths handle Service traffic${ipvs ? ' (kube-proxy in IPVS mode)' : ''}.` +
        (podUnread ? ' The node\'s own pods were not read: the pasted kube-proxy pods are taken to cover every node.' : ''),
      evidence,
      blastRadius: computeBlastRadius(e),
      fixSteps: fixSteps(e, kp?.daemonSetName ?? 'kube-proxy', embedded, ipvs, rules !== null),
      docs: [
        { title: 'Kubernetes without kube-proxy', url: 'https://docs.cilium.io/en/stable/network/kubernetes/kubeproxy-free/' },
      ],
      proposals: proposals(kp?.daemonSetPresent === true ? (kp.daemonSetName ?? 'kube-proxy') : null),
      confidence: podUnread ? 'medium' : active || rules !== null ? 'certain' : 'medium',
      basis: 'observed',
      explainsAgentCrash: false,
    } satisfies Finding;
  },
};

/** KPR as the agent reports it when cilium-config was not read: True (≥ 1.14) or Strict (older); null otherwise. */
function statusKpr(e: Evidence): string | null {
  if (e.ciliumConfig.ok) return null;
  const mode = agentStatusOf(e)?.kubeProxyReplacement ?? null;
  return mode !== null && /^(true|strict)$/i.test(mode) ? mode : null;
}

function rulesQuote(r: IptablesInfo): EvidenceQuote {
  const c = r.kubeProxyChains;
  const parts = [`KUBE-SVC ${c.svc}`, `KUBE-SEP ${c.sep}`, `KUBE-EXT/FW ${c.ext}`, `KUBE-NODEPORTS ${c.nodeports}`, `KUBE-SERVICES ${c.services}`];
  if (c.ipvs) parts.push('IPVS chains present');
  if (c.proxyCanary) parts.push('KUBE-PROXY-CANARY present');
  const kubelet = r.kubeletChains.length > 0 ? `; kubelet's own ${r.kubeletChains.join(', ')} ignored` : '';
  return { kind: 'fact', text: `kube-proxy rules on the node: ${parts.join(', ')}; CILIUM_* ${r.ciliumChains}${kubelet}`, source: `iptables-save (${r.source}, ${r.backend})` };
}

interface DistroKubeProxy {
  name: 'k3s' | 'RKE2';
  /** k3s: inside the k3s process (no pod); RKE2: a static pod the rke2 service writes. */
  embedded: boolean;
  how: string;
  source: string;
  flag: string;
}

/** k3s runs kube-proxy inside its own process; RKE2 runs it as a static pod. Both turn it off in their config file. */
function distroKubeProxy(e: Evidence): DistroKubeProxy | null {
  if (!e.node.ok) return null;
  const v = e.node.value.kubeletVersion ?? '';
  const embeddedFact = e.kubeProxy.ok ? e.kubeProxy.value.embedded : undefined;
  if (/\+k3s/i.test(v) && embeddedFact !== false) {
    return {
      name: 'k3s', embedded: true,
      how: `kubelet ${v}: k3s runs kube-proxy inside its own process, not as a pod${embeddedFact === true ? ' (its node-args do not disable it)' : ''}`,
      source: embeddedFact === true ? 'node annotation k3s.io/node-args' : 'node status.nodeInfo.kubeletVersion',
      flag: 'disable-kube-proxy: true  # /etc/rancher/k3s/config.yaml (or --disable-kube-proxy)',
    };
  }
  if (/\+rke2/i.test(v)) {
    return {
      name: 'RKE2', embedded: false,
      how: `kubelet ${v}: RKE2 runs kube-proxy as a static pod (kube-proxy-<node>), not from a DaemonSet`,
      source: 'node status.nodeInfo.kubeletVersion',
      flag: 'disable-kube-proxy: true  # /etc/rancher/rke2/config.yaml, then restart rke2-server/rke2-agent',
    };
  }
  return null;
}

function fixSteps(e: Evidence, ds: string, embedded: DistroKubeProxy | null, ipvs: boolean, rules: boolean): FixStep[] {
  const node = e.nodeName;
  const steps: FixStep[] = [{
    title: 'Make sure the agent reaches the API server without kube-proxy',
    detail: 'Without kube-proxy the kubernetes Service ClusterIP only works once Cilium is up, so the agent must be told the real API server address. Confirm KPR is active on the agent.',
    commands: [`${agentCli(e, 'status')} | grep KubeProxyReplacement`],
    helmValues: 'kubeProxyReplacement: true\nk8sServiceHost: <API server host or IP>\nk8sServicePort: <API server port>',
  }];
  if (embedded !== null) {
    steps.push({ title: `Disable ${embedded.name}'s ${embedded.embedded ? 'built-in' : 'static-pod'} kube-proxy`, detail: `Set this on every server and agent node and restart the ${embedded.name} service.`, commands: [embedded.flag] });
  } else {
    steps.push({
      title: 'Remove kube-proxy',
      detail: 'Existing connections through kube-proxy break when it goes (kubeproxy-free guide). On managed clusters remove the kube-proxy add-on instead; on kubeadm skip the phase for new control planes (--skip-phases=addon/kube-proxy).',
      commands: [`kubectl -n kube-system delete daemonset ${ds}`, 'kubectl -n kube-system delete configmap kube-proxy'],
    });
  }
  if (rules || ipvs) {
    steps.push({
      title: 'Clean kube-proxy rules from each node',
      detail: 'Rebooting the node is the safest cleanup. The docs\' `iptables-save | grep -v KUBE | iptables-restore` also strips kubelet\'s own chains, and on RHEL 8.10 removing KUBE-* rules cut SSH until reboot (#39204) — use it only with console access.' +
        (ipvs ? ' In IPVS mode also clear the IPVS table and the kube-ipvs0 device.' : ''),
      commands: [
        `kubectl drain ${node} --ignore-daemonsets --delete-emptydir-data && ssh ${node} sudo reboot`,
        ...(ipvs ? ['sudo ipvsadm --clear', 'sudo ip link delete kube-ipvs0'] : []),
      ],
    });
  }
  steps.push({ title: 'Verify', detail: 'No kube-proxy rules should remain; CILIUM_* chains stay (Cilium keeps some iptables rules even with KPR).', commands: [agentShell(e, `sh -c "iptables-save -t nat | grep -cE '^-A KUBE-(SVC|SEP|SERVICES|NODEPORTS)'"`)] });
  return steps;
}

function proposals(ds: string | null): RemediationProposal[] {
  if (ds === null) return [];
  return [{ action: 'remove-kube-proxy', params: { namespace: 'kube-system', daemonSet: ds }, risk: 'high', reason: 'Deleting kube-proxy drops connections it tracks and relies on k8sServiceHost being set.' }];
}
