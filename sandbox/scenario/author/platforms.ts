// Cilium shipped by a platform: RKE2's rke2-cilium chart (HelmChart objects, kube-proxy as a static pod) and GKE
// Dataplane V2 (the anetd DaemonSet, managed config). node-2 is the node each story centres on.
import { staticPod } from '../build-static-pods.ts';
import { natTable } from '../iptables.ts';
import { uidFor } from '../ids.ts';
import type { KubeObject } from '../schema.ts';
import { BROKEN, buildCluster, clusterYaml, nodeIP, type ClusterSpec } from './broken-cluster.ts';
import { chart116, helmOwned, renameAgentDaemonSet, setAgentImage, setApiserver } from './install-shapes.ts';
import { find, setLabel } from './mutate.ts';

function crd(group: string, plural: string, kind: string, version: string): KubeObject {
  const name = `${plural}.${group}`;
  return {
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition',
    metadata: { name, uid: uidFor(`crd:${name}`), creationTimestamp: '2026-11-01T07:56:00Z' },
    spec: { group, scope: 'Namespaced', names: { kind, listKind: `${kind}List`, plural, singular: kind.toLowerCase() }, versions: [{ name: version, served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }] },
    status: { acceptedNames: { kind, plural }, conditions: [{ type: 'Established', status: 'True', reason: 'InitialNamesAccepted' }], storedVersions: [version] },
  };
}

// RKE2 1.30 node (Ubuntu 22.04): RKE2's embedded cloud provider sets node.kubernetes.io/instance-type=rke2 and
// providerID rke2://<node>; versions are ours, in RKE2's v1.30.x+rke2rN / containerd -k3s shape.
const RKE2_NODE = { kernel: '5.15.0-124-generic', osImage: 'Ubuntu 22.04.5 LTS', kubeletVersion: 'v1.30.6+rke2r1', containerRuntimeVersion: 'containerd://1.7.22-k3s1', instanceType: 'rke2', poolLabel: 'node.kubernetes.io/instance-type' };
const RKE2_KUBE_PROXY_IMAGE = 'index.docker.io/rancher/hardened-kubernetes:v1.30.6-rke2r1-build20241023';
const RKE2_CILIUM = '1.16.3';

/** RKE2's helm-controller objects: the bundled chart's HelmChart and the user's HelmChartConfig (docs.rke2.io networking). */
function rke2HelmObjects(): KubeObject[] {
  const meta = (kind: string): KubeObject['metadata'] => ({ name: 'rke2-cilium', namespace: 'kube-system', uid: uidFor(`${kind}:kube-system/rke2-cilium`), creationTimestamp: '2026-11-01T07:57:00Z', generation: 1 });
  return [
    crd('helm.cattle.io', 'helmcharts', 'HelmChart', 'v1'),
    crd('helm.cattle.io', 'helmchartconfigs', 'HelmChartConfig', 'v1'),
    // The bundled chart is embedded as chartContent (base64 .tgz) in the real object; left out here (size).
    { apiVersion: 'helm.cattle.io/v1', kind: 'HelmChart', metadata: meta('helmchart'), spec: { bootstrap: true, set: { 'global.clusterCIDR': '10.42.0.0/16', 'global.serviceCIDR': '10.43.0.0/16', 'global.systemDefaultRegistry': '' } }, status: { jobName: 'helm-install-rke2-cilium' } },
    // The documented KPR values; the matching `disable-kube-proxy: true` in /etc/rancher/rke2/config.yaml was not set.
    { apiVersion: 'helm.cattle.io/v1', kind: 'HelmChartConfig', metadata: meta('helmchartconfig'), spec: { valuesContent: 'kubeProxyReplacement: true\nk8sServiceHost: 127.0.0.1\nk8sServicePort: 6443\n' } },
  ];
}

