// kube-proxy-conflict: kube-proxy replacement is on while kube-proxy still runs, or its Service rules remain.
// Fact sheet §5 (kube-proxy chains per pkg/proxy/iptables and pkg/proxy/ipvs proxier.go; kubelet's own
// KUBE-KUBELET-CANARY / KUBE-FIREWALL / KUBE-MARK-* are not kube-proxy, #22164; IPVS keeps Services in ipsets
// with few KUBE-SVC chains; nftables rules are not in iptables-save), §3.1 (`kube-proxy-replacement` values,
// PR #26577, #31286; healthz :10256 clash #10621, rke2#3490), kubeproxy-free.rst warnings (PR #24407), cleanup
// caveat on RHEL 8.10 (#39204), k3s/RKE2 embedded kube-proxy (kube-hetzner#1210).
import type { EvidenceQuote, Finding, FixStep, RemediationProposal, Runbook } from './contract.ts';
import type { Evidence, IptablesInfo } from './evidence.ts';
import { computeBlastRadius } from './blast-radius.ts';
import { hasKubeProxyRules } from './iptables-summary.ts';
import { kubeProxyReplacementEnabled } from './cilium-version.ts';

const ID = 'kube-proxy-conflict';

export const kubeProxyConflict: Runbook = {
  id: ID,
  title: 'kube-proxy runs beside kube-proxy replacement',
  severity: 'critical',
  rank: 30,
  needs: ['ciliumConfig', 'kubeProxy', 'iptables'],
  match(e) {
    if (!e.ciliumConfig.ok || !kubeProxyReplacementEnabled(e.ciliumConfig.value)) return null;
    const kpr = e.ciliumConfig.value['kube-proxy-replacement'] ?? '';
    const kp = e.kubeProxy.ok ? e.kubeProxy.value : null;
    const podRunning = kp?.podOnNode != null && kp.podOnNode.phase === 'Running';
    const rules = e.iptables.ok && hasKubeProxyRules(e.iptables.value) ? e.iptables.value : null;
    const embedded = embeddedDistro(e);
    if (!podRunning && rules === null && kp?.daemonSetPresent !== true) return null;

    // Active: kube-proxy programs Services on this node right now (a pod, or k3s/RKE2's built-in one with rules).
    const active = podRunning || (embedded !== null && rules !== null);
    const evidence: EvidenceQuote[] = [{ kind: 'fact', text: `kube-proxy-replacement: "${kpr}"`, source: 'cilium-config ConfigMap' }];
    if (kp !== null) {
      if (kp.podOnNode != null) evidence.push({ kind: 'fact', text: `kube-proxy pod ${kp.podOnNode.name} on ${e.nodeName}: ${kp.podOnNode.phase}, ready=${kp.podOnNode.ready}`, source: 'pods in kube-system' });
      if (kp.daemonSetPresent) evidence.push({ kind: 'fact', text: `DaemonSet ${kp.daemonSetName ?? 'kube-proxy'} present${kp.mode != null ? `, mode ${kp.mode}` : ''}`, source: 'kube-system DaemonSets / kube-proxy ConfigMap' });
    }
    if (rules !== null) evidence.push(rulesQuote(rules));
    if (embedded !== null) evidence.push({ kind: 'fact', text: `kubelet ${embedded.kubelet}: ${embedded.name} runs kube-proxy inside its own process, not as a pod`, source: 'node status.nodeInfo.kubeletVersion' });
    if (kpr.trim().toLowerCase() === 'strict') evidence.push({ kind: 'fact', text: '"strict" is the pre-1.14 spelling; 1.16+ accept only true/false', source: 'fact sheet §3.1 (PR #26577, #31286)' });

    const ipvs = kp?.mode === 'ipvs' || rules?.kubeProxyChains.ipvs === true;
    const state = active ? 'runs' : kp?.daemonSetPresent === true && rules === null ? (kp.podOnNode === undefined ? 'is still deployed' : 'is still deployed (no pod on this node)') : 'has left its rules behind';
    return {
      runbookId: ID,
      title: active ? 'kube-proxy still runs beside kube-proxy replacement' : 'kube-proxy leftovers beside kube-proxy replacement',
      severity: active ? 'critical' : 'warning',
      summary: `Cilium replaces kube-proxy on ${e.nodeName} (kube-proxy-replacement=${kpr}) but kube-proxy ${state}, so two independent datapaths handle Service traffic${ipvs ? ' (kube-proxy in IPVS mode)' : ''}.`,
      evidence,
      blastRadius: computeBlastRadius(e),
      fixSteps: fixSteps(e, kp?.daemonSetName ?? 'kube-proxy', embedded, ipvs, rules !== null),
      docs: [
        { title: 'Kubernetes without kube-proxy', url: 'https://docs.cilium.io/en/stable/network/kubernetes/kubeproxy-free/' },
      ],
      proposals: proposals(kp?.daemonSetPresent === true ? (kp.daemonSetName ?? 'kube-proxy') : null),
      confidence: active || rules !== null ? 'certain' : 'likely',
      explainsAgentCrash: false,
    } satisfies Finding;
  },
};

