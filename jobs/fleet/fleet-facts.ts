// Fleet facts from a few paged list calls: cilium-config, the kube-proxy DaemonSets, the cilium-agent pods, the
// kube-proxy pods and the nodes. Each page is summarised into small per-node records and dropped; full objects are
// kept only for the nodes that will be collected in depth (at most `maxDeep`), so memory does not grow with pages.
import type { V1ConfigMap, V1DaemonSet, V1Node, V1Pod } from '@kubernetes/client-node';
import { ciliumVersionFromImage } from '../../runbooks/cilium-version.ts';
import { agentHealthy, triage, type FleetAgent, type FleetContext, type FleetNode, type FleetVerdict } from '../../runbooks/fleet/fleet-node.ts';
import { VariantCounter } from '../../runbooks/fleet/drift.ts';
import { CILIUM_NAMESPACE } from '../collect/collect-evidence.ts';
import { isNodeReady, nodePool } from '../collect/node-facts.ts';
import { AGENT_CONTAINER } from '../collect/pod-facts.ts';
import type { ClusterReader, ListPage, PageQuery } from '../kube/cluster-reader.ts';

export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

export interface KubeProxyPodSummary {
  name: string;
  phase: string;
  ready: boolean;
}

export interface FleetSnapshot {
  nodes: FleetNode[];
  verdicts: Map<string, FleetVerdict>;
  context: FleetContext;
  /** Nodes a fleet-level check flagged, in list order; the first `maxDeep` have their full objects below. */
  flagged: string[];
  deepNodes: Map<string, V1Node>;
  deepAgents: Map<string, V1Pod>;
  kubeProxyPods: Map<string, KubeProxyPodSummary>;
  ciliumConfig: Settled<V1ConfigMap>;
  kubeProxyDaemonSets: Settled<V1DaemonSet[]>;
  /** Fleet facts that could not be read, with why. */
  unavailable: string[];
  calls: number;
}

export interface FleetFactsOptions {
  pageSize?: number;
  maxDeep?: number;
  onNodes?: (checked: number, total: number) => void | Promise<void>;
}

async function settle<T>(call: () => Promise<T>): Promise<Settled<T>> {
  try {
    return { ok: true, value: await call() };
  } catch (error) {
    return { ok: false, error };
  }
}

const why = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Runs `fetch` page by page, handing each page to `onPage`; returns the number of calls made. */
async function eachPage<T>(fetch: (token?: string) => Promise<ListPage<T>>, onPage: (items: T[], remaining: number | undefined) => void | Promise<void>): Promise<number> {
  let token: string | undefined;
  let calls = 0;
  do {
    const page = await fetch(token);
    calls += 1;
    await onPage(page.items, page.continueToken === undefined ? 0 : page.remaining);
    token = page.continueToken;
  } while (token !== undefined);
  return calls;
}

function pager<T>(paged: ((q: PageQuery) => Promise<ListPage<T>>) | undefined, whole: () => Promise<T[]>, q: Omit<PageQuery, 'continueToken'>) {
  // A reader without paging is read in one call (test doubles; tiny clusters).
  return paged === undefined
    ? async () => ({ items: await whole() })
    : (token?: string) => paged({ ...q, ...(token !== undefined && { continueToken: token }) });
}

export function toFleetAgent(pod: V1Pod): FleetAgent {
  const status = pod.status?.containerStatuses?.find((c) => c.name === AGENT_CONTAINER);
  const image = pod.spec?.containers.find((c) => c.name === AGENT_CONTAINER)?.image ?? '';
  const waiting = status?.state?.waiting?.reason;
  return {
    pod: pod.metadata?.name ?? '',
    phase: pod.status?.phase ?? 'Unknown',
    ready: status?.ready === true,
    restarts: status?.restartCount ?? 0,
    ...(waiting !== undefined && { waitingReason: waiting }),
    image,
    version: ciliumVersionFromImage(image),
  };
}

