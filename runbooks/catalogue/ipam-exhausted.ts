// ipam-exhausted: the node has no pod IPs left (or none assigned). Fact sheet §2.9: CNI/kubelet `unable to allocate
// IP via local cilium agent: [POST /ipam][502] postIpamFailure range is full` (#10627, #9793, #13955, #18331), agent
// `Error while allocating cilium-health IP" error="range is full"` (#5517); multi-pool `all CIDR ranges are exhausted`
// (#46598; on the pre-releases that allocator bug affects, version-advisory's entry supersedes this reading, since the
// thread found attached prefixes unused rather than a full pool) and `Failed to allocate PodCIDRs to node` (#39874). Not exhaustion: `required IPv4 pod CIDR not present in
// node resource` and the fatal `Unable to derive PodCIDR from Kubernetes node resource, giving up` (pkg/k8s/init.go
// retrieveNodeInformation / Init) say no PodCIDR was ever allocated to the node — the operator (cluster-pool) or
// kube-controller-manager (kubernetes) did not hand one out, e.g. an operator stuck Pending (#12956; PR #13299). "range is full" with few pods usually means a node route overlapping the PodCIDR or a bridge
// CNI (#5517, #9793), not exhaustion. CiliumNode spec.ipam.podCIDRs / status.ipam.used / operator-status.error
// (pkg/ipam/types IPAMStatus; PR #11083, PR #13197). `cilium-dbg status` `IPAM: IPv4: 510/511 allocated from …`
// (#18331) at or within one address of its total is exhausted, at ≥ 95 % nearly so (engine/agent-status.ts ipamPressure).
import type { EvidenceQuote, Finding, FixStep, Runbook } from '../engine/contract.ts';
import type { Evidence } from '../engine/evidence.ts';
import { computeBlastRadius } from '../engine/blast-radius.ts';
import { findAgentLines, lineText, quoteLogLine, type LogQuery } from '../engine/agent-logs.ts';
import { ciliumDoc, configValue } from '../engine/runbook-kit.ts';
import { agentCli, ciliumNamespace } from '../engine/install-commands.ts';
import { configSource } from '../engine/effective-config.ts';
import { agentStatusOf, agentStatusSource, ipamPressure, type IpamPool } from '../engine/agent-status.ts';

const ID = 'ipam-exhausted';
// ENI/Azure/CRD-backed pools: the agent's pool is empty until the operator attaches more (`no IPs currently available
// on the node, allocation will be retried once Cilium Operator allocates more IPs`, pkg/ipam crd allocator) and older
// `No more IPs available`; the operator's own info line `No more IPs available, creating new ENI` is routine.
const FULL = /range is full|all (?:pod )?CIDR ranges are exhausted|Failed to allocate PodCIDRs to node|no IPs currently available on the node|No more IPs available(?!, creating new ENI)/i;
const POST_IPAM_FAILURE = /\[POST \/ipam\]\[\d+\] postIpamFailure\s*$/;
const CNI_RELAY = /unable to allocate IP via local cilium agent|\[POST \/ipam\]\[\d+\]/i;
const NO_CIDR = /required IPv[46] pod CIDR not present in node resource|Unable to derive PodCIDR from Kubernetes node resource/i;
const FULL_LINES: LogQuery = { text: [FULL] };
const NO_CIDR_LINES: LogQuery = { text: [NO_CIDR] };

/** Usable addresses in the node's CIDRs (IPv4 only; minus network, broadcast, router and health). */
export function capacityOf(cidrs: string[]): number | null {
  let total = 0;
  for (const c of cidrs) {
    const m = /^\d+\.\d+\.\d+\.\d+\/(\d+)$/.exec(c);
    if (m === null) continue;
    total += Math.max(2 ** (32 - Number(m[1])) - 4, 0);
  }
  return total === 0 ? null : total;
}