function rulesQuote(r: IptablesInfo): EvidenceQuote {
  const c = r.kubeProxyChains;
  const parts = [`KUBE-SVC ${c.svc}`, `KUBE-SEP ${c.sep}`, `KUBE-EXT/FW ${c.ext}`, `KUBE-NODEPORTS ${c.nodeports}`, `KUBE-SERVICES ${c.services}`];
  if (c.ipvs) parts.push('IPVS chains present');
  if (c.proxyCanary) parts.push('KUBE-PROXY-CANARY present');
  const kubelet = r.kubeletChains.length > 0 ? `; kubelet's own ${r.kubeletChains.join(', ')} ignored` : '';
  return { kind: 'fact', text: `kube-proxy rules on the node: ${parts.join(', ')}; CILIUM_* ${r.ciliumChains}${kubelet}`, source: `iptables-save (${r.source}, ${r.backend})` };
}

function embeddedDistro(e: Evidence): { name: string; kubelet: string; flag: string } | null {
  if (!e.node.ok) return null;
  const v = e.node.value.kubeletVersion ?? '';
  if (/\+k3s/i.test(v)) return { name: 'k3s', kubelet: v, flag: 'disable-kube-proxy: true  # /etc/rancher/k3s/config.yaml (or --disable-kube-proxy)' };
  if (/\+rke2/i.test(v)) return { name: 'RKE2', kubelet: v, flag: 'disable-kube-proxy: true  # /etc/rancher/rke2/config.yaml' };
  return null;
}

function fixSteps(e: Evidence, ds: string, embedded: ReturnType<typeof embeddedDistro>, ipvs: boolean, rules: boolean): FixStep[] {
  const node = e.nodeName;
  // Exec into this node's agent, not a random pod of the DaemonSet.
  const agent = e.agentPod.ok ? `pod/${e.agentPod.value.name}` : 'ds/cilium';
  const steps: FixStep[] = [{
    title: 'Make sure the agent reaches the API server without kube-proxy',
    detail: 'Without kube-proxy the kubernetes Service ClusterIP only works once Cilium is up, so the agent must be told the real API server address. Confirm KPR is active on the agent.',
    commands: [`kubectl -n kube-system exec ${agent} -c cilium-agent -- cilium-dbg status | grep KubeProxyReplacement`],
    helmValues: 'kubeProxyReplacement: true\nk8sServiceHost: <API server host or IP>\nk8sServicePort: <API server port>',
  }];
  if (embedded !== null) {
    steps.push({ title: `Disable ${embedded.name}'s built-in kube-proxy`, detail: `Set this on every server and agent node and restart the ${embedded.name} service.`, commands: [embedded.flag] });
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
  steps.push({ title: 'Verify', detail: 'No kube-proxy rules should remain; CILIUM_* chains stay (Cilium keeps some iptables rules even with KPR).', commands: [`kubectl -n kube-system exec ${agent} -c cilium-agent -- sh -c "iptables-save -t nat | grep -cE '^-A KUBE-(SVC|SEP|SERVICES|NODEPORTS)'"`] });
  return steps;
}

function proposals(ds: string | null): RemediationProposal[] {
  if (ds === null) return [];
  return [{ action: 'remove-kube-proxy', params: { namespace: 'kube-system', daemonSet: ds }, risk: 'high', reason: 'Deleting kube-proxy drops connections it tracks and relies on k8sServiceHost being set.' }];
}
