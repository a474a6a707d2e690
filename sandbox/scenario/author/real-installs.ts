// Installs that are not "Helm chart in kube-system with tagged images": Cilium in its own namespace under OLM, an
// agent stuck in its `config` init container, digest-only images whose version only the banner says.
import { kubeletEvent, sandboxNoAgentMessage } from '../build-apps.ts';
import { healthyAgentLog, MAP_CREATE_ENOMEM_ERROR, MAP_CREATE_ENOMEM_FATAL, type AgentLogContext } from '../cilium-logs.ts';
import { agentBanner, buildConfigTimeout, type BuildInfo } from '../cilium-logs-install.ts';
import { hexFor, uidFor } from '../ids.ts';
import type { KubeObject } from '../schema.ts';
import { BROKEN, buildCluster, clusterYaml, CRASH, NOW, startLines, text, uidOf, type ClusterSpec } from './broken-cluster.ts';
import { chart116, helmOwned, relocate, setAgentImage, setApiserver, stuckInInit } from './install-shapes.ts';
import { find, setResources } from './mutate.ts';

const V116 = '1.16.3';

// OpenShift 4.16 worker shape (RHCOS on RHEL 9.4's 5.14 kernel, CRI-O); build numbers are ours.
const RHCOS = { kernel: '5.14.0-427.37.1.el9_4.x86_64', osImage: 'Red Hat Enterprise Linux CoreOS 416.94.202409191851-0', kubeletVersion: 'v1.29.8+f10c92d', containerRuntimeVersion: 'cri-o://1.29.8-5.rhaos4.16.git7032128.el9' };
const OCP_API = 'api-int.ocp-prod.example.com';
const OCP_CTX: AgentLogContext = { memoryBytes: 16069620 * 1024, apiserver: `https://${OCP_API}:6443`, kubeProxyReplacement: true };
const BIG_MEM_KI = 130_522_456;

/**
 * OLM objects of cilium-olm (github.com/cilium/cilium-olm README): an installer operator built on the Helm operator
 * watches one CiliumConfig (cilium.io/v1alpha1, CRD config/crd/cilium.io_cilumconfigs.yaml) in namespace `cilium`
 * whose spec holds Helm values, and installs the chart as release `cilium` there. The operator image reference is
 * not in our sources: the one below is a placeholder name.
 */
function olmObjects(): KubeObject[] {
  const crd: KubeObject = {
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition',
    metadata: { name: 'ciliumconfigs.cilium.io', uid: uidFor('crd:ciliumconfigs.cilium.io'), creationTimestamp: '2026-10-02T09:00:00Z' },
    spec: {
      group: 'cilium.io', scope: 'Namespaced', names: { kind: 'CiliumConfig', listKind: 'CiliumConfigList', plural: 'ciliumconfigs', singular: 'ciliumconfig' },
      versions: [{ name: 'v1alpha1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
    },
    status: { acceptedNames: { kind: 'CiliumConfig', plural: 'ciliumconfigs' }, conditions: [{ type: 'Established', status: 'True', reason: 'InitialNamesAccepted' }], storedVersions: ['v1alpha1'] },
  };
  const config: KubeObject = {
    apiVersion: 'cilium.io/v1alpha1', kind: 'CiliumConfig',
    metadata: { name: 'cilium', namespace: 'cilium', uid: uidFor('ciliumconfig:cilium/cilium'), creationTimestamp: '2026-10-02T09:01:00Z', generation: 3 },
    spec: { kubeProxyReplacement: true, k8sServiceHost: OCP_API, k8sServicePort: 6443, ipam: { mode: 'cluster-pool' }, cni: { binPath: '/var/lib/cni/bin', confPath: '/var/run/multus/cni/net.d' }, resources: { limits: { memory: '1G' } } },
  };
  const operator: KubeObject = {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: 'cilium-olm', namespace: 'cilium', uid: uidFor('deployment:cilium/cilium-olm'), generation: 1, creationTimestamp: '2026-10-02T09:00:30Z', labels: { name: 'cilium-olm' } },
    spec: {
      replicas: 1, selector: { matchLabels: { name: 'cilium-olm' } },
      template: { metadata: { labels: { name: 'cilium-olm' } }, spec: { hostNetwork: true, serviceAccountName: 'cilium-olm', containers: [{ name: 'operator', image: `registry.example.com/cilium-olm:v${V116}` }] } },
    },
    status: { observedGeneration: 1, replicas: 1, updatedReplicas: 1, readyReplicas: 1, availableReplicas: 1 },
  };
  const ns: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'cilium', uid: uidFor('namespace:cilium'), creationTimestamp: '2026-10-02T08:59:00Z', labels: { 'kubernetes.io/metadata.name': 'cilium' } }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } };
  return [ns, crd, config, operator];
}

