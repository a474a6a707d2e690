// Gathers the Evidence for one node: independent facts concurrently, each under its own deadline, each ending
// ok or unavailable (with the reason and the fix). A slow or forbidden call costs one fact, never the report.
// Cilium's namespace is discovered first (cilium-install.ts); the reads scoped to it chain on that one answer.
import type { CoreV1Event, V1DaemonSet, V1Node, V1Pod } from '@kubernetes/client-node';
import { EVIDENCE_SCHEMA_VERSION, parseEvidence, type AgentLogs, type CiliumInfo, type CiliumInstall, type Evidence, type Fact } from '../../runbooks/engine/evidence.ts';
import { ciliumVersionFromImage, ciliumVersionFromLogs } from '../../runbooks/engine/cilium-version.ts';
import type { ClusterReader } from '../kube/cluster-reader.ts';
import { ok, unavailable, withDeadline, type Permission } from './fact-outcome.ts';
import { toNodeInfo, toPeers } from './node-facts.ts';
import { toAgentPod, toWorkload } from './pod-facts.ts';
import { embeddedKubeProxy, kubeProxyPodOf, toEvent, toHubbleInfo, toKubeProxyInfo, toPolicySummary, toServicesOnNode } from './cluster-facts.ts';
import { toCiliumCrds, toCiliumNodeIpam, toClusterPods, toOperatorInfo } from './extra-facts.ts';
import { slimListsFor } from './slim-lists.ts';
import { agentContainerOf, DEFAULT_CILIUM_NAMESPACE, describeInstall, findNodeAgent, type AgentPodsFound } from './cilium-install.ts';
import { collectAgentLogs, collectAgentReads, collectInitLogs, collectIptables, perm, type AgentExecReads, type Guard } from './agent-reads.ts';
import { overridesForNode } from './config-overrides.ts';
import { completeWithProbe, type NodeProbe } from './node-probe/probe-evidence.ts';
import type { HubbleFlowConfig } from '../hubble/hubble-env.ts';
import { collectClusterMesh, readClusterMeshApiserver } from './clustermesh-facts.ts';
import { agentStatusCommand } from './agent-status-read.ts';

/** kube-proxy lives in kube-system wherever Cilium is installed. */
const KUBE_PROXY_NAMESPACE = 'kube-system';

export interface CollectOptions {
  deadlineMs: number;
  tailLines: number;
  limitBytes: number;
  /** Bytes of iptables-save output read at most. */
  execMaxBytes?: number;
  /** CILIUM_NAMESPACE: look for the agents only there (otherwise every namespace). */
  ciliumNamespace?: string;
  now?: () => Date;
  /** The opt-in node probe (NODE_PROBE_ENABLED): reads on the node what the agent could not. */
  nodeProbe?: NodeProbe;
  /** The diagnosis job, for the probe pod's owner label. */
  jobId?: string;
  /** Read the node's recent drops from Hubble Relay (jobs/hubble/node-flows.ts); absent = flows not collected. */
  hubbleFlows?: HubbleFlowConfig;
}

