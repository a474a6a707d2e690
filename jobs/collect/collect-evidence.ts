// Gathers the Evidence for one node: independent facts concurrently, each under its own deadline, each ending
// ok or unavailable (with the reason and the fix). A slow or forbidden call costs one fact, never the report.
import type { CoreV1Event, V1Pod } from '@kubernetes/client-node';
import { EVIDENCE_SCHEMA_VERSION, parseEvidence, type AgentLogs, type Evidence, type Fact, type IptablesInfo, type LogChunk } from '../../runbooks/evidence.ts';
import type { KernelConfig, Memlock } from '../../runbooks/evidence-extra.ts';
import type { HostKernel } from '../../runbooks/evidence.ts';
import { ciliumVersionFromImage } from '../../runbooks/cilium-version.ts';
import { summarizeIptablesSave } from '../../runbooks/iptables-summary.ts';
import type { ClusterReader } from '../kube/cluster-reader.ts';
import { KubeApiError } from '../kube/kube-api-error.ts';
import { ok, unavailable, withDeadline, type Permission } from './fact-outcome.ts';
import { toNodeInfo, toPeers } from './node-facts.ts';
import { AGENT_CONTAINER, agentRunning, toAgentPod, toWorkload } from './pod-facts.ts';
import { toEvent, toHubbleInfo, toKubeProxyInfo, toPolicySummary, toServicesOnNode } from './cluster-facts.ts';
import { parseKernelConfig, parseMemlock, toCiliumCrds, toCiliumNodeIpam, toClusterPods, toOperatorInfo } from './extra-facts.ts';
import { slimListsFor } from './slim-lists.ts';

export const CILIUM_NAMESPACE = 'kube-system';

export interface CollectOptions {
  deadlineMs: number;
  tailLines: number;
  limitBytes: number;
  /** Bytes of iptables-save output read at most. */
  execMaxBytes?: number;
  now?: () => Date;
}

const perm = (verb: string, resource: string, namespace?: string, group?: string): Permission => ({
  verb,
  resource,
  ...(namespace !== undefined && { namespace }),
  ...(group !== undefined && { group }),
});

