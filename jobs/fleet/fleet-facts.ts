// Fleet facts from a few paged list calls: cilium-config, the kube-proxy DaemonSets, the cilium-agent pods, the
// kube-proxy pods and the nodes. Each object is summarised into a small per-node record as it is read (streamed, see
// fleet-lister.ts) and dropped; full objects are kept only for the nodes that will be collected in depth (at most
// `maxDeep`), so memory grows neither with the page size nor with the number of pages.
import type { V1ConfigMap, V1DaemonSet, V1Node, V1Pod } from '@kubernetes/client-node';
import { ciliumVersionFromImage } from '../../runbooks/engine/cilium-version.ts';
import { agentHealthy, triage, type FleetAgent, type FleetContext, type FleetNode, type FleetVerdict } from '../../runbooks/engine/fleet/fleet-node.ts';
import { VariantCounter } from '../../runbooks/engine/fleet/drift.ts';
import { AGENT_SELECTORS, agentContainerOf, DEFAULT_CILIUM_NAMESPACE, findAgentPods } from '../collect/cilium-install.ts';
import { isNodeReady, nodePool } from '../collect/node-facts.ts';
import type { ClusterReader, ListPage, PageQuery } from '../kube/cluster-reader.ts';
import { fleetListerFor } from './fleet-lister.ts';

/** kube-proxy lives in kube-system wherever Cilium is installed. */
const KUBE_PROXY_NAMESPACE = 'kube-system';

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
  /** Where the agents were found (or, when none was, where they were looked for), and by which label. */
  ciliumNamespace: string;
  agentSelector: string;
  /** Fleet facts that could not be read, with why. */
  unavailable: string[];
  calls: number;
}

export interface FleetFactsOptions {
  pageSize?: number;
  maxDeep?: number;
  onNodes?: (checked: number, total: number) => void | Promise<void>;
  /** CILIUM_NAMESPACE: look for the agents only there (otherwise every namespace). */
  ciliumNamespace?: string;
}

async function settle<T>(call: () => Promise<T>): Promise<Settled<T>> {
  try {
    return { ok: true, value: await call() };
  } catch (error) {
    return { ok: false, error };
  }
}