export function rke2StaticKubeProxyYaml(): string {
  const spec: ClusterSpec = {
    name: 'rke2-static-kube-proxy',
    description: `RKE2 v1.30 with cni: cilium (the rke2-cilium chart, Cilium ${RKE2_CILIUM}) and a HelmChartConfig turning on kubeProxyReplacement, but rke2's disable-kube-proxy was never set: every node still runs kube-proxy as a static pod (kube-proxy-<node>, a mirror pod owned by its Node, no DaemonSet anywhere). Both datapaths program Services; node-2's nat table holds kube-proxy's KUBE-SVC/KUBE-SEP chains beside Cilium's.`,
    header: [
      'kube-proxy is a static pod (rancher/rke2 pkg/staticpod/staticpod.go: labels component=kube-proxy, tier=control-plane): looking for a kube-proxy DaemonSet finds none.',
      'rke2-cilium: Helm release rke2-cilium in kube-system, images rancher/mirrored-cilium-*, extra init container install-portmap-cni-plugin (rancher/rke2#8498, #3512).',
    ],
    version: RKE2_CILIUM, nodes: 3, os: RKE2_NODE, config: { 'kube-proxy-replacement': 'true' }, kpr: true,
    providerID: (node) => `rke2://${node}`, broken: { state: 'running' }, expectFindings: ['kube-proxy-conflict'],
    extraObjects: rke2HelmObjects(),
  };
  const built = buildCluster(spec);
  chart116(built);
  setApiserver(built, '127.0.0.1', '6443');
  setAgentImage(built, `docker.io/rancher/mirrored-cilium-cilium:v${RKE2_CILIUM}`);
  for (const pod of built.agents.values()) {
    const init = (pod['spec'] as { initContainers: { name: string; image: string }[] }).initContainers;
    init.splice(init.length - 1, 0, { name: 'install-portmap-cni-plugin', image: `docker.io/rancher/hardened-cni-plugins:v1.5.1-build20240910` });
    const statuses = (pod['status'] as { initContainerStatuses: Record<string, unknown>[] }).initContainerStatuses;
    const last = statuses[statuses.length - 1];
    if (last !== undefined) statuses.splice(statuses.length - 1, 0, { ...last, name: 'install-portmap-cni-plugin', image: 'docker.io/rancher/hardened-cni-plugins:v1.5.1-build20240910', containerID: `${String(last['containerID']).slice(0, -8)}0f0f0f0f` });
  }
  for (const [kind, name] of [['DaemonSet', 'cilium'], ['ConfigMap', 'cilium-config'], ['Deployment', 'cilium-operator']] as const) helmOwned(find(built.objects, kind, name), 'rke2-cilium', 'kube-system');
  for (let n = 1; n <= spec.nodes; n++) {
    built.objects.push(staticPod({ name: 'kube-proxy', node: `node-${n}`, nodeIP: nodeIP(n), image: RKE2_KUBE_PROXY_IMAGE, labels: { component: 'kube-proxy', tier: 'control-plane' }, command: ['kube-proxy', '--cluster-cidr=10.42.0.0/16', `--conntrack-max-per-core=0`, '--healthz-bind-address=127.0.0.1', `--hostname-override=node-${n}`, '--kubeconfig=/var/lib/rancher/rke2/agent/kubeproxy.kubeconfig', '--proxy-mode=iptables'] }));
  }
  // kube-proxy's rules on every node; node-2's is the one quoted (the others keep the Cilium-only default).
  const agent = built.agents.get(BROKEN);
  const nat = built.exec.find((e) => e.pod === agent?.metadata.name && e.command === 'iptables-save -t nat');
  if (nat !== undefined) nat.stdout = natTable({ cilium: { podCIDR: '10.1.2.0/24', ciliumHostIP: '10.1.2.200' }, kubeProxy: { services: 40, endpointsPerService: 2 } });
  return clusterYaml(spec, built);
}

// GKE node on Container-Optimized OS; versions ours, in GKE's v1.30.x-gke.N shape.
const COS = { kernel: '6.1.100+', osImage: 'Container-Optimized OS from Google', kubeletVersion: 'v1.30.5-gke.1014001', containerRuntimeVersion: 'containerd://1.7.22', instanceType: 'e2-standard-4', poolLabel: 'cloud.google.com/gke-nodepool' };
/** A tag GKE ships (v<upstream>-gke.<n>), as seen in public image lists. */
const ANETD_IMAGE = 'gke.gcr.io/cilium/cilium:v1.15.10-gke.9';

export function gkeDataplaneV2Yaml(): string {
  const spec: ClusterSpec = {
    name: 'gke-dataplane-v2',
    description: 'GKE with Dataplane V2: Cilium runs as the anetd DaemonSet in kube-system (pods anetd-xxxxx, label k8s-app=cilium, container cilium-agent, image gke.gcr.io/cilium/cilium:v1.15.10-gke.9), managed by GKE: cilium-config is reconciled by the add-on manager, so edits do not stick, and there is no cilium-operator or kube-proxy in the cluster. Dataplane V2 observability is off, so Hubble is disabled: asked about node-2, the bot finds the node healthy but has no flows to show.',
    header: [
      'anetd: DaemonSet name, label k8s-app=cilium, container cilium-agent, node selector kubernetes.io/os=linux and the image tag shape come from public `kubectl get ds -l k8s-app=cilium -o wide` output on GKE.',
      'cilium-config is reconciled by GKE\'s add-on manager (cilium/cilium-cli#216); addonmanager.kubernetes.io/mode=Reconcile is the add-on manager\'s label. Other GKE labels/annotations on anetd are unknown to us and left out.',
      'No cilium-operator Deployment: none appears in the public GKE listings we read. The anetd pods\' init containers are unknown to us: the upstream ones are kept.',
    ],
    version: '1.15.10', nodes: 3, os: COS, pool: 'default-pool', config: { 'enable-hubble': 'false' }, kpr: true, hubble: false,
    providerID: (node) => `gce://prod-project-4711/europe-west1-b/gke-prod-default-pool-5f1c2a7b-${node.slice(-1)}x2k`,
    broken: { state: 'running' }, expectFindings: ['hubble-disabled'],
  };
  let built = buildCluster(spec);
  setApiserver(built, '172.16.0.2', '443');
  setAgentImage(built, ANETD_IMAGE);
  built = renameAgentDaemonSet(built, 'anetd');
  built.objects = built.objects.filter((o) => !(o.metadata.name === 'cilium-operator' || o.metadata.labels?.['io.cilium/app'] === 'operator'));
  // Only k8s-app=cilium is known to be on anetd pods; the upstream chart's app.kubernetes.io labels are not claimed.
  for (const pod of built.agents.values()) for (const key of ['app.kubernetes.io/name', 'app.kubernetes.io/part-of']) setLabel(pod, key, undefined);
  const ds = find(built.objects, 'DaemonSet', 'anetd');
  (ds['spec'] as { template: { spec: Record<string, unknown> } }).template.spec['nodeSelector'] = { 'kubernetes.io/os': 'linux' };
  for (const o of [ds, find(built.objects, 'ConfigMap', 'cilium-config')]) {
    setLabel(o, 'addonmanager.kubernetes.io/mode', 'Reconcile');
    setLabel(o, 'app.kubernetes.io/managed-by', undefined);
  }
  return clusterYaml(spec, built);
}
