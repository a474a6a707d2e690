// Node objects shaped like `kubectl get node -o json` (protocols.md B.5).
import type { KubeObject } from './schema.ts';
import { hexFor, uidFor } from './ids.ts';

/**
 * The node-pool label every scenario uses: EKS managed node groups' label. Chosen because the seed story (an old
 * Amazon Linux 2 pool on 4.14 next to current nodes) is an EKS story, and the node shape of protocols.md B.5
 * (`aws:///…` providerID, `m5.xlarge`) is EKS too. Runbooks should still read other pool labels (GKE, AKS, Karpenter).
 */
export const POOL_LABEL = 'eks.amazonaws.com/nodegroup';

/**
 * The taint Cilium's docs have nodes registered with (cilium-facts §3.2): the operator removes it once the node's
 * agent is ready. Effect NoExecute is the recommended one since 1.10 (PR #19224/#18486).
 */
export const AGENT_NOT_READY_TAINT = { key: 'node.cilium.io/agent-not-ready', value: 'true', effect: 'NoExecute' } as const;

export interface Taint {
  key: string;
  value?: string;
  effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
  timeAdded?: string;
}

export interface NodeOptions {
  name: string;
  /** The pool label key (default POOL_LABEL, EKS's); GKE: cloud.google.com/gke-nodepool. */
  poolLabel?: string;
  /** spec.providerID (default an EKS instance); RKE2's embedded cloud controller: `rke2://<node>`. */
  providerID?: string;
  /** Labels the platform adds (node roles, instance type of a non-cloud install). */
  extraLabels?: Record<string, string>;
  /** `uname -r`, e.g. `6.1.0-28-cloud-amd64` or `4.14.352-268.568.amzn2.x86_64`. */
  kernel: string;
  osImage: string;
  pool: string;
  internalIP: string;
  podCIDR: string;
  ready?: boolean;
  /** `cilium-up`: NetworkUnavailable=False/CiliumIsUp (set by Cilium); `no-route`: True/NoRouteCreated (never cleared). */
  network?: 'cilium-up' | 'no-route';
  taints?: Taint[];
  kubeletVersion?: string;
  containerRuntimeVersion?: string;
  instanceType?: string;
  zone?: string;
  memoryKi?: number;
  cpus?: number;
  createdAt?: string;
  /** When conditions were last reported. */
  heartbeatAt?: string;
}

export const DEFAULT_NODE_MEMORY_KI = 16069620;

export function node(o: NodeOptions): KubeObject {
  const created = o.createdAt ?? '2026-11-01T08:00:00Z';
  const beat = o.heartbeatAt ?? '2026-11-23T12:40:00Z';
  const zone = o.zone ?? 'eu-west-1a';
  const cpus = o.cpus ?? 4;
  const memKi = o.memoryKi ?? DEFAULT_NODE_MEMORY_KI;
  const ready = o.ready ?? true;
  const cond = (type: string, status: string, reason: string, message: string, since = created): Record<string, string> =>
    ({ type, status, reason, message, lastHeartbeatTime: beat, lastTransitionTime: since });
  const network = o.network === 'no-route'
    // The kubelet/cloud controller's initial value; Cilium only ever clears it (operator sets False/CiliumIsUp).
    ? cond('NetworkUnavailable', 'True', 'NoRouteCreated', 'Node created without a route')
    : cond('NetworkUnavailable', 'False', 'CiliumIsUp', 'Cilium is running on this node');
  const instanceId = `i-0${hexFor(`instance:${o.name}`, 16)}`;
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: o.name,
      uid: uidFor(`node:${o.name}`),
      creationTimestamp: created,
      labels: {
        'beta.kubernetes.io/arch': 'amd64',
        'beta.kubernetes.io/instance-type': o.instanceType ?? 'm5.xlarge',
        'beta.kubernetes.io/os': 'linux',
        [o.poolLabel ?? POOL_LABEL]: o.pool,
        'kubernetes.io/arch': 'amd64',
        'kubernetes.io/hostname': o.name,
        'kubernetes.io/os': 'linux',
        'node.kubernetes.io/instance-type': o.instanceType ?? 'm5.xlarge',
        'topology.kubernetes.io/region': zone.slice(0, -1),
        'topology.kubernetes.io/zone': zone,
        ...o.extraLabels,
      },
      annotations: {
        'node.alpha.kubernetes.io/ttl': '0',
        'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
      },
    },
    spec: {
      podCIDR: o.podCIDR,
      podCIDRs: [o.podCIDR],
      providerID: o.providerID ?? `aws:///${zone}/${instanceId}`,
      ...(o.taints !== undefined && o.taints.length > 0 ? { taints: o.taints.map((t) => ({ ...t })) } : {}),
    },
    status: {
      capacity: { cpu: String(cpus), 'ephemeral-storage': '83873772Ki', 'hugepages-1Gi': '0', 'hugepages-2Mi': '0', memory: `${memKi}Ki`, pods: '110' },
      allocatable: { cpu: `${cpus * 1000 - 80}m`, 'ephemeral-storage': '76224326324', 'hugepages-1Gi': '0', 'hugepages-2Mi': '0', memory: `${memKi - 1016832}Ki`, pods: '110' },
      conditions: [
        network,
        cond('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
        cond('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
        cond('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
        ready
          ? cond('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status')
          : cond('Ready', 'Unknown', 'NodeStatusUnknown', 'Kubelet stopped posting node status.'),
      ],
      addresses: [
        { type: 'InternalIP', address: o.internalIP },
        { type: 'Hostname', address: o.name },
        { type: 'InternalDNS', address: `ip-${o.internalIP.replaceAll('.', '-')}.${zone.slice(0, -1)}.compute.internal` },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        machineID: hexFor(`machine:${o.name}`, 32),
        systemUUID: uidFor(`system:${o.name}`),
        bootID: uidFor(`boot:${o.name}`),
        kernelVersion: o.kernel,
        osImage: o.osImage,
        containerRuntimeVersion: o.containerRuntimeVersion ?? 'containerd://1.7.23',
        kubeletVersion: o.kubeletVersion ?? 'v1.32.0-eks-aeac579',
        kubeProxyVersion: o.kubeletVersion ?? 'v1.32.0-eks-aeac579',
        operatingSystem: 'linux',
        architecture: 'amd64',
      },
    },
  };
}

/** The memory of a built node in bytes (what the agent sizes its maps from). */
export function nodeMemoryBytes(memoryKi = DEFAULT_NODE_MEMORY_KI): number {
  return memoryKi * 1024;
}
