// The scenarios modelled on real installs (issue 15): each carries the shape its platform really has, and the
// broken node its expect block names is the only one in trouble.
import { describe, expect, it } from 'vitest';
import { resolveScenario, type KubeObject, type Scenario } from '../../sandbox/scenario/index.ts';
import { config, get, kernelOf, named, nodeOf, ofKind } from './helpers.ts';
import { HOST_KERNEL_READ } from '../../sandbox/kube/agent-exec-defaults.ts';

type Json = Record<string, unknown>;
const agents = (s: Scenario): KubeObject[] => ofKind(s, 'Pod').filter((p) => p.metadata.labels?.['k8s-app'] === 'cilium');
const agentOnNode = (s: Scenario, node: string): KubeObject => {
  const a = agents(s).find((p) => nodeOf(p) === node);
  if (a === undefined) throw new Error(`no agent on ${node}`);
  return a;
};
const logOf = (s: Scenario, pod: KubeObject, container: string): { current?: string; previous?: string } | undefined =>
  s.logs.find((l) => l.pod === pod.metadata.name && l.container === container);
const statusOf = (pod: KubeObject, key: 'containerStatuses' | 'initContainerStatuses', name: string): Json =>
  ((get(pod, 'status', key) ?? []) as Json[]).find((c) => c['name'] === name) ?? {};

describe('cilium-namespace (OLM + Helm in namespace cilium)', () => {
  const s = resolveScenario('cilium-namespace');
  it('puts every Cilium object in namespace cilium, owned by Helm release cilium, with the OLM operator and its CiliumConfig', () => {
    const ciliumThings = s.objects.filter((o) => ['cilium', 'cilium-config', 'cilium-operator', 'hubble-relay'].includes(o.metadata.name) || o.metadata.labels?.['k8s-app'] === 'cilium');
    expect(ciliumThings.filter((o) => o.kind !== 'Namespace').every((o) => o.metadata.namespace === 'cilium')).toBe(true);
    expect(s.objects.filter((o) => o.metadata.namespace === 'kube-system')).toEqual([]);
    const ds = named(s, 'DaemonSet', 'cilium');
    expect(ds.metadata.annotations).toMatchObject({ 'meta.helm.sh/release-name': 'cilium', 'meta.helm.sh/release-namespace': 'cilium' });
    expect(ds.metadata.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'Helm', 'k8s-app': 'cilium', 'app.kubernetes.io/part-of': 'cilium' });
    expect(named(s, 'Deployment', 'cilium-olm').metadata.namespace).toBe('cilium');
    expect(named(s, 'CiliumConfig', 'cilium')).toMatchObject({ apiVersion: 'cilium.io/v1alpha1', metadata: { namespace: 'cilium' } });
  });

  it('crash-loops only node-2 (the 128 GiB node) on the map ENOMEM; its back-off event names the cilium namespace', () => {
    expect(s.expect).toEqual({ node: 'node-2', findings: ['bpf-map-create-failed'] });
    const broken = agentOnNode(s, 'node-2');
    expect(get(statusOf(broken, 'containerStatuses', 'cilium-agent'), 'state', 'waiting', 'reason')).toBe('CrashLoopBackOff');
    expect(logOf(s, broken, 'cilium-agent')?.previous).toMatch(/cilium_ct_any4_global: creating map: map create: cannot allocate memory/);
    for (const n of ['node-1', 'node-3']) expect(get(statusOf(agentOnNode(s, n), 'containerStatuses', 'cilium-agent'), 'ready')).toBe(true);
    const backOff = ofKind(s, 'Event').find((e) => get(e, 'involvedObject', 'name') === broken.metadata.name);
    expect(backOff?.metadata.namespace).toBe('cilium');
    expect(String(get(backOff, 'message'))).toContain(`_cilium(`);
  });
});

describe('agent-init-stuck', () => {
  const s = resolveScenario('agent-init-stuck');
  const pod = agentOnNode(s, 'node-2');
  const FATAL = 'level=fatal msg="Build config failed" subsys=cilium-dbg error="failed to start: Get \\"https://10.96.0.1:443/api/v1/namespaces/kube-system\\": dial tcp 10.96.0.1:443: i/o timeout"';

  it('has the config init container (cilium-dbg build-config) in CrashLoopBackOff, later ones and cilium-agent waiting PodInitializing', () => {
    const init = get(pod, 'spec', 'initContainers') as Json[];
    expect(init[0]).toMatchObject({ name: 'config', command: ['cilium-dbg', 'build-config'], terminationMessagePolicy: 'FallbackToLogsOnError' });
    const config = statusOf(pod, 'initContainerStatuses', 'config');
    expect(get(config, 'state', 'waiting', 'reason')).toBe('CrashLoopBackOff');
    expect(get(config, 'lastState', 'terminated')).toMatchObject({ exitCode: 1, reason: 'Error', message: `${FATAL}\n` });
    expect(get(config, 'restartCount')).toBe(9);
    for (const c of init.slice(1)) expect(get(statusOf(pod, 'initContainerStatuses', String(c['name'])), 'state', 'waiting', 'reason')).toBe('PodInitializing');
    expect(get(statusOf(pod, 'containerStatuses', 'cilium-agent'), 'state', 'waiting', 'reason')).toBe('PodInitializing');
    expect(get(pod, 'status', 'phase')).toBe('Pending');
    expect((get(pod, 'status', 'conditions') as Json[]).find((c) => c['type'] === 'Initialized')).toMatchObject({ status: 'False', reason: 'ContainersNotInitialized' });
  });

  it('logs the real build-config line in the current and previous config container, and nothing for cilium-agent', () => {
    expect(logOf(s, pod, 'config')).toMatchObject({ current: `${FATAL}\n`, previous: `${FATAL}\n` });
    expect(logOf(s, pod, 'cilium-agent')).toBeUndefined();
    expect(named(s, 'Service', 'kubernetes')).toMatchObject({ spec: { clusterIP: '10.96.0.1' } });
    expect(config(s)['kube-proxy-replacement']).toBe('true');
    expect(ofKind(s, 'DaemonSet').some((d) => d.metadata.name === 'kube-proxy')).toBe(false);
    expect(s.expect).toEqual({ node: 'node-2', findings: ['apiserver-unreachable'] });
  });
});