export async function collectEvidence(cluster: ClusterReader, nodeName: string, opts: CollectOptions): Promise<Evidence> {
  // Lists that grow with the cluster are reduced to what is read of them as they arrive (slim-lists.ts).
  const reader = slimListsFor(cluster, nodeName);
  const guard: Guard = async <T>(what: string, needs: Permission[], call: () => Promise<T>): Promise<Fact<T>> => {
    try {
      return ok(await withDeadline(what, opts.deadlineMs, call));
    } catch (e) {
      return unavailable(e, what, needs);
    }
  };
  const where = opts.ciliumNamespace;

  // Every read starts at once; reads that need another's answer chain on just that one, so the slowest chain, not
  // the slowest stage, sets the time (each round trip to a real apiserver costs tens of milliseconds).
  // The node's own agent by field selector: on a cluster of thousands of nodes, listing every agent cost most of a
  // diagnosis (the apiserver serialising, the bot decoding) for a peer readiness no runbook reads.
  const foundP = guard('find the cilium agents', [perm('list', 'pods', where)], () => findNodeAgent(reader, nodeName, where));
  /** The namespace Cilium was found in (or, not found, where the override or the default says). */
  const nsP = foundP.then((f) => (f.ok && f.value.pods.length > 0 ? f.value.namespace : (where ?? DEFAULT_CILIUM_NAMESPACE)));
  const inCilium = <T>(what: string, needs: (ns: string) => Permission[], call: (ns: string) => Promise<T>): Promise<Fact<T>> =>
    nsP.then((ns) => guard(what, needs(ns), () => call(ns)));
  const nodeP = guard('get node', [perm('get', 'nodes')], () => reader.getNode(nodeName));
  const execAllowedP = nsP.then((ns) => guard('create selfsubjectaccessreviews', [], () => reader.canI('create', 'pods', ns, 'exec')));
  const policiesCnpP = guard('list ciliumnetworkpolicies', [perm('list', 'ciliumnetworkpolicies', undefined, 'cilium.io')], () => reader.listCustomObjects('cilium.io', 'v2', 'ciliumnetworkpolicies'));
  const policiesCcnpP = guard('list ciliumclusterwidenetworkpolicies', [perm('list', 'ciliumclusterwidenetworkpolicies', undefined, 'cilium.io')], () =>
    reader.listCustomObjects('cilium.io', 'v2', 'ciliumclusterwidenetworkpolicies'),
  );
  const workloadPodsP = guard('list pods on the node', [perm('list', 'pods')], () => reader.listPods({ fieldSelector: `spec.nodeName=${nodeName}` }));

  const agentP = foundP.then(async (found) => {
    const agentPod: V1Pod | undefined = found.ok ? found.value.pods.find((p) => p.spec?.nodeName === nodeName) : undefined;
    const noAgent = (): Fact<never> =>
      !found.ok ? found : { ok: false, reason: 'not-found', detail: found.value.pods.length === 0 ? `no cilium-agent found: looked for ${found.value.looked}` : `no cilium-agent pod (label ${found.value.selector} in ${found.value.namespace}) is scheduled on ${nodeName}` };
    const dsName = agentPod?.metadata?.ownerReferences?.find((o) => o.kind === 'DaemonSet')?.name;
    const daemonSetP: Promise<Fact<V1DaemonSet> | null> = found.ok && dsName !== undefined
      ? guard('get the agent daemonset', [perm('get', 'daemonsets', found.value.namespace, 'apps')], () => reader.getDaemonSet(found.value.namespace, dsName))
      : Promise.resolve(null);
    if (agentPod === undefined) {
      return { found, agentPod, noAgent, daemonSet: await daemonSetP, agentLogs: noAgent(), initLogs: noAgent(), iptables: noAgent(), agentEvents: ok([]) as Fact<CoreV1Event[]>, agentReads: null as AgentExecReads | null };
    }
    const container = agentContainerOf(agentPod.spec);
    const ns = agentPod.metadata?.namespace ?? '';
    const [agentLogs, initLogs, iptables, agentEvents, agentReads, daemonSet] = await Promise.all([
      collectAgentLogs(reader, agentPod, container, opts, guard),
      collectInitLogs(reader, agentPod, opts, guard),
      collectIptables(reader, agentPod, container, nodeName, opts, guard, execAllowedP),
      guard('list agent events', [perm('list', 'events', ns)], () => reader.listEvents(ns, `involvedObject.name=${agentPod.metadata?.name ?? ''}`)),
      collectAgentReads(reader, agentPod, container, guard, execAllowedP),
      daemonSetP,
    ]);
    return { found, agentPod, noAgent, daemonSet, agentLogs, initLogs, iptables, agentEvents, agentReads: agentReads };
  });
  // Pods cluster-wide only when a policy selector needs checking.
  const clusterPodsP = Promise.all([policiesCnpP, policiesCcnpP]).then(([cnp, ccnp]) =>
    (cnp.ok && cnp.value.length > 0) || (ccnp.ok && ccnp.value.length > 0)
      ? guard('list pods (all namespaces)', [perm('list', 'pods')], () => reader.listPods({}))
      : Promise.resolve<Fact<V1Pod[]>>({ ok: false, reason: 'unavailable', detail: 'not read: no CiliumNetworkPolicy exists, so no selector needs checking' }),
  );
  // Pods stuck creating: the CNI's own error is in their FailedCreatePodSandBox events (one call, filtered here).
  const sandboxEventsP = workloadPodsP.then((workloadPods) => {
    const stuckPods = new Set(
      (workloadPods.ok ? workloadPods.value : [])
        .filter((p) => p.status?.containerStatuses === undefined || p.status.containerStatuses.some((c) => c.state?.waiting?.reason === 'ContainerCreating'))
        .filter((p) => p.status?.phase === 'Pending')
        .map((p) => `${p.metadata?.namespace ?? ''}/${p.metadata?.name ?? ''}`),
    );
    return stuckPods.size === 0
      ? Promise.resolve(ok([]) as Fact<CoreV1Event[]>)
      : guard('list sandbox events', [perm('list', 'events')], () => reader.listEvents(undefined, 'reason=FailedCreatePodSandBox')).then((f) =>
          map(f, (events) => events.filter((ev) => stuckPods.has(`${ev.involvedObject.namespace ?? ''}/${ev.involvedObject.name ?? ''}`)).slice(0, 50)),
        );
  });
  // kube-proxy's ConfigMap: `kube-proxy` (kubeadm), else EKS's `kube-proxy-config`.
  const kubeProxyCmP = guard('get kube-proxy configmap', [perm('get', 'configmaps', KUBE_PROXY_NAMESPACE)], () => reader.getConfigMap(KUBE_PROXY_NAMESPACE, 'kube-proxy')).then((f) =>
    !f.ok && f.reason === 'not-found'
      ? guard('get kube-proxy-config configmap', [perm('get', 'configmaps', KUBE_PROXY_NAMESPACE)], () => reader.getConfigMap(KUBE_PROXY_NAMESPACE, 'kube-proxy-config'))
      : f,
  );
  // CiliumNodeConfig overrides: cilium.io/v2 from 1.16, v2alpha1 before; a missing CRD means none can exist.
  const overridesP = Promise.all([nsP, nodeP]).then(([ns, node]) => {
    const needs = [perm('list', 'ciliumnodeconfigs', ns, 'cilium.io')];
    const list = (version: string) => guard(`list ciliumnodeconfigs (${version})`, needs, () => reader.listCustomObjects('cilium.io', version, 'ciliumnodeconfigs', ns));
    // v2 empty or not served: ask v2alpha1 too (a 1.15 CRD serves only v2alpha1; with both served they agree).
    return list('v2')
      .then((v2) => ((!v2.ok && v2.reason === 'not-found') || (v2.ok && v2.value.length === 0) ? list('v2alpha1').then((a) => (!a.ok && a.reason === 'not-found' ? v2 : a)) : v2))
      .then((f) => (!f.ok && f.reason === 'not-found' ? ok<unknown[]>([]) : f))
      .then((f) => (node.ok ? map(f, (items) => overridesForNode(items, node.value.metadata?.labels ?? {})) : f.ok ? node : f));
  });

  const servicesP = guard('list services', [perm('list', 'services')], () => reader.listServices());
  // ClusterMesh: the clustermesh-apiserver, and the node list only when the agent's status shows remote clusters.
  // Its apiserver part runs beside the agent reads (it needs neither): waiting for them cost a round trip per diagnosis.
  const clustermeshApiserverP = Promise.all([nsP, servicesP]).then(([ns, svc]) => readClusterMeshApiserver(reader, ns, svc, opts, guard));
  const clustermeshP = Promise.all([agentP, clustermeshApiserverP]).then(([a, base]) => {
    const pod = a.agentPod;
    const agent = pod === undefined ? null : { pod, container: agentContainerOf(pod.spec), cli: agentStatusCommand(pod, agentContainerOf(pod.spec))[0] === 'cilium' ? 'cilium' as const : 'cilium-dbg' as const };
    return collectClusterMesh(reader, base, agent, a.agentReads?.agentStatus ?? a.noAgent(), guard);
  });
  const hubbleFlows = opts.hubbleFlows;
  const flowsP = hubbleFlows === undefined
    ? undefined
    // Loaded only when used: the gRPC client stays out of runs that never read Relay (sysdumps, the CLI without it).
    : Promise.all([servicesP, import('../hubble/node-flows.ts')]).then(([svc, { readNodeDrops }]) =>
        readNodeDrops(hubbleFlows, nodeName, svc.ok ? svc.value : null, opts.deadlineMs, opts.now?.() ?? new Date()));

  const [node, nodes, ciliumConfig, kubeProxyDs, kubeProxyCm, workloadPods, policiesCnp, policiesCcnp, relay, services, slices, nodeEvents, operator, crds, ciliumNode, agent, clusterPods, sandboxEvents, overrides, ns, clustermesh] =
    await Promise.all([
      nodeP,
      guard('list nodes', [perm('list', 'nodes')], () => reader.listNodes()),
      inCilium('get cilium-config', (n) => [perm('get', 'configmaps', n)], (n) => reader.getConfigMap(n, 'cilium-config')),
      guard('list kube-proxy daemonsets', [perm('list', 'daemonsets', KUBE_PROXY_NAMESPACE, 'apps')], () => reader.listDaemonSets(KUBE_PROXY_NAMESPACE, 'k8s-app=kube-proxy')),
      kubeProxyCmP,
      workloadPodsP,
      policiesCnpP,
      policiesCcnpP,
      inCilium('list hubble-relay deployments', (n) => [perm('list', 'deployments', n, 'apps')], (n) => reader.listDeployments(n, 'k8s-app=hubble-relay')),
      servicesP,
      guard('list endpointslices', [perm('list', 'endpointslices', undefined, 'discovery.k8s.io')], () => reader.listEndpointSlices()),
      guard('list node events', [perm('list', 'events')], () => reader.listEvents(undefined, `involvedObject.kind=Node,involvedObject.name=${nodeName}`)),
      inCilium('list cilium-operator deployments', (n) => [perm('list', 'deployments', n, 'apps')], (n) => reader.listDeployments(n, 'io.cilium/app=operator')),
      guard('list customresourcedefinitions', [perm('list', 'customresourcedefinitions', undefined, 'apiextensions.k8s.io')], () => reader.listCrds()),
      guard('get ciliumnode', [perm('get', 'ciliumnodes', undefined, 'cilium.io')], () => reader.getClusterCustomObject('cilium.io', 'v2', 'ciliumnodes', nodeName)),
      agentP,
      clusterPodsP,
      sandboxEventsP,
      overridesP,
      nsP,
      clustermeshP,
    ]);
  const { found, agentPod, noAgent, daemonSet, agentLogs, initLogs, iptables, agentEvents, agentReads } = agent;
  // Peers' agent readiness only when every agent was listed (the node without an agent): never guessed from one pod.
  const agentPods = map(found, (f) => (f.scope === 'node' ? null : f.pods));
  const crdList = map(crds, toCiliumCrds);
  const install = installFact(found, daemonSet, node, nodeName, crdList);

  // The config the agent runs with: cilium-config, then the node's CiliumNodeConfig overrides on top.
  const effectiveConfig = ciliumConfig.ok ? { ...(ciliumConfig.value.data ?? {}), ...Object.assign({}, ...(overrides.ok ? overrides.value.map((o) => o.defaults) : [])) as Record<string, string> } : null;
  const container = agentPod === undefined ? undefined : agentContainerOf(agentPod.spec);
  const image = agentPod?.spec?.containers.find((c) => c.name === container)?.image;
  const operatorInfo = operator.ok ? toOperatorInfo(operator.value) : null;
  const workloadsOnNode = workloadPods.ok ? workloadPods.value : null;
  const evidence = {
    schemaVersion: EVIDENCE_SCHEMA_VERSION,
    cluster: reader.cluster,
    nodeName,
    collectedAt: (opts.now?.() ?? new Date()).toISOString(),
    node: map(node, toNodeInfo),
    peers: map(nodes, (list) => toPeers(list, nodeName, agentPods.ok ? agentPods.value : null)),
    cilium:
      agentPod === undefined
        ? noAgent()
        : image === undefined
          ? { ok: false as const, reason: 'not-found' as const, detail: `pod ${agentPod.metadata?.name ?? ''} has no ${container ?? 'cilium-agent'} container` }
          : ok(ciliumInfo(image, agentLogs, operatorInfo?.image)),
    ciliumConfig: map(ciliumConfig, (cm) => cm.data ?? {}),
    agentPod: agentPod === undefined ? noAgent() : ok(toAgentPod(agentPod, container)),
    agentLogs,
    initLogs,
    // The node's pods unread: whether kube-proxy runs there is unknown (podOnNode absent), not "no".
    kubeProxy: map(kubeProxyDs, (ds) => toKubeProxyInfo(ds, workloadsOnNode === null ? undefined : kubeProxyPodOf(workloadsOnNode), kubeProxyCm.ok ? kubeProxyCm.value : null, node.ok ? embeddedKubeProxy(node.value.metadata?.annotations) : undefined)),
    iptables,
    workloads: map(workloadPods, (pods) => pods.filter((p) => p !== agentPod).map(toWorkload)),
    events:
      nodeEvents.ok && agentEvents.ok && sandboxEvents.ok
        ? ok([...nodeEvents.value, ...agentEvents.value, ...sandboxEvents.value].map(toEvent))
        : [nodeEvents, agentEvents, sandboxEvents].find((f) => !f.ok) ?? nodeEvents,
    policies:
      policiesCnp.ok && policiesCcnp.ok
        ? ok({
            cnp: policiesCnp.value.map(toPolicySummary).filter((p) => p !== null),
            ccnp: policiesCcnp.value.map(toPolicySummary).filter((p) => p !== null),
          })
        : policiesCnp.ok
          ? policiesCcnp
          : policiesCnp,
    services: services.ok && slices.ok ? ok(toServicesOnNode(nodeName, services.value, slices.value)) : services.ok ? slices : services,
    // Hubble's state is read from the config: a config not read is an unknown state, never "disabled".
    hubble: !relay.ok ? relay : ciliumConfig.ok && effectiveConfig !== null ? ok(toHubbleInfo(effectiveConfig, relay.value)) : unknownFrom(ciliumConfig, 'whether Hubble is enabled'),
    operator: operator.ok
      ? operatorInfo === null ? { ok: false as const, reason: 'not-found' as const, detail: `no cilium-operator Deployment (label io.cilium/app=operator) in ${ns}` } : ok(operatorInfo)
      : operator,
    crds: crdList,
    ciliumNode: map(ciliumNode, toCiliumNodeIpam),
    clusterPods: map(clusterPods, toClusterPods),
    memlock: agentReads?.memlock ?? noAgent(),
    kernelConfig: agentReads?.kernelConfig ?? noAgent(),
    hostKernel: agentReads?.hostKernel ?? noAgent(),
    agentStatus: agentReads?.agentStatus ?? noAgent(),
    install,
    configOverrides: overrides,
    clustermesh,
    ...(flowsP !== undefined && { flows: await flowsP }),
  };
  // The collector's output is validated like any other evidence document: a shape bug fails here, not in a runbook.
  return parseEvidence(await completeWithProbe(parseEvidence(evidence), opts.nodeProbe, opts.jobId ?? 'cli'));
}