export const ipamExhausted: Runbook = {
  id: ID,
  title: 'No pod IPs for the node (pool exhausted, or no PodCIDR allocated)',
  severity: 'critical',
  rank: 40,
  needs: ['agentLogs', 'events'],
  match(e) {
    const full = findAgentLines(e, FULL_LINES, 4);
    const noCidr = findAgentLines(e, NO_CIDR_LINES, 2);
    // A CNI event cut before its reason (`… [POST /ipam][502] postIpamFailure` with nothing after, kops#16064) is
    // still an IPAM allocation failure; the reason is then unknown.
    const events = e.events.ok ? e.events.value.filter((ev) => (FULL.test(ev.message) || POST_IPAM_FAILURE.test(ev.message)) && /allocate IP/i.test(ev.message)) : [];
    const opError = e.ciliumNode.ok ? e.ciliumNode.value.operatorError : null;
    const pools = (agentStatusOf(e)?.ipam ?? []).filter((p) => ipamPressure(p) !== null);
    const statusFull = pools.some((p) => ipamPressure(p) === 'exhausted');
    if (full.length === 0 && noCidr.length === 0 && events.length === 0 && (opError === null || opError === '') && pools.length === 0) return null;

    const cn = e.ciliumNode.ok ? e.ciliumNode.value : null;
    const capacity = cn === null ? null : (capacityOf(cn.podCIDRs) ?? cn.poolSize ?? null);
    const podsOnNode = e.workloads.ok ? e.workloads.value.filter((w) => !w.hostNetwork && w.phase !== 'Succeeded' && w.phase !== 'Failed').length : null;
    const used = cn?.used ?? podsOnNode;
    // Few IPs in use but "range is full": a route or another CNI blocks the range (#5517, #9793).
    const overlap = capacity !== null && used !== null && used < capacity * 0.5 && (full.length > 0 || events.length > 0);
    const evidence: EvidenceQuote[] = [...full, ...noCidr].map((s) => quoteLogLine(s.source, s.line));
    for (const p of pools) evidence.push({ kind: 'fact', text: `IPAM: ${p.family}: ${p.allocated}/${p.total} allocated from ${p.cidr} (${ipamPressure(p) === 'exhausted' ? 'none or one left' : '≥ 95 % used'})`, source: agentStatusSource(e) });
    for (const ev of events.slice(0, 2)) evidence.push({ kind: 'log', text: ev.message.slice(0, 400), source: `event ${ev.reason} on ${ev.involvedObject.kind} ${ev.involvedObject.namespace ?? ''}/${ev.involvedObject.name} (×${ev.count})` });
    if (cn !== null) evidence.push({ kind: 'fact', text: `CiliumNode ${e.nodeName}: podCIDRs [${cn.podCIDRs.join(', ')}]${cn.used === undefined ? '' : `, ${cn.used} IPs used`}${capacity === null ? '' : ` of ~${capacity}`}${opError === null || opError === '' ? '' : `, operator error "${opError}"`}`, source: 'CiliumNode spec.ipam / status.ipam' });
    if (podsOnNode !== null) evidence.push({ kind: 'fact', text: `${podsOnNode} non-host-network pods on the node`, source: 'pods on the node' });
    const mode = configValue(e, 'ipam') ?? 'cluster-pool';
    if (e.ciliumConfig.ok) evidence.push({ kind: 'fact', text: `ipam: ${mode}`, source: configSource(e, 'ipam') });

    if (noCidr.length > 0 && full.length === 0 && events.length === 0) return noPodCidr(e, mode, evidence);
    // CNI events alone, with nothing saying how full the pool is (no CiliumNode, pods or status: a paste of events),
    // cannot tell exhaustion from a route or bridge CNI blocking the range (#5517, #9793): a warning, likely.
    // The CNI's own relay of the refusal quoted as a log line (`unable to allocate IP via local cilium agent: [POST /ipam]
    // …`) says no more than its event does.
    const agentFull = full.filter((s) => !CNI_RELAY.test(lineText(s.line)));
    const eventsOnly = agentFull.length === 0 && noCidr.length === 0 && pools.length === 0 && (opError === null || opError === '') && capacity === null && podsOnNode === null;
    const cause = noCidr.length > 0 ? 'the node has no PodCIDR assigned yet (the operator or controller-manager has not allocated one)'
      : overlap ? `the allocator says "full" although only ${used ?? '?'} of ~${capacity ?? '?'} addresses are used — a route overlapping the PodCIDR or another CNI's bridge blocks the range`
        : opError !== null && opError !== '' ? `the operator could not allocate more for this node: ${opError}`
          : pools.length > 0 && full.length === 0 && events.length === 0 ? poolCause(pools)
            : eventsOnly ? 'the local agent refused to allocate one (the pool is full, or a route or another CNI blocks the range; the CNI message alone does not say which)'
              : 'every address in the node\'s pool is in use';
    // The status alone at ≥ 95 % (not full) is a warning: pods still start, a few more will not.
    const critical = !eventsOnly && (full.length > 0 || events.length > 0 || noCidr.length > 0 || statusFull || (opError !== null && opError !== ''));
    return {
      runbookId: ID,
      title: noCidr.length > 0 ? `No PodCIDR for ${e.nodeName}` : eventsOnly ? `Pod IP allocation fails on ${e.nodeName}` : `Pod IPs ${critical ? '' : 'nearly '}exhausted on ${e.nodeName}`,
      severity: critical ? 'critical' : 'warning',
      summary: critical || eventsOnly ? `New pods on ${e.nodeName} cannot get an IP because ${cause}; they stay in ContainerCreating.`
        : `New pods on ${e.nodeName} will soon fail to get an IP because ${cause}.`,
      evidence,
      blastRadius: computeBlastRadius(e),
      fixSteps: steps(e, mode, overlap),
      docs: [ciliumDoc(e, 'IP address management (IPAM)', 'network/concepts/ipam/'), ciliumDoc(e, 'Cluster scope IPAM', 'network/concepts/ipam/cluster-pool/')],
      proposals: [{ action: 'cordon-node', params: { node: e.nodeName }, risk: 'low', reason: 'No IPs left: new pods scheduled here cannot start.' }],
      confidence: !eventsOnly && (full.length > 0 || events.length > 0 || noCidr.length > 0 || statusFull) ? 'certain' : 'medium',
      basis: full.length > 0 || noCidr.length > 0 ? 'explicit' : 'observed',
      explainsAgentCrash: full.some((s) => /cilium-health IP/i.test(lineText(s.line)) && s.line.level === 'fatal'),
    } satisfies Finding;
  },
};

