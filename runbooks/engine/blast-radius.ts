// Blast radius from evidence, not prose: pods on the node by state, StatefulSet members (quorum risk), Services
// whose endpoints are only here, and peer nodes that will fail the same way (the autoscaler amplification: a pool
// of nodes on one kernel). Issue 4 "Blast radius and fix steps"; KPR and Hubble notes from fact sheet §3.1, §2.8.
import type { BlastRadius } from './contract.ts';
import type { Evidence, PeerNode } from './evidence.ts';
import { kubeProxyReplacementEnabled } from './cilium-version.ts';

/** Waiting reasons that mean "no pod network yet" (the CNI is down) rather than an application problem. */
const STUCK_REASONS = new Set(['ContainerCreating', 'PodInitializing']);
const MAX_LISTED = 20;

export interface PeerImpact {
  /** Which peers fail the same way, e.g. "kernel below 5.10". */
  affects(peer: PeerNode): boolean;
  /** Human reason completing "N other nodes … <reason>", e.g. "run kernel 4.14 and will fail the same way". */
  reason: string;
}

export function computeBlastRadius(e: Evidence, impact?: PeerImpact): BlastRadius {
  const node = e.node.ok ? e.node.value : null;
  const sentences: string[] = [];

  const pods: BlastRadius['pods'] = {
    known: e.workloads.ok, total: 0, byPhase: {}, byNamespace: {}, stuck: 0, stuckPods: [], hostNetwork: 0,
  };
  const statefulSetMembers: BlastRadius['statefulSetMembers'] = [];
  if (e.workloads.ok) {
    for (const p of e.workloads.value) {
      pods.total++;
      pods.byPhase[p.phase] = (pods.byPhase[p.phase] ?? 0) + 1;
      pods.byNamespace[p.namespace] = (pods.byNamespace[p.namespace] ?? 0) + 1;
      if (p.hostNetwork) pods.hostNetwork++;
      if (p.waitingReason !== undefined && STUCK_REASONS.has(p.waitingReason) && !p.hostNetwork) {
        pods.stuck++;
        if (pods.stuckPods.length < MAX_LISTED) pods.stuckPods.push({ namespace: p.namespace, name: p.name, reason: p.waitingReason });
      }
      if (p.ownerKind === 'StatefulSet' && p.ownerName !== undefined) {
        statefulSetMembers.push({ namespace: p.namespace, name: p.name, statefulSet: p.ownerName });
      }
    }
    const namespaces = Object.keys(pods.byNamespace).length;
    sentences.push(
      `${plural(pods.total, 'pod')} on ${e.nodeName} across ${plural(namespaces, 'namespace')}` +
        (pods.stuck > 0 ? `, ${pods.stuck} stuck in ContainerCreating (no pod network)` : '') +
        (pods.hostNetwork > 0 ? `; ${pods.hostNetwork} ${pods.hostNetwork === 1 ? 'uses' : 'use'} the host network and ${pods.hostNetwork === 1 ? 'keeps' : 'keep'} working` : '') + '.',
    );
    if (statefulSetMembers.length > 0) {
      const sets = new Set(statefulSetMembers.map((m) => `${m.namespace}/${m.statefulSet}`));
      sentences.push(`${plural(statefulSetMembers.length, 'StatefulSet member')} (${[...sets].slice(0, 5).join(', ')}) ${statefulSetMembers.length === 1 ? 'runs' : 'run'} here: check quorum before draining.`);
    }
  } else {
    sentences.push(`Pods on ${e.nodeName}: unknown (${e.workloads.detail}).`);
  }

  const services: BlastRadius['services'] = { known: e.services.ok, onlyHere: [], partlyHere: 0 };
  if (e.services.ok) {
    for (const s of e.services.value) {
      const withNode = s.endpoints.filter((ep) => ep.nodeName !== null);
      const here = withNode.filter((ep) => ep.nodeName === e.nodeName).length;
      if (here === 0) continue;
      if (here === withNode.length) services.onlyHere.push({ namespace: s.namespace, name: s.name });
      else services.partlyHere++;
    }
    if (services.onlyHere.length > 0) {
      const names = services.onlyHere.slice(0, 5).map((s) => `${s.namespace}/${s.name}`).join(', ');
      sentences.push(`${plural(services.onlyHere.length, 'Service')} ${services.onlyHere.length === 1 ? 'has' : 'have'} every endpoint on this node (${names}${services.onlyHere.length > 5 ? ', …' : ''}).`);
    }
  }

  const peers = peerImpact(e, node?.kernelVersion ?? null, node?.pool ?? null, node?.osImage ?? null, impact);
  if (peers.sentence !== null) sentences.push(peers.sentence);

  const kubeProxyReplacement = e.ciliumConfig.ok ? kubeProxyReplacementEnabled(e.ciliumConfig.value) : null;
  if (kubeProxyReplacement === true) {
    sentences.push('kube-proxy replacement is on: Service VIPs on this node stop working while the agent is down.');
  }
  const hubbleEnabled = e.hubble.ok ? e.hubble.value.enabled : null;
  if (hubbleEnabled === false) sentences.push('Hubble is off: no flow visibility during the incident.');

  return {
    node: e.nodeName, pods, statefulSetMembers, services, peers: peers.summary, kubeProxyReplacement, hubbleEnabled, sentences,
  };
}

function peerImpact(
  e: Evidence, kernel: string | null, pool: string | null, osImage: string | null, impact: PeerImpact | undefined,
): { summary: BlastRadius['peers']; sentence: string | null } {
  if (!e.peers.ok) {
    return {
      summary: { known: false, affected: [], reason: impact?.reason ?? null, sameKernel: 0, samePool: 0, sameOsImage: 0 },
      sentence: impact === undefined ? null : `Other nodes affected: unknown (${e.peers.detail}).`,
    };
  }
  const others = e.peers.value.filter((p) => p.name !== e.nodeName);
  const affected = impact === undefined ? [] : others.filter((p) => impact.affects(p)).map((p) => p.name);
  const summary = {
    known: true,
    affected,
    reason: impact?.reason ?? null,
    sameKernel: kernel === null ? 0 : others.filter((p) => p.kernelVersion === kernel).length,
    samePool: pool === null ? 0 : others.filter((p) => p.pool === pool).length,
    sameOsImage: osImage === null ? 0 : others.filter((p) => p.osImage === osImage).length,
  };
  if (impact === undefined) return { summary, sentence: null };
  if (affected.length === 0) return { summary, sentence: `None of the ${others.length} other nodes is affected the same way.` };
  const pools = new Set(others.filter((p) => affected.includes(p.name)).map((p) => p.pool));
  const where = pools.size === 1 && pool !== null && pools.has(pool) ? ` in pool ${pool}` : '';
  return {
    summary,
    sentence: `${affected.length} other ${affected.length === 1 ? 'node' : 'nodes'}${where} ${impact.reason}` +
      ` (${affected.slice(0, 5).join(', ')}${affected.length > 5 ? ', …' : ''}).`,
  };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
