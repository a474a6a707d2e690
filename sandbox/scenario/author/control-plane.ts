// Control-plane scenarios: Hubble off, operator/CRD drift after an upgrade, IPAM exhaustion, the apiserver out of
// reach of a new node's agent. node-2 is the node each story centres on.
import { kubeletEvent, sandboxNoAgentMessage } from '../build-apps.ts';
import { workloadPod } from '../build-pods.ts';
import { apiserverUnreachable } from '../cilium-logs-failures.ts';
import { hexFor, uidFor } from '../ids.ts';
import type { KubeObject } from '../schema.ts';
import { BROKEN, buildCluster, clusterYaml, CRASH, logContext, nodeIP, NOW, startLines, text, uidOf, type ClusterSpec } from './broken-cluster.ts';
import { DEBIAN_12 } from './healthy.ts';
import { find, patchStatus, setAgentVersion } from './mutate.ts';

export function hubbleDisabledYaml(): string {
  const spec: ClusterSpec = {
    name: 'hubble-disabled',
    description: 'Cilium 1.16.3 on three healthy Debian 12 nodes with enable-hubble=false and no hubble-relay Deployment. Asked about node-2, the bot can find nothing wrong with the node, but there are no flow logs to look at: an observability gap (info/warning), not an outage.',
    header: ['Helm hubble.enabled=false → cilium-config enable-hubble: "false" (cilium-facts §3.1); Hubble Relay Deployment hubble-relay absent (§3.2).'],
    version: '1.16.3', nodes: 3, os: DEBIAN_12, config: {}, kpr: true, hubble: false, broken: { state: 'running' },
  };
  return clusterYaml(spec);
}

const CRDS: readonly (readonly [string, string, string])[] = [
  ['ciliumnetworkpolicies', 'CiliumNetworkPolicy', 'v2'], ['ciliumclusterwidenetworkpolicies', 'CiliumClusterwideNetworkPolicy', 'v2'],
  ['ciliumendpoints', 'CiliumEndpoint', 'v2'], ['ciliumidentities', 'CiliumIdentity', 'v2'], ['ciliumnodes', 'CiliumNode', 'v2'],
  ['ciliumcidrgroups', 'CiliumCIDRGroup', 'v2alpha1'], ['ciliuml2announcementpolicies', 'CiliumL2AnnouncementPolicy', 'v2alpha1'],
  ['ciliumpodippools', 'CiliumPodIPPool', 'v2alpha1'], ['ciliumloadbalancerippools', 'CiliumLoadBalancerIPPool', 'v2alpha1'],
];