export function ciliumNamespaceYaml(): string {
  const crash = text([...startLines({ ...OCP_CTX, memoryBytes: BIG_MEM_KI * 1024 }), MAP_CREATE_ENOMEM_ERROR, MAP_CREATE_ENOMEM_FATAL]);
  const spec: ClusterSpec = {
    name: 'cilium-namespace',
    description: `OpenShift-like cluster: Cilium ${V116} installed by the cilium-olm operator (OLM) as Helm release "cilium" in namespace cilium (DaemonSet cilium, cilium-config, cilium-operator all in cilium, none in kube-system), with the agent memory limited to 1G through the CiliumConfig. node-2, a 128 GiB machine, sizes its BPF maps from its memory and its agent crash-loops with ENOMEM creating cilium_ct_any4_global; the 16 GiB nodes are healthy.`,
    header: [
      'Cilium lives in namespace cilium: collectors must find it by label (k8s-app=cilium), not assume kube-system.',
      'Map failure lines: cilium#30437 (1.14.6, cilium/ebpf form, unchanged in 1.16) as in kernel-too-old.yaml; big node + 1G limit as in cilium#23436.',
      'Node build numbers (RHCOS 416.94, kernel 5.14.0-427.37.1.el9_4, CRI-O 1.29.8) are ours, in OpenShift 4.16 shape.',
    ],
    version: V116, nodes: 3, os: RHCOS, brokenOs: { ...RHCOS, instanceType: 'r5.4xlarge', memoryKi: BIG_MEM_KI },
    config: {}, kpr: true, healthyLog: () => healthyAgentLog(OCP_CTX),
    broken: { state: 'crashloop', restarts: 14, lastTermination: CRASH, previous: crash, current: crash, neverReady: true },
    expectFindings: ['bpf-map-create-failed'],
    extraObjects: olmObjects(),
  };
  const built = buildCluster(spec);
  setApiserver(built, OCP_API, '6443');
  chart116(built);
  for (const pod of built.agents.values()) setResources(pod, { requests: { cpu: '100m', memory: '512Mi' }, limits: { memory: '1G' } });
  relocate(built, 'cilium');
  for (const [kind, name] of [['DaemonSet', 'cilium'], ['ConfigMap', 'cilium-config'], ['Deployment', 'cilium-operator'], ['Deployment', 'hubble-relay']] as const) helmOwned(find(built.objects, kind, name), 'cilium', 'cilium');
  return clusterYaml(spec, built);
}

const DEBIAN_12_EKS = { kernel: '6.1.0-28-cloud-amd64', osImage: 'Debian GNU/Linux 12 (bookworm)' };
const SERVICE_VIP = '10.96.0.1';

function kubernetesService(vip: string): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Service',
    metadata: { name: 'kubernetes', namespace: 'default', uid: uidFor('service:default/kubernetes'), creationTimestamp: '2026-11-01T07:55:00Z', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: { type: 'ClusterIP', clusterIP: vip, clusterIPs: [vip], ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack', ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 443 }], sessionAffinity: 'None' },
    status: { loadBalancer: {} },
  };
}

export function agentInitStuckYaml(): string {
  const fatal = buildConfigTimeout(SERVICE_VIP);
  const spec: ClusterSpec = {
    name: 'agent-init-stuck',
    description: `Cilium ${V116} with kube-proxy-replacement=true after kube-proxy was removed, without k8sServiceHost, on a 10.96.0.0/12 Service network. node-2, new from the autoscaler, never gets its agent past the first init container: config (cilium-dbg build-config) times out against the kubernetes Service VIP ${SERVICE_VIP}, which nothing implements until Cilium runs, so the pod sits in Init:CrashLoopBackOff, cilium-agent waits in PodInitializing and has no logs at all, and node-2's pods never get a sandbox.`,
    header: [
      'The only log is the config init container\'s (cilium/cilium#29094 shape); `kubectl logs` of cilium-agent is the kubelet\'s 400 "is waiting to start: PodInitializing".',
      'Init container states: the kubelet reports containers after the failing one, and the app container, as waiting/PodInitializing (Initialized=False, ContainersNotInitialized).',
    ],
    version: V116, nodes: 3, os: DEBIAN_12_EKS, config: {}, kpr: true, k8sServiceHost: false,
    broken: { state: 'crashloop', restarts: 0, neverReady: true, backOffEvent: false, stuckWorkloads: sandboxNoAgentMessage },
    expectFindings: ['apiserver-unreachable'],
    extraObjects: [kubernetesService(SERVICE_VIP)],
  };
  const built = buildCluster(spec);
  chart116(built);
  const pod = built.agents.get(BROKEN);
  if (pod === undefined) throw new Error('no agent on node-2');
  stuckInInit(pod, { container: 'config', restarts: 9, lastTermination: { exitCode: 1, reason: 'Error', startedAt: '2026-11-23T12:38:14Z', finishedAt: '2026-11-23T12:38:44Z', message: `${fatal}\n` } });
  built.objects.push(kubeletEvent({ namespace: 'kube-system', pod: pod.metadata.name, podUid: uidOf(pod), node: BROKEN, reason: 'BackOff', count: 41, message: `Back-off restarting failed container config in pod ${pod.metadata.name}_kube-system(${uidOf(pod)})`, first: '2026-11-23T11:06:02Z', last: NOW, fieldPath: 'spec.initContainers{config}' }));
  const logs = built.logs.filter((l) => l.pod !== pod.metadata.name);
  logs.push({ namespace: 'kube-system', pod: pod.metadata.name, container: 'config', current: text([fatal]), previous: text([fatal]) });
  return clusterYaml(spec, { ...built, logs });
}