export async function collectEvidence(cluster: ClusterReader, nodeName: string, opts: CollectOptions): Promise<Evidence> {
  // Lists that grow with the cluster are reduced to what is read of them as they arrive (slim-lists.ts).
  const reader = slimListsFor(cluster, nodeName);
  const ns = CILIUM_NAMESPACE;
  const guard = async <T>(what: string, needs: Permission[], call: () => Promise<T>): Promise<Fact<T>> => {
    try {
      return ok(await withDeadline(what, opts.deadlineMs, call));
    } catch (e) {
      return unavailable(e, what, needs);
    }
  };

  // Asked up front, beside stage 1: exec needs it and a refused exec upgrade says nothing useful.
  const execAllowed = guard('create selfsubjectaccessreviews', [], () => reader.canI('create', 'pods', ns, 'exec'));
  // Every read starts at once; reads that need another's answer chain on just that one, so the slowest chain, not
  // the slowest stage, sets the time (each round trip to a real apiserver costs tens of milliseconds).
  const agentPodsP = guard('list cilium pods', [perm('list', 'pods', ns)], () => reader.listPods({ namespace: ns, labelSelector: 'k8s-app=cilium' }));
  const policiesCnpP = guard('list ciliumnetworkpolicies', [perm('list', 'ciliumnetworkpolicies', undefined, 'cilium.io')], () =>
    reader.listCustomObjects('cilium.io', 'v2', 'ciliumnetworkpolicies'),
  );
  const policiesCcnpP = guard('list ciliumclusterwidenetworkpolicies', [perm('list', 'ciliumclusterwidenetworkpolicies', undefined, 'cilium.io')], () =>
    reader.listCustomObjects('cilium.io', 'v2', 'ciliumclusterwidenetworkpolicies'),
  );
  const workloadPodsP = guard('list pods on the node', [perm('list', 'pods')], () => reader.listPods({ fieldSelector: `spec.nodeName=${nodeName}` }));

  const agentP = agentPodsP.then(async (agentPods) => {
    const agentPod: V1Pod | undefined = agentPods.ok ? agentPods.value.find((p) => p.spec?.nodeName === nodeName) : undefined;
    const noAgent = (): Fact<never> =>
      agentPods.ok ? { ok: false, reason: 'not-found', detail: `no cilium-agent pod (label k8s-app=cilium in ${ns}) is scheduled on ${nodeName}` } : agentPods;
    if (agentPod === undefined) return { agentPods, agentPod, noAgent, agentLogs: noAgent(), iptables: noAgent(), agentEvents: ok([]) as Fact<CoreV1Event[]>, agentReads: null };
    const [agentLogs, iptables, agentEvents, agentReads] = await Promise.all([
      collectAgentLogs(reader, agentPod, opts, guard),
      collectIptables(reader, agentPod, nodeName, opts, guard, execAllowed),
      guard('list agent events', [perm('list', 'events', ns)], () => reader.listEvents(ns, `involvedObject.name=${agentPod.metadata?.name ?? ''}`)),
      collectAgentReads(reader, agentPod, opts, guard),
    ]);
    return { agentPods, agentPod, noAgent, agentLogs, iptables, agentEvents, agentReads };
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

  const [node, nodes, ciliumConfig, kubeProxyDs, kubeProxyPods, kubeProxyCm, workloadPods, policiesCnp, policiesCcnp, relay, services, slices, nodeEvents, operator, crds, ciliumNode, agent, clusterPods, sandboxEvents] =
    await Promise.all([
      guard('get node', [perm('get', 'nodes')], () => reader.getNode(nodeName)),
      guard('list nodes', [perm('list', 'nodes')], () => reader.listNodes()),
      guard('get cilium-config', [perm('get', 'configmaps', ns)], () => reader.getConfigMap(ns, 'cilium-config')),
      guard('list kube-proxy daemonsets', [perm('list', 'daemonsets', ns, 'apps')], () => reader.listDaemonSets(ns, 'k8s-app=kube-proxy')),
      guard('list kube-proxy pods', [perm('list', 'pods', ns)], () =>
        reader.listPods({ namespace: ns, labelSelector: 'k8s-app=kube-proxy', fieldSelector: `spec.nodeName=${nodeName}` }),
      ),
      guard('get kube-proxy configmap', [perm('get', 'configmaps', ns)], () => reader.getConfigMap(ns, 'kube-proxy')),
      workloadPodsP,
      policiesCnpP,
      policiesCcnpP,
      guard('list hubble-relay deployments', [perm('list', 'deployments', ns, 'apps')], () => reader.listDeployments(ns, 'k8s-app=hubble-relay')),
      guard('list services', [perm('list', 'services')], () => reader.listServices()),
      guard('list endpointslices', [perm('list', 'endpointslices', undefined, 'discovery.k8s.io')], () => reader.listEndpointSlices()),
      guard('list node events', [perm('list', 'events')], () =>
        reader.listEvents(undefined, `involvedObject.kind=Node,involvedObject.name=${nodeName}`),
      ),
      guard('list cilium-operator deployments', [perm('list', 'deployments', ns, 'apps')], () => reader.listDeployments(ns, 'io.cilium/app=operator')),
      guard('list customresourcedefinitions', [perm('list', 'customresourcedefinitions', undefined, 'apiextensions.k8s.io')], () => reader.listCrds()),
      guard('get ciliumnode', [perm('get', 'ciliumnodes', undefined, 'cilium.io')], () => reader.getClusterCustomObject('cilium.io', 'v2', 'ciliumnodes', nodeName)),
      agentP,
      clusterPodsP,
      sandboxEventsP,
    ]);
  const { agentPods, agentPod, noAgent, agentLogs, iptables, agentEvents, agentReads } = agent;

  const configData = ciliumConfig.ok ? (ciliumConfig.value.data ?? {}) : null;
  const image = agentPod?.spec?.containers.find((c) => c.name === AGENT_CONTAINER)?.image;
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
          ? { ok: false as const, reason: 'not-found' as const, detail: `pod ${agentPod.metadata?.name ?? ''} has no ${AGENT_CONTAINER} container` }
          : ok({ version: ciliumVersionFromImage(image), image }),
    ciliumConfig: map(ciliumConfig, (cm) => cm.data ?? {}),
    agentPod: agentPod === undefined ? noAgent() : ok(toAgentPod(agentPod)),
    agentLogs,
    kubeProxy: kubeProxyDs.ok
      ? ok(toKubeProxyInfo(kubeProxyDs.value, kubeProxyPods.ok ? (kubeProxyPods.value[0] ?? null) : null, kubeProxyCm.ok ? kubeProxyCm.value : null))
      : kubeProxyDs,
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
    hubble: relay.ok ? ok(toHubbleInfo(configData, relay.value)) : relay,
    operator: operator.ok
      ? (() => {
          const info = toOperatorInfo(operator.value);
          return info === null ? { ok: false as const, reason: 'not-found' as const, detail: `no cilium-operator Deployment (label io.cilium/app=operator) in ${ns}` } : ok(info);
        })()
      : operator,
    crds: map(crds, toCiliumCrds),
    ciliumNode: map(ciliumNode, toCiliumNodeIpam),
    clusterPods: map(clusterPods, toClusterPods),
    memlock: agentReads?.memlock ?? noAgent(),
    kernelConfig: agentReads?.kernelConfig ?? noAgent(),
    hostKernel: agentReads?.hostKernel ?? noAgent(),
  };
  // The collector's output is validated like any other evidence document: a shape bug fails here, not in a runbook.
  return parseEvidence(evidence);
}

function map<A, B>(f: Fact<A>, fn: (a: A) => B): Fact<B> {
  return f.ok ? ok(fn(f.value)) : f;
}

type Guard = <T>(what: string, needs: Permission[], call: () => Promise<T>) => Promise<Fact<T>>;

function chunk(text: string, tailLines: number, limitBytes: number): LogChunk {
  const lines = text.length === 0 ? 0 : text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
  return { text, lines, truncated: lines >= tailLines || Buffer.byteLength(text) >= limitBytes };
}

async function collectAgentLogs(reader: ClusterReader, pod: V1Pod, opts: CollectOptions, guard: Guard): Promise<Fact<AgentLogs>> {
  const namespace = pod.metadata?.namespace ?? CILIUM_NAMESPACE;
  const name = pod.metadata?.name ?? '';
  const needs = [perm('get', 'pods/log', namespace)];
  const query = { namespace, pod: name, container: AGENT_CONTAINER, tailLines: opts.tailLines, limitBytes: opts.limitBytes };
  const restarted = (pod.status?.containerStatuses?.find((c) => c.name === AGENT_CONTAINER)?.restartCount ?? 0) > 0;
  const [current, previous] = await Promise.all([
    guard('get pods/log (current)', needs, () => reader.readPodLog({ ...query, previous: false })),
    restarted
      ? guard('get pods/log (previous)', needs, () => reader.readPodLog({ ...query, previous: true }))
      : Promise.resolve(null),
  ]);
  if (!current.ok && (previous === null || !previous.ok)) return current;
  // A 400 for --previous means "no previous container": that is an answer (null), not a failure.
  const prev = previous === null || !previous.ok ? null : chunk(previous.value, opts.tailLines, opts.limitBytes);
  const cur = current.ok ? chunk(current.value, opts.tailLines, opts.limitBytes) : { text: '', lines: 0, truncated: false };
  return ok({ current: cur, previous: prev });
}

const NOT_RUNNING = (what: string): Fact<never> => ({
  ok: false,
  reason: 'unavailable',
  detail: `not read: ${what} is read inside the cilium-agent container, which is not running`,
});

/**
 * /proc is the host's kernel in any container: /proc/version names the vendor's real upstream patch level (Debian);
 * Ubuntu puts it only in /proc/version_signature, absent elsewhere, so its cat may fail without failing the exec.
 */
export const HOST_KERNEL_COMMAND = ['sh', '-c', 'cat /proc/version && { cat /proc/version_signature 2>/dev/null || true; }'] as const;

/** memlock and the kernel build config, read inside a running agent (one exec each). */
async function collectAgentReads(reader: ClusterReader, pod: V1Pod, opts: CollectOptions, guard: Guard): Promise<{ memlock: Fact<Memlock>; kernelConfig: Fact<KernelConfig>; hostKernel: Fact<HostKernel> }> {
  if (!agentRunning(pod)) return { memlock: NOT_RUNNING('the memlock limit'), kernelConfig: NOT_RUNNING('the kernel build config'), hostKernel: NOT_RUNNING('/proc/version') };
  const namespace = pod.metadata?.namespace ?? CILIUM_NAMESPACE;
  const needs = [perm('create', 'pods/exec', namespace), perm('get', 'pods/exec', namespace)];
  const run = (command: string[]) => () => reader.exec({ namespace, pod: pod.metadata?.name ?? '', container: AGENT_CONTAINER, command, maxBytes: 4 * 1024 * 1024 });
  const [limits, config, procVersion] = await Promise.all([
    guard('exec cat /proc/1/limits', needs, run(['cat', '/proc/1/limits'])),
    guard('exec read kernel config', needs, run(['sh', '-c', 'zcat /proc/config.gz 2>/dev/null || cat /boot/config-$(uname -r)'])),
    guard('exec cat /proc/version', needs, run([...HOST_KERNEL_COMMAND])),
  ]);
  const hostKernel: Fact<HostKernel> = !procVersion.ok
    ? procVersion
    : procVersion.value.exitCode === 0 && procVersion.value.stdout.startsWith('Linux version ')
      ? ok(hostKernelFrom(procVersion.value.stdout))
      : { ok: false, reason: 'unavailable', detail: `cat /proc/version in the agent gave no "Linux version" line (exit ${procVersion.value.exitCode})` };
  const memlock: Fact<Memlock> = !limits.ok
    ? limits
    : (() => {
        const parsed = limits.value.exitCode === 0 ? parseMemlock(limits.value.stdout) : null;
        return parsed === null ? { ok: false as const, reason: 'unavailable' as const, detail: `no "Max locked memory" line in /proc/1/limits (exit ${limits.value.exitCode})` } : ok(parsed);
      })();
  const kernelConfig: Fact<KernelConfig> = !config.ok
    ? config
    : config.value.exitCode === 0 && config.value.stdout.includes('CONFIG_')
      ? ok(parseKernelConfig(config.value.stdout, '/proc/config.gz or /boot/config-$(uname -r)'))
      : { ok: false, reason: 'unavailable', detail: `the node exposes neither /proc/config.gz nor /boot/config-* to the agent (exit ${config.value.exitCode})` };
  return { memlock, kernelConfig, hostKernel };
}

/** `cat /proc/version; cat /proc/version_signature` → the version line and, on Ubuntu, the signature line. */
function hostKernelFrom(stdout: string): HostKernel {
  const [procVersion = '', signature] = stdout.trim().split('\n').map((l) => l.trim());
  return { procVersion, ...(signature?.startsWith('Ubuntu ') === true ? { versionSignature: signature } : {}), source: 'agent-exec' };
}

async function collectIptables(reader: ClusterReader, pod: V1Pod, nodeName: string, opts: CollectOptions, guard: Guard, execAllowed: Promise<Fact<boolean>>): Promise<Fact<IptablesInfo>> {
  const namespace = pod.metadata?.namespace ?? CILIUM_NAMESPACE;
  const name = pod.metadata?.name ?? '';
  const needs = [perm('create', 'pods/exec', namespace), perm('get', 'pods/exec', namespace)];
  if (!agentRunning(pod)) {
    const waiting = pod.status?.containerStatuses?.find((c) => c.name === AGENT_CONTAINER)?.state?.waiting?.reason ?? 'not running';
    return {
      ok: false,
      reason: 'unavailable',
      detail: `cilium-agent on ${nodeName} is ${waiting}, so iptables could not be read through it`,
      fix: `Read it on the node itself: \`iptables-save -t nat | grep -c -- '-A KUBE-SVC-'\` (a probe-pod fallback is planned).`,
    };
  }
  const allowed = await execAllowed;
  if (allowed.ok && !allowed.value) {
    return unavailable(
      new KubeApiError(`pods "${name}" is forbidden: the bot cannot create resource "pods/exec" in the namespace "${namespace}"`, 403, 'Forbidden', undefined, 'create pods/exec'),
      'exec iptables-save',
      needs,
    );
  }
  const result = await guard('exec iptables-save -t nat', needs, () =>
    reader.exec({ namespace, pod: name, container: AGENT_CONTAINER, command: ['iptables-save', '-t', 'nat'], maxBytes: opts.execMaxBytes ?? 32 * 1024 * 1024 }),
  );
  if (!result.ok) return result;
  if (result.value.exitCode !== 0) {
    return { ok: false, reason: 'unavailable', detail: `iptables-save exited with ${result.value.exitCode}: ${result.value.stderr.trim().slice(0, 300)}` };
  }
  return ok(summarizeIptablesSave(result.value.stdout, { source: 'agent-exec' }));
}