const why = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Reads a list page by page (each page already summarised), handing each page to `onPage`; returns the calls made. */
async function eachPage<S>(fetch: (token?: string) => Promise<ListPage<S>>, onPage: (items: S[], remaining: number | undefined) => void | Promise<void>): Promise<number> {
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

const withToken = (q: PageQuery, token: string | undefined): PageQuery => (token === undefined ? q : { ...q, continueToken: token });

export function toFleetAgent(pod: V1Pod): FleetAgent {
  const container = agentContainerOf(pod.spec);
  const status = pod.status?.containerStatuses?.find((c) => c.name === container);
  const image = pod.spec?.containers.find((c) => c.name === container)?.image ?? '';
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
  const agents = new Map<string, FleetAgent>();
  const unhealthyAgents = new Map<string, V1Pod>();
  const kubeProxyPods = new Map<string, KubeProxyPodSummary>();
  const versions = new VariantCounter(0);
  const unavailable: string[] = [];
  let calls = 2;

  const lister = fleetListerFor(reader);
  const proxyQueries = ['k8s-app=kube-proxy', 'component=kube-proxy'].map((labelSelector) => ({ namespace: KUBE_PROXY_NAMESPACE, labelSelector, limit }));
  // Agents in every namespace (or CILIUM_NAMESPACE) by their label; the namespace holding most of them is Cilium's.
  const agentNamespaces = new Map<string, number>();
  const readAgents = (agentQuery: PageQuery) => eachPage(
    // Each pod becomes its agent summary as it is read; the pod itself is kept only when its agent is unhealthy.
    (token) => lister.pods(withToken(agentQuery, token), (pod) => {
      const agent = toFleetAgent(pod);
      return { node: pod.spec?.nodeName, namespace: pod.metadata?.namespace ?? '', agent, pod: agentHealthy(agent) ? undefined : pod };
    }),
    (page) => {
      for (const { node, namespace, agent, pod } of page) {
        if (node === undefined || agents.has(node)) continue;
        agentNamespaces.set(namespace, (agentNamespaces.get(namespace) ?? 0) + 1);
        agents.set(node, agent);
        if (agent.version !== null) versions.add(agent.version, node);
        // Full objects only for unhealthy agents (the deep candidates), and only as many as will be collected.
        if (pod !== undefined && unhealthyAgents.size < maxDeep) unhealthyAgents.set(node, lister.keepPod(pod));
      }
    },
  );
  let agentSelector: string = AGENT_SELECTORS[0];
  const [kubeProxyDaemonSets, agentList, ...proxyLists] = await Promise.all([
    settle(() => reader.listDaemonSets(KUBE_PROXY_NAMESPACE, 'k8s-app=kube-proxy')),
    settle(async () => {
      const pages = await readAgents({ ...(opts.ciliumNamespace !== undefined && { namespace: opts.ciliumNamespace }), labelSelector: agentSelector, limit });
      if (agents.size > 0) return pages;
      // Not labelled k8s-app=cilium: find them as a one-node collection does (other labels, a DaemonSet running cilium-agent).
      const found = await findAgentPods(reader, null, opts.ciliumNamespace);
      agentSelector = found.selector;
      return pages + 1 + (found.pods.length === 0 ? 0 : await readAgents({ namespace: found.namespace, labelSelector: found.selector, limit }));
    }),
    ...proxyQueries.map((proxyQuery) => settle(() =>
      eachPage(
        (token) => lister.pods(withToken(proxyQuery, token), (pod) => ({
          node: pod.spec?.nodeName,
          summary: { name: pod.metadata?.name ?? '', phase: pod.status?.phase ?? 'Unknown', ready: pod.status?.containerStatuses?.every((c) => c.ready) === true },
        })),
        (page) => {
          for (const { node, summary } of page) if (node !== undefined && !kubeProxyPods.has(node)) kubeProxyPods.set(node, summary);
        },
      ),
    )),
  ]);
  const ciliumNamespace = [...agentNamespaces.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? opts.ciliumNamespace ?? DEFAULT_CILIUM_NAMESPACE;
  if (agentNamespaces.size > 1) unavailable.push(`cilium-agent pods in several namespaces (${[...agentNamespaces.keys()].join(', ')}): ${ciliumNamespace} taken as Cilium's`);
  const ciliumConfig = await settle(() => reader.getConfigMap(ciliumNamespace, 'cilium-config'));
  if (!ciliumConfig.ok) unavailable.push(`cilium-config: ${why(ciliumConfig.error)}`);
  if (!kubeProxyDaemonSets.ok) unavailable.push(`kube-proxy DaemonSets: ${why(kubeProxyDaemonSets.error)}`);
  if (agentList.ok) calls += agentList.value;
  else {
    calls += 1;
    unavailable.push(`cilium-agent pods: ${why(agentList.error)}`);
  }
  for (const proxyList of proxyLists) {
    if (proxyList.ok) calls += proxyList.value;
    else {
      calls += 1;
      unavailable.push(`kube-proxy pods: ${why(proxyList.error)}`);
    }
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
  // Nodes last: each node's verdict needs its agent (and the fleet's version) already summarised. A node object
  // outlives its read only when a check flags it.
  const summariseNode = (n: V1Node) => {
    const name = n.metadata?.name ?? '';
    const info = n.status?.nodeInfo;
    const node: FleetNode = {
      name,
      kernel: info?.kernelVersion ?? '',
      osImage: info?.osImage ?? '',
      arch: info?.architecture ?? '',
      pool: nodePool(n.metadata?.labels ?? {}),
      ready: isNodeReady(n),
      // Agents unknown (the list failed) are not "missing": no verdict is drawn from a fact not read.
      agent: agents.get(name) ?? null,
      kubeProxyPod: kubeProxyPods.has(name),
    };
    const verdict = triage(node, context);
    const triggers = agentList.ok ? verdict.triggers : verdict.triggers.filter((t) => t !== 'agent-missing');
    return triggers.length === 0 ? { node } : { node, verdict: { triggers, reasons: verdict.reasons }, object: n };
  };
  calls += await eachPage(
    (token) => lister.nodes(withToken(nodeQuery, token), summariseNode),
    async (page, remaining) => {
      for (const { node, verdict, object } of page) {
        nodes.push(node);
        if (verdict === undefined) continue;
        verdicts.set(node.name, verdict);
        flagged.push(node.name);
        if (deepNodes.size < maxDeep && object !== undefined) {
          deepNodes.set(node.name, lister.keepNode(object));
          const pod = unhealthyAgents.get(node.name);
          if (pod !== undefined) deepAgents.set(node.name, pod);
        }
      }
      await opts.onNodes?.(nodes.length, nodes.length + (remaining ?? 0));
    },
  );
  return { nodes, verdicts, context, flagged, deepNodes, deepAgents, kubeProxyPods, ciliumConfig, kubeProxyDaemonSets, ciliumNamespace, agentSelector, unavailable, calls };
}