function crd(plural: string, kind: string, version: string): KubeObject {
  const name = `${plural}.cilium.io`;
  const clusterScoped = ['ciliumclusterwidenetworkpolicies', 'ciliumidentities', 'ciliumnodes', 'ciliumcidrgroups', 'ciliuml2announcementpolicies', 'ciliumpodippools', 'ciliumloadbalancerippools'].includes(plural);
  return {
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition',
    metadata: { name, uid: uidFor(`crd:${name}`), creationTimestamp: '2026-03-02T10:00:00Z', generation: 3 },
    spec: {
      group: 'cilium.io', scope: clusterScoped ? 'Cluster' : 'Namespaced',
      names: { kind, listKind: `${kind}List`, plural, singular: kind.toLowerCase() },
      versions: [{ name: version, served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
    },
    status: {
      acceptedNames: { kind, listKind: `${kind}List`, plural, singular: kind.toLowerCase() },
      conditions: [{ type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted', lastTransitionTime: '2026-03-02T10:00:01Z' }],
      storedVersions: [version],
    },
  };
}

export function crdUpgradeDriftYaml(): string {
  const spec: ClusterSpec = {
    name: 'crd-upgrade-drift',
    description: 'A Helm upgrade from Cilium 1.15.6 to 1.16.3 half done: a leftover values pin keeps the cilium-operator Deployment (which registers and upgrades the CRDs) on v1.15.6, so the cilium.io CRDs stay as the 1.15 operator wrote them, and the agent DaemonSet rollout has only replaced node-2\'s agent. node-2 runs agent 1.16.3 against operator and CRDs from 1.15 while node-1 and node-3 still run 1.15.6.',
    header: [
      'CRDs are registered by cilium-operator, which only upgrades them (cilium-facts §2.8, #27770); agents do not wait for a CRD version (PR #31416).',
      'The CRDs carry no io.cilium.k8s.crd.schema.version label: the values per release are not in our sources.',
    ],
    version: '1.16.3', nodes: 3, os: DEBIAN_12, config: {}, kpr: true, operatorVersion: '1.15.6', broken: { state: 'running' },
    extraObjects: CRDS.map(([p, k, v]) => crd(p, k, v)),
  };
  const built = buildCluster(spec);
  for (const [nodeName, pod] of built.agents) if (nodeName !== BROKEN) setAgentVersion(pod, '1.15.6');
  const ds = find(built.objects, 'DaemonSet', 'cilium');
  ds.metadata['generation'] = 2;
  patchStatus(ds, { updatedNumberScheduled: 1, observedGeneration: 2 });
  return clusterYaml(spec, built);
}

/** FailedCreatePodSandBox when cluster-pool IPAM has no address left: containerd wrapper (cilium#40345) + the CNI error of cilium#10627. */
export function rangeFullMessage(seed: string): string {
  return `Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox "${hexFor(`sandbox:${seed}`)}": plugin type="cilium-cni" failed (add): unable to allocate IP via local cilium agent: [POST /ipam][502] postIpamFailure  range is full`;
}

function ciliumNode(n: number, ip: string): KubeObject {
  const name = `node-${n}`;
  return {
    apiVersion: 'cilium.io/v2', kind: 'CiliumNode',
    metadata: { name, uid: uidFor(`ciliumnode:${name}`), creationTimestamp: '2026-11-01T08:02:00Z', labels: { 'kubernetes.io/hostname': name }, ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name, uid: uidFor(`node:${name}`) }] },
    spec: {
      addresses: [{ type: 'InternalIP', ip }, { type: 'CiliumInternalIP', ip: `10.1.${n}.1` }],
      health: { ipv4: `10.1.${n}.2` },
      ipam: { podCIDRs: [`10.1.${n}.0/27`] },
    },
    status: { ipam: { 'operator-status': {} } },
  };
}

export function ipamExhaustedYaml(): string {
  const extra: KubeObject[] = [1, 2, 3].map((n) => ciliumNode(n, nodeIP(n)));
  const worker = (suffix: string, ip?: string): KubeObject => workloadPod({ name: `report-worker-8b6c5d7f9-${suffix}`, node: BROKEN, nodeIP: nodeIP(2), namespace: 'shop', app: 'report-worker', owner: { kind: 'ReplicaSet', name: 'report-worker-8b6c5d7f9' }, state: ip === undefined ? 'ContainerCreating' : 'running', ...(ip === undefined ? { createdAt: '2026-11-23T12:20:00Z' } : { podIP: ip }) });
  // node-2's /27: .1 cilium_host, .2 health, .21/.22 web/api, every other usable address a report worker.
  const hosts = [...Array.from({ length: 18 }, (_, i) => i + 3), ...Array.from({ length: 8 }, (_, i) => i + 23)];
  for (const h of hosts) extra.push(worker(`w${String(h).padStart(2, '0')}q`, `10.1.2.${h}`));
  for (const s of ['p1', 'p2', 'p3']) {
    const pod = worker(`${s}zx`);
    extra.push(pod, kubeletEvent({ namespace: 'shop', pod: pod.metadata.name, podUid: uidOf(pod), node: BROKEN, reason: 'FailedCreatePodSandBox', count: 52, message: rangeFullMessage(`${BROKEN}/${pod.metadata.name}`), first: '2026-11-23T12:20:05Z', last: NOW }));
  }
  const spec: ClusterSpec = {
    name: 'ipam-exhausted',
    description: 'Cilium 1.16.3 in cluster-pool IPAM mode with cluster-pool-ipv4-mask-size=27: every node gets a /27 (30 usable addresses). The report-worker batch piled onto node-2, whose CiliumNode podCIDR 10.1.2.0/27 is fully used (router, health and 28 pods), and three new pods there wait in ContainerCreating with "unable to allocate IP via local cilium agent … range is full".',
    header: [
      'Sandbox event: containerd wrapper as in cilium#40345, CNI error verbatim from cilium#10627 (cilium-facts §2.9). The agent is healthy and ready.',
      'Cluster-pool mode keeps allocations in the agent, so CiliumNode status.ipam has only operator-status (no used map as in ENI mode).',
    ],
    version: '1.16.3', nodes: 3, os: DEBIAN_12, config: { 'cluster-pool-ipv4-cidr': '10.1.0.0/16', 'cluster-pool-ipv4-mask-size': '27' }, kpr: true,
    broken: { state: 'running' }, extraObjects: extra, natExec: false,
  };
  return clusterYaml(spec);
}

function kubernetesService(): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Service',
    metadata: { name: 'kubernetes', namespace: 'default', uid: uidFor('service:default/kubernetes'), creationTimestamp: '2026-11-01T07:55:00Z', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: { type: 'ClusterIP', clusterIP: '10.100.0.1', clusterIPs: ['10.100.0.1'], ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack', ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 443 }], sessionAffinity: 'None' },
    status: { loadBalancer: {} },
  };
}

export function apiserverUnreachableYaml(): string {
  const ctx = logContext({ kpr: true, k8sServiceHost: false });
  const crash = text([...startLines(ctx), apiserverUnreachable('10.100.0.1')]);
  const spec: ClusterSpec = {
    name: 'apiserver-unreachable',
    description: 'Cilium 1.16.3 with kube-proxy-replacement=true after kube-proxy was removed, but without k8sServiceHost/k8sServicePort: agents reach the apiserver through the kubernetes Service VIP 10.100.0.1, which only Cilium itself implements. The three old agents started while kube-proxy still ran; node-2, new from the autoscaler, has no way to the VIP, so its agent crash-loops on "Unable to contact k8s api-server … i/o timeout" and its pods never get a sandbox.',
    header: ['apiserver lines: cilium-facts §2.8 (#28823, #35440; #21148 for the missing k8sServiceHost with KPR). The agents have no KUBERNETES_SERVICE_HOST env.'],
    version: '1.16.3', nodes: 4, os: DEBIAN_12, config: {}, kpr: true, k8sServiceHost: false,
    broken: { state: 'crashloop', restarts: 11, lastTermination: { ...CRASH, startedAt: '2026-11-23T12:35:10Z', finishedAt: '2026-11-23T12:36:44Z' }, previous: crash, current: crash, neverReady: true, stuckWorkloads: sandboxNoAgentMessage },
    extraObjects: [kubernetesService()],
  };
  return clusterYaml(spec);
}