/**
 * The agent image's tag, else (digest-only images, as OLM ships) the agent's own "Cilium 1.x.y" startup banner, else
 * the operator image's tag; null when none says.
 */
function ciliumInfo(image: string, logs: Fact<AgentLogs>, operatorImage: string | undefined): CiliumInfo {
  const fromTag = ciliumVersionFromImage(image);
  if (fromTag !== null) return { version: fromTag, image, versionSource: 'image-tag' };
  const fromBanner = logs.ok ? ciliumVersionFromLogs(`${logs.value.previous?.text ?? ''}\n${logs.value.current.text}`) : null;
  if (fromBanner !== null) return { version: fromBanner, image, versionSource: 'log-banner' };
  const fromOperator = operatorImage === undefined ? null : ciliumVersionFromImage(operatorImage);
  return fromOperator !== null ? { version: fromOperator, image, versionSource: 'operator-image' } : { version: null, image };
}

/** Where Cilium is, or why that is not known: forbidden, not installed at all, or not where the bot looked. */
function installFact(found: Fact<AgentPodsFound>, daemonSet: Fact<V1DaemonSet> | null, node: Fact<V1Node>, nodeName: string, crds: Fact<{ name: string }[]>): Fact<CiliumInstall> {
  if (!found.ok) return found;
  if (found.value.pods.length === 0) {
    const noCrds = crds.ok && crds.value.length === 0;
    return noCrds
      ? { ok: false, reason: 'not-found', detail: `Cilium is not installed on this cluster: no cilium.io CRDs and no agent pods (looked for ${found.value.looked})` }
      : {
          ok: false,
          reason: 'not-found',
          detail: `no cilium-agent found where the bot looked: ${found.value.looked}`,
          fix: 'If Cilium runs in another namespace or under other labels, set CILIUM_NAMESPACE to its namespace (and grant the bot the namespaced reads there: deploy/README.md).',
        };
  }
  return ok(describeInstall(found.value, daemonSet?.ok === true ? daemonSet.value : null, node.ok ? node.value : null, nodeName));
}

/** A fact that depends on one that could not be read is unknown for the same reason. */
function unknownFrom(f: Fact<unknown>, what: string): Fact<never> {
  if (f.ok) return { ok: false, reason: 'unavailable', detail: `${what} is unknown` };
  return { ...f, detail: `${what} is unknown: ${f.detail}` };
}

function map<A, B>(f: Fact<A>, fn: (a: A) => B): Fact<B> {
  return f.ok ? ok(fn(f.value)) : f;
}