// cilium/charts#146 names v1.16.3's commit f221719170636b0e0da2c7b8227c18967a1201c8; the build date and Go version
// printed after it are not in our sources (values ours, in the release's month and Go line).
const BUILD_1163: BuildInfo = { version: V116, shortCommit: 'f22171917', buildDate: '2024-10-16T13:22:01+00:00', goVersion: 'go1.22.8' };
const UBUNTU_2204 = { kernel: '5.15.0-1071-aws', osImage: 'Ubuntu 22.04.5 LTS' };
const UBUNTU_1804 = { kernel: '4.15.0-1176-aws', osImage: 'Ubuntu 18.04.6 LTS' };
const KP_CTX_HOST = 'https://10.100.0.1:443';

export function digestOnlyImageYaml(): string {
  const ctx = (memoryKi = 16069620): AgentLogContext => ({ memoryBytes: memoryKi * 1024, apiserver: KP_CTX_HOST, kubeProxyReplacement: false });
  const crash = text([...agentBanner(BUILD_1163), ...startLines(ctx()), MAP_CREATE_ENOMEM_ERROR, MAP_CREATE_ENOMEM_FATAL]);
  const spec: ClusterSpec = {
    name: 'digest-only-image',
    description: `Cilium ${V116} deployed with digest-only images (quay.io/cilium/cilium@sha256:…, no tag, as OLM bundles and some GitOps pipelines pin them): the version is nowhere in the pod spec, only in the agent's start-up banner "Cilium 1.16.3 …". node-2 was rebuilt from an old Ubuntu 18.04 image with kernel 4.15, below Cilium 1.16's 4.19.57 floor; its agent crash-loops creating BPF maps while the Ubuntu 22.04 nodes run.`,
    header: [
      'Banner: daemon_main.go initEnv (art + "Cilium %s", version.Version); commit from cilium/charts#146, build date and Go version ours.',
      'Map failure lines: cilium#30437, as in kernel-too-old.yaml.',
    ],
    version: V116, nodes: 3, os: UBUNTU_2204, brokenOs: UBUNTU_1804, config: { 'kube-proxy-replacement': 'false' }, kpr: false,
    healthyLog: () => text([...agentBanner(BUILD_1163), ...healthyAgentLog(ctx()).trimEnd().split('\n')]),
    broken: { state: 'crashloop', restarts: 19, lastTermination: CRASH, previous: crash, current: crash, neverReady: true, stuckWorkloads: sandboxNoAgentMessage },
    expectFindings: ['kernel-too-old'],
  };
  const built = buildCluster(spec);
  chart116(built);
  const digest = `quay.io/cilium/cilium@sha256:${hexFor(`image:cilium:${V116}`)}`;
  setAgentImage(built, digest);
  const operator = find(built.objects, 'Deployment', 'cilium-operator');
  const opImage = `quay.io/cilium/operator-generic@sha256:${hexFor(`image:operator:${V116}`)}`;
  (operator['spec'] as { template: { spec: { containers: { image: string }[] } } }).template.spec.containers.forEach((c) => { c.image = opImage; });
  const operatorPod = built.objects.find((o) => o.kind === 'Pod' && o.metadata.labels?.['io.cilium/app'] === 'operator');
  if (operatorPod !== undefined) {
    (operatorPod['spec'] as { containers: { image: string }[] }).containers.forEach((c) => { c.image = opImage; });
    (operatorPod['status'] as { containerStatuses: { image: string; imageID: string }[] }).containerStatuses.forEach((c) => { c.image = opImage; c.imageID = opImage; });
  }
  return clusterYaml(spec, built);
}
