// Cluster-wide facts read from objects: kube-proxy, Hubble, policies, services, events (fact sheet §3.2, §5, §6).
import type { CoreV1Event, V1ConfigMap, V1DaemonSet, V1Deployment, V1EndpointSlice, V1Pod, V1Service } from '@kubernetes/client-node';
import { parse as parseYaml } from 'yaml';
import type { HubbleInfo, KubeEvent, KubeProxyInfo, KubeProxyMode, ServiceSummary } from '../../runbooks/engine/evidence.ts';

const MIRROR = 'kubernetes.io/config.mirror';

/**
 * kube-proxy's pod on the node among the node's pods: a DaemonSet pod (kubeadm, EKS: `k8s-app=kube-proxy`) or a static
 * (mirror) pod (RKE2 and hand-converted kubeadm clusters: `component=kube-proxy`, `tier=control-plane`, named
 * kube-proxy-<node>, annotated kubernetes.io/config.mirror, owned by the Node).
 */
export function kubeProxyPodOf(podsOnNode: V1Pod[]): V1Pod | null {
  return podsOnNode.find((p) => {
    const l = p.metadata?.labels ?? {};
    return l['k8s-app'] === 'kube-proxy' || l.component === 'kube-proxy' ||
      (p.metadata?.namespace === 'kube-system' && /^kube-proxy-/.test(p.metadata.name ?? '') && (p.spec?.containers ?? []).some((c) => c.name === 'kube-proxy'));
  }) ?? null;
}

function podKind(pod: V1Pod): 'daemonset' | 'static' | undefined {
  if (pod.metadata?.annotations?.[MIRROR] !== undefined || pod.metadata?.ownerReferences?.some((o) => o.kind === 'Node') === true) return 'static';
  if (pod.metadata?.ownerReferences?.some((o) => o.kind === 'DaemonSet') === true) return 'daemonset';
  return undefined;
}

/**
 * Whether kube-proxy runs inside the k3s/RKE2 binary: k3s embeds it unless started with --disable-kube-proxy,
 * which it records in the node annotation k3s.io/node-args (a JSON argv). RKE2 runs it as a static pod instead.
 */
export function embeddedKubeProxy(nodeAnnotations: Record<string, string> | undefined): boolean | undefined {
  const args = nodeAnnotations?.['k3s.io/node-args'];
  if (args === undefined) return undefined;
  return !args.includes('--disable-kube-proxy');
}

/** `podOnNode`: the pod, null when the node has none, undefined when the node's pods could not be read. */
export function toKubeProxyInfo(daemonSets: V1DaemonSet[], podOnNode: V1Pod | null | undefined, config: V1ConfigMap | null, embedded?: boolean): KubeProxyInfo {
  const ds = daemonSets.find((d) => d.metadata?.name === 'kube-proxy') ?? daemonSets[0];
  const ready = podOnNode?.status?.containerStatuses?.every((c) => c.ready) === true;
  const kind = podOnNode === null || podOnNode === undefined ? undefined : podKind(podOnNode);
  return {
    daemonSetPresent: ds !== undefined,
    ...(ds?.metadata?.name !== undefined && { daemonSetName: ds.metadata.name }),
    ...(podOnNode !== undefined && {
      podOnNode: podOnNode === null ? null : { name: podOnNode.metadata?.name ?? '', phase: podOnNode.status?.phase ?? 'Unknown', ready, ...(kind !== undefined && { kind }) },
    }),
    mode: config === null ? null : kubeProxyMode(config),
    // A kube-proxy pod on the node settles it: nothing is embedded then.
    ...(embedded !== undefined && { embedded: podOnNode === null && embedded }),
    source: `DaemonSets in kube-system, the node's pods${config === null ? '' : `, ConfigMap kube-system/${config.metadata?.name ?? 'kube-proxy'}`}${embedded !== undefined ? ', node annotation k3s.io/node-args' : ''}`,
  };
}

/** The `mode:` of the kube-proxy ConfigMap (`config.conf`; EKS's kube-proxy-config has `config`); "" = iptables. */
function kubeProxyMode(config: V1ConfigMap): KubeProxyMode | null {
  const text = config.data?.['config.conf'] ?? config.data?.config;
  if (text === undefined) return null;
  try {
    const doc: unknown = parseYaml(text);
    const mode = typeof doc === 'object' && doc !== null ? (doc as Record<string, unknown>).mode : undefined;
    if (mode === '' || mode === 'iptables') return 'iptables';
    if (mode === 'ipvs' || mode === 'nftables') return mode;
    return null;
  } catch {
    return null;
  }
}

/** Hubble from the effective config (cilium-config plus the node's overrides); the caller never passes an unread config. */
export function toHubbleInfo(ciliumConfig: Record<string, string>, relay: V1Deployment[]): HubbleInfo {
  const d = relay[0];
  return {
    enabled: ciliumConfig['enable-hubble']?.trim().toLowerCase() === 'true',
    relayPresent: d !== undefined,
    ...(d !== undefined && { relayReady: (d.status?.readyReplicas ?? 0) > 0 }),
  };
}

export { toPolicySummary } from '../../runbooks/engine/policy-summary.ts';

/** Services with at least one endpoint on `node`, from EndpointSlices. */
export function toServicesOnNode(node: string, services: V1Service[], slices: V1EndpointSlice[]): ServiceSummary[] {
  const byKey = new Map<string, ServiceSummary>();
  for (const slice of slices) {
    const svcName = slice.metadata?.labels?.['kubernetes.io/service-name'];
    const ns = slice.metadata?.namespace ?? '';
    if (svcName === undefined || !slice.endpoints.some((e) => e.nodeName === node)) continue;
    const key = `${ns}/${svcName}`;
    const svc = services.find((s) => s.metadata?.namespace === ns && s.metadata?.name === svcName);
    const summary = byKey.get(key) ?? {
      namespace: ns,
      name: svcName,
      type: svc?.spec?.type ?? 'ClusterIP',
      clusterIP: svc?.spec?.clusterIP ?? null,
      endpoints: [],
    };
    for (const e of slice.endpoints) {
      summary.endpoints.push({
        podName: e.targetRef?.kind === 'Pod' ? (e.targetRef.name ?? null) : null,
        nodeName: e.nodeName ?? null,
        ready: e.conditions?.ready !== false,
      });
    }
    byKey.set(key, summary);
  }
  return [...byKey.values()];
}

export function toEvent(e: CoreV1Event): KubeEvent {
  const last = e.lastTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp;
  return {
    type: e.type ?? 'Normal',
    reason: e.reason ?? '',
    message: e.message ?? '',
    involvedObject: {
      kind: e.involvedObject.kind ?? '',
      name: e.involvedObject.name ?? '',
      ...(e.involvedObject.namespace !== undefined && { namespace: e.involvedObject.namespace }),
    },
    count: e.count ?? 1,
    lastTimestamp: last === undefined ? null : new Date(last).toISOString(),
  };
}