/** No PodCIDR was allocated: the agent cannot start, and no address was ever handed out, so nothing is "full". */
function noPodCidr(e: Evidence, mode: string, evidence: EvidenceQuote[]): Finding {
  const node = e.nodeName;
  const known = e.ciliumConfig.ok;
  const allocator = !known ? 'cilium-operator (ipam cluster-pool) or kube-controller-manager (ipam kubernetes)'
    : mode === 'kubernetes' ? 'kube-controller-manager (ipam kubernetes, --allocate-node-cidrs)' : 'cilium-operator (ipam cluster-pool)';
  return {
    runbookId: ID,
    title: `No PodCIDR allocated to ${node}`,
    severity: 'critical',
    summary: `The cilium-agent on ${node} cannot start: the node has no PodCIDR (node spec.podCIDR / CiliumNode spec.ipam.podCIDRs is empty), and ${allocator} has not allocated one. No address was ever handed out here, so this is not pool exhaustion.`,
    evidence,
    blastRadius: computeBlastRadius(e),
    fixSteps: [
      {
        title: 'See whether the node has a PodCIDR',
        detail: 'Empty output means none was allocated. With ipam kubernetes the agent reads node.spec.podCIDRs; with cluster-pool, CiliumNode spec.ipam.podCIDRs.',
        commands: [`kubectl get node ${node} -o jsonpath='{.spec.podCIDRs}'`, `kubectl get ciliumnode ${node} -o jsonpath='{.spec.ipam.podCIDRs}{"\\n"}{.status.ipam.operator-status}'`],
      },
      {
        title: 'Get the allocator running',
        detail: mode === 'kubernetes' && known
          ? 'kube-controller-manager must run with --allocate-node-cidrs=true and a --cluster-cidr large enough for every node.'
          : 'cilium-operator allocates from the cluster pool: it must be scheduled and Ready (a single control-plane node with its taint keeps it Pending, #12956), and its log says when the pool (clusterPoolIPv4PodCIDRList) has no CIDR left.',
        commands: [`kubectl -n ${ciliumNamespace(e)} get pods -l name=cilium-operator -o wide`, `kubectl -n ${ciliumNamespace(e)} logs deploy/cilium-operator --tail=100 | grep -iE 'cidr|ipam'`],
      },
    ],
    docs: [ciliumDoc(e, 'IP address management (IPAM)', 'network/concepts/ipam/'), ciliumDoc(e, 'Cluster scope IPAM', 'network/concepts/ipam/cluster-pool/')],
    proposals: [],
    confidence: 'certain',
    basis: 'explicit',
    explainsAgentCrash: true,
  };
}

function poolCause(pools: IpamPool[]): string {
  const p = pools[0];
  if (p === undefined) return 'the pool is nearly used up';
  return ipamPressure(p) === 'exhausted' ? `its ${p.family} pool ${p.cidr} has ${p.allocated} of ${p.total} addresses allocated (none or one left)`
    : `its ${p.family} pool ${p.cidr} has ${p.allocated} of ${p.total} addresses allocated (≥ 95 %, soon none left)`;
}

function steps(e: Evidence, mode: string, overlap: boolean): FixStep[] {
  const node = e.nodeName;
  const out: FixStep[] = [{
    title: 'See what is allocated',
    detail: 'Compare allocated addresses with the pods really running there; leaked IPs from deleted pods also fill the range.',
    commands: [`kubectl get ciliumnode ${node} -o yaml | grep -A8 ipam`, agentCli(e, 'status --all-addresses')],
  }];
  if (overlap) {
    out.push({ title: 'Remove the route or CNI that overlaps the PodCIDR', detail: 'Cilium skips any range a node route covers (#9793); a leftover bridge CNI in /etc/cni/net.d does the same.', commands: [`kubectl debug node/${node} -it --image=busybox -- sh -c 'ip route; ls /host/etc/cni/net.d'`] });
  } else {
    out.push({
      title: 'Give nodes more addresses, or fewer pods',
      detail: mode === 'cluster-pool' ? 'Lower maxPods, or move to a larger per-node mask (takes effect for new nodes; existing nodes keep their CIDR).' : 'In ENI/Azure modes raise pre-allocation or subnet size; in multi-pool add a pool.',
      helmValues: mode === 'cluster-pool' ? 'ipam:\n  operator:\n    clusterPoolIPv4MaskSize: 23' : undefined,
      commands: [`kubectl drain ${node} --ignore-daemonsets --delete-emptydir-data  # then replace the node`],
    });
  }
  return out.map((s) => (s.helmValues === undefined ? { title: s.title, detail: s.detail, ...(s.commands === undefined ? {} : { commands: s.commands }) } : s));
}