describe('digest-only-image', () => {
  const s = resolveScenario('digest-only-image');
  it('pins every agent image by digest only, so only the banner gives the version', () => {
    for (const p of agents(s)) {
      for (const c of [...(get(p, 'spec', 'containers') as Json[]), ...(get(p, 'spec', 'initContainers') as Json[])]) expect(String(c['image'])).toMatch(/^quay\.io\/cilium\/cilium@sha256:[0-9a-f]{64}$/);
      expect(JSON.stringify(p)).not.toContain('1.16.3');
    }
    const log = logOf(s, agentOnNode(s, 'node-2'), 'cilium-agent')?.previous ?? '';
    expect(log).toMatch(/^level=info msg="Cilium 1\.16\.3 f22171917 \S+ go version go1\.22\.8 linux\/amd64" subsys=daemon$/m);
    expect(log).toContain('level=info msg="|___|_|_|_|___|_|_|_|" subsys=daemon');
    expect(log.trimEnd().split('\n').pop()).toMatch(/^level=fatal msg="failed to start: daemon creation failed: error while opening\/creating BPF maps/);
    expect(kernelOf(s, 'node-2')).toBe('4.15.0-1176-aws');
    expect(s.expect?.findings).toEqual(['kernel-too-old']);
  });
});

describe('rke2-static-kube-proxy', () => {
  const s = resolveScenario('rke2-static-kube-proxy');
  it('runs kube-proxy as static mirror pods owned by their Node, with no kube-proxy DaemonSet', () => {
    expect(ofKind(s, 'DaemonSet').map((d) => d.metadata.name)).toEqual(['cilium']);
    const kp = ofKind(s, 'Pod').filter((p) => p.metadata.labels?.['component'] === 'kube-proxy');
    expect(kp.map((p) => p.metadata.name)).toEqual(['kube-proxy-node-1', 'kube-proxy-node-2', 'kube-proxy-node-3']);
    for (const p of kp) {
      expect(p.metadata.labels).toEqual({ component: 'kube-proxy', tier: 'control-plane' });
      expect(p.metadata.annotations?.['kubernetes.io/config.source']).toBe('file');
      expect(p.metadata.annotations?.['kubernetes.io/config.mirror']).toBe(p.metadata.annotations?.['kubernetes.io/config.hash']);
      expect(get(p, 'metadata', 'ownerReferences', 0)).toMatchObject({ apiVersion: 'v1', kind: 'Node', name: nodeOf(p) });
    }
  });

  it('is the rke2-cilium chart (HelmChart + HelmChartConfig, release rke2-cilium, portmap init container) with KPR on', () => {
    expect(named(s, 'HelmChart', 'rke2-cilium')).toMatchObject({ apiVersion: 'helm.cattle.io/v1', metadata: { namespace: 'kube-system' } });
    expect(String(get(named(s, 'HelmChartConfig', 'rke2-cilium'), 'spec', 'valuesContent'))).toContain('kubeProxyReplacement: true');
    expect(named(s, 'DaemonSet', 'cilium').metadata.annotations).toMatchObject({ 'meta.helm.sh/release-name': 'rke2-cilium', 'meta.helm.sh/release-namespace': 'kube-system' });
    const agent = agentOnNode(s, 'node-2');
    expect((get(agent, 'spec', 'initContainers') as Json[]).map((c) => c['name'])).toContain('install-portmap-cni-plugin');
    expect(String(get(agent, 'spec', 'containers', 0, 'image'))).toBe('docker.io/rancher/mirrored-cilium-cilium:v1.16.3');
    expect(config(s)['kube-proxy-replacement']).toBe('true');
    const nat = s.exec.find((e) => e.pod === agent.metadata.name && e.command === 'iptables-save -t nat')?.stdout ?? '';
    expect(nat.match(/^-A KUBE-SVC-/gm)?.length).toBeGreaterThanOrEqual(40);
    expect(get(named(s, 'Node', 'node-1'), 'spec', 'providerID')).toBe('rke2://node-1');
  });
});

describe('gke-dataplane-v2', () => {
  const s = resolveScenario('gke-dataplane-v2');
  it('runs the agents as DaemonSet anetd (k8s-app=cilium, container cilium-agent, gke.gcr.io image) with no operator or kube-proxy', () => {
    const ds = named(s, 'DaemonSet', 'anetd');
    expect(ds.metadata.labels).toMatchObject({ 'k8s-app': 'cilium', 'addonmanager.kubernetes.io/mode': 'Reconcile' });
    expect(ofKind(s, 'DaemonSet').map((d) => d.metadata.name)).toEqual(['anetd']);
    for (const p of agents(s)) {
      expect(p.metadata.name).toMatch(/^anetd-[a-z0-9]{5}$/);
      expect(get(p, 'metadata', 'ownerReferences', 0)).toMatchObject({ kind: 'DaemonSet', name: 'anetd', uid: get(ds, 'metadata', 'uid') });
      expect(get(p, 'spec', 'containers', 0)).toMatchObject({ name: 'cilium-agent', image: 'gke.gcr.io/cilium/cilium:v1.15.10-gke.9' });
      expect(logOf(s, p, 'cilium-agent')).toBeDefined();
    }
    expect(s.objects.some((o) => o.metadata.name === 'cilium-operator' || o.metadata.labels?.['io.cilium/app'] === 'operator')).toBe(false);
    expect(ofKind(s, 'Pod').some((p) => p.metadata.labels?.['k8s-app'] === 'kube-proxy')).toBe(false);
    expect(named(s, 'ConfigMap', 'cilium-config').metadata.labels?.['addonmanager.kubernetes.io/mode']).toBe('Reconcile');
    expect(config(s)['enable-hubble']).toBe('false');
    expect(named(s, 'Node', 'node-2').metadata.labels?.['cloud.google.com/gke-nodepool']).toBe('default-pool');
  });
});

describe('ciliumnodeconfig-override', () => {
  const s = resolveScenario('ciliumnodeconfig-override');
  it('turns the bandwidth manager on for the labelled nodes only; only Debian 10 node-2 warns', () => {
    const cnc = named(s, 'CiliumNodeConfig', 'bandwidth-manager-egress-limits');
    expect(cnc).toMatchObject({ apiVersion: 'cilium.io/v2alpha1', metadata: { namespace: 'kube-system' }, spec: { defaults: { 'enable-bandwidth-manager': 'true' } } });
    const selector = get(cnc, 'spec', 'nodeSelector', 'matchLabels') as Record<string, string>;
    const selected = ofKind(s, 'Node').filter((n) => Object.entries(selector).every(([k, v]) => n.metadata.labels?.[k] === v)).map((n) => n.metadata.name);
    expect(selected).toEqual(['node-2', 'node-3']);
    expect(config(s)['enable-bandwidth-manager']).toBe('false');
    const warns = (node: string): boolean => (logOf(s, agentOnNode(s, node), 'cilium-agent')?.current ?? '').includes('BPF bandwidth manager needs kernel 5.1 or newer');
    expect(['node-1', 'node-2', 'node-3'].map(warns)).toEqual([false, true, false]);
    expect(logOf(s, agentOnNode(s, 'node-3'), 'cilium-agent')?.current).toContain(`--enable-bandwidth-manager='true'`);
    expect(s.expect).toEqual({ node: 'node-2', findings: ['bandwidth-manager-unsupported'], healthyNodes: ['node-1', 'node-3'] });
  });
});

describe('debian10-and-al2', () => {
  const s = resolveScenario('debian10-and-al2');
  it('keeps the Debian 10 pool healthy with its real /proc/version, and crash-loops both AL2 nodes', () => {
    for (const n of ['node-1', 'node-3']) {
      expect(kernelOf(s, n)).toBe('4.19.0-21-amd64');
      const agent = agentOnNode(s, n);
      expect(get(statusOf(agent, 'containerStatuses', 'cilium-agent'), 'ready')).toBe(true);
      const proc = s.exec.find((e) => e.pod === agent.metadata.name && e.command === HOST_KERNEL_READ)?.stdout ?? '';
      expect(proc).toMatch(/^Linux version 4\.19\.0-21-amd64 \(.+\) #1 SMP Debian 4\.19\.249-2 \(2022-06-30\)\n$/);
    }
    for (const n of ['node-2', 'node-4']) {
      expect(kernelOf(s, n)).toMatch(/^4\.14\.352-.*amzn2/);
      expect(get(statusOf(agentOnNode(s, n), 'containerStatuses', 'cilium-agent'), 'state', 'waiting', 'reason')).toBe('CrashLoopBackOff');
    }
    expect(named(s, 'DaemonSet', 'cilium')).toMatchObject({ status: { desiredNumberScheduled: 4, numberReady: 2 } });
    expect(s.expect).toEqual({ node: 'node-2', findings: ['kernel-too-old'], healthyNodes: ['node-1', 'node-3'] });
  });
});