export async function collectFleetFacts(reader: ClusterReader, opts: FleetFactsOptions = {}): Promise<FleetSnapshot> {
  const limit = opts.pageSize ?? 500;
  const maxDeep = opts.maxDeep ?? 50;
  const ns = CILIUM_NAMESPACE;
  const agents = new Map<string, FleetAgent>();
  const unhealthyAgents = new Map<string, V1Pod>();
  const kubeProxyPods = new Map<string, KubeProxyPodSummary>();
  const versions = new VariantCounter(0);
  const unavailable: string[] = [];
  let calls = 2;

  const agentQuery = { namespace: ns, labelSelector: 'k8s-app=cilium', limit };
  const proxyQuery = { namespace: ns, labelSelector: 'k8s-app=kube-proxy', limit };
  const [ciliumConfig, kubeProxyDaemonSets, agentList, proxyList] = await Promise.all([
    settle(() => reader.getConfigMap(ns, 'cilium-config')),
    settle(() => reader.listDaemonSets(ns, 'k8s-app=kube-proxy')),
    settle(() =>
      eachPage(pager(reader.listPodsPage?.bind(reader), () => reader.listPods(agentQuery), agentQuery), (pods) => {
        for (const pod of pods) {
          const node = pod.spec?.nodeName;
          if (node === undefined || agents.has(node)) continue;
          const agent = toFleetAgent(pod);
          agents.set(node, agent);
          if (agent.version !== null) versions.add(agent.version, node);
          // Full objects only for unhealthy agents (the deep candidates), and only as many as will be collected.
          if (!agentHealthy(agent) && unhealthyAgents.size < maxDeep) unhealthyAgents.set(node, pod);
        }
      }),
    ),
    settle(() =>
      eachPage(pager(reader.listPodsPage?.bind(reader), () => reader.listPods(proxyQuery), proxyQuery), (pods) => {
        for (const pod of pods) {
          const node = pod.spec?.nodeName;
          if (node === undefined) continue;
          kubeProxyPods.set(node, { name: pod.metadata?.name ?? '', phase: pod.status?.phase ?? 'Unknown', ready: pod.status?.containerStatuses?.every((c) => c.ready) === true });
        }
      }),
    ),
  ]);
  if (!ciliumConfig.ok) unavailable.push(`cilium-config: ${why(ciliumConfig.error)}`);
  if (!kubeProxyDaemonSets.ok) unavailable.push(`kube-proxy DaemonSets: ${why(kubeProxyDaemonSets.error)}`);
  if (agentList.ok) calls += agentList.value;
  else {
    calls += 1;
    unavailable.push(`cilium-agent pods: ${why(agentList.error)}`);
  }
  if (proxyList.ok) calls += proxyList.value;
  else {
    calls += 1;
    unavailable.push(`kube-proxy pods: ${why(proxyList.error)}`);
  }

  const context: FleetContext = {
    config: ciliumConfig.ok ? (ciliumConfig.value.data ?? {}) : null,
    kubeProxyDaemonSet: kubeProxyDaemonSets.ok && kubeProxyDaemonSets.value.length > 0,
    fleetVersion: versions.variants()[0]?.value ?? null,
  };
  const nodes: FleetNode[] = [];
  const verdicts = new Map<string, FleetVerdict>();
  const flagged: string[] = [];
  const deepNodes = new Map<string, V1Node>();
  const deepAgents = new Map<string, V1Pod>();
  const nodeQuery = { limit };
  // Nodes last: each node's verdict needs its agent (and the fleet's version) already summarised.
  calls += await eachPage(pager(reader.listNodesPage?.bind(reader), () => reader.listNodes(), nodeQuery), async (page, remaining) => {
    for (const n of page) {
      const name = n.metadata?.name ?? '';
      const labels = n.metadata?.labels ?? {};
      const info = n.status?.nodeInfo;
      const node: FleetNode = {
        name,
        kernel: info?.kernelVersion ?? '',
        osImage: info?.osImage ?? '',
        arch: info?.architecture ?? '',
        pool: nodePool(labels),
        ready: isNodeReady(n),
        // Agents unknown (the list failed) are not "missing": no verdict is drawn from a fact not read.
        agent: agents.get(name) ?? null,
        kubeProxyPod: kubeProxyPods.has(name),
      };
      nodes.push(node);
      const verdict = triage(node, context);
      const triggers = agentList.ok ? verdict.triggers : verdict.triggers.filter((t) => t !== 'agent-missing');
      if (triggers.length === 0) continue;
      verdicts.set(name, { triggers, reasons: verdict.reasons });
      flagged.push(name);
      if (deepNodes.size < maxDeep) {
        deepNodes.set(name, n);
        const pod = unhealthyAgents.get(name);
        if (pod !== undefined) deepAgents.set(name, pod);
      }
    }
    await opts.onNodes?.(nodes.length, nodes.length + (remaining ?? 0));
  });
  return { nodes, verdicts, context, flagged, deepNodes, deepAgents, kubeProxyPods, ciliumConfig, kubeProxyDaemonSets, unavailable, calls };
}
