// The real kubectl against the real-install scenarios: init-container logs and states, the kubelet's 400 for a
// container that never started, CiliumNodeConfig lists, static pods, and what a running agent answers to exec.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKubeEmulator, type KubeEmulator } from '../../sandbox/kube/index.ts';
import { resolveScenario, type Scenario } from '../../sandbox/scenario/index.ts';
import { kubectlRunner } from './fixture.ts';

const run = kubectlRunner();

function agentOn(s: Scenario, node: string): string {
  const pod = s.objects.find((o) => o.kind === 'Pod' && o.metadata.labels?.['k8s-app'] === 'cilium' && (o['spec'] as { nodeName?: string }).nodeName === node);
  if (pod === undefined) throw new Error(`no agent on ${node}`);
  return pod.metadata.name;
}

function withEmulator(name: string): { s: Scenario; kubectl: (...args: string[]) => ReturnType<typeof run> } {
  const s = resolveScenario(name);
  let emu: KubeEmulator | undefined;
  beforeAll(async () => {
    emu = await startKubeEmulator({ scenario: s });
  });
  afterAll(async () => {
    await emu?.stop();
  });
  return { s, kubectl: (...args) => run(emu?.kubeconfigPath ?? '', args) };
}

describe('agent-init-stuck through kubectl', () => {
  const { s, kubectl } = withEmulator('agent-init-stuck');
  const pod = agentOn(s, 'node-2');
  const FATAL = 'level=fatal msg="Build config failed" subsys=cilium-dbg error="failed to start: Get \\"https://10.96.0.1:443/api/v1/namespaces/kube-system\\": dial tcp 10.96.0.1:443: i/o timeout"\n';

  it('get pods shows Init:CrashLoopBackOff with the init container restarts', async () => {
    const r = await kubectl('get', 'pod', pod, '-n', 'kube-system');
    expect(r.stderr).toBe('');
    expect(r.stdout.trim().split('\n')[1]).toMatch(new RegExp(`^${pod}\\s+0/1\\s+Init:CrashLoopBackOff\\s+9 \\(\\S+ ago\\)\\s+\\S+$`));
  });

  it('logs -c config and logs -c config --previous both read the last failed run', async () => {
    expect((await kubectl('logs', pod, '-n', 'kube-system', '-c', 'config')).stdout).toBe(FATAL);
    expect((await kubectl('logs', pod, '-n', 'kube-system', '-c', 'config', '--previous')).stdout).toBe(FATAL);
  });

  it('logs of cilium-agent (named, or the default container) is the kubelet 400 for a container still PodInitializing', async () => {
    const want = `Error from server (BadRequest): container "cilium-agent" in pod "${pod}" is waiting to start: PodInitializing`;
    const named = await kubectl('logs', pod, '-n', 'kube-system', '-c', 'cilium-agent');
    expect(named.code).toBe(1);
    expect(named.stderr.trim()).toBe(want);
    const byDefault = await kubectl('logs', pod, '-n', 'kube-system');
    expect(byDefault.stderr.trim()).toBe(want);
    const previous = await kubectl('logs', pod, '-n', 'kube-system', '-c', 'cilium-agent', '--previous');
    expect(previous.stderr.trim()).toBe(`Error from server (BadRequest): previous terminated container "cilium-agent" in pod "${pod}" not found`);
  });

  it('a running agent answers the collectors\' reads by default; an unscripted binary is still "not found"', async () => {
    const healthy = agentOn(s, 'node-1');
    const version = await kubectl('exec', healthy, '-n', 'kube-system', '-c', 'cilium-agent', '--', 'cat', '/proc/version');
    expect(version.stdout).toMatch(/^Linux version 6\.1\.0-28-cloud-amd64 \(/);
    const limits = await kubectl('exec', healthy, '-n', 'kube-system', '-c', 'cilium-agent', '--', 'cat', '/proc/1/limits');
    expect(limits.stdout).toMatch(/^Max locked memory\s+unlimited\s+unlimited\s+bytes/m);
    const kconfig = await kubectl('exec', healthy, '-n', 'kube-system', '-c', 'cilium-agent', '--', 'sh', '-c', 'zcat /proc/config.gz 2>/dev/null || cat /boot/config-$(uname -r)');
    expect(kconfig.stdout).toContain('CONFIG_BPF_SYSCALL=y\n');
    expect(kconfig.stdout).toContain('CONFIG_WIREGUARD=m\n');
    const other = await kubectl('exec', healthy, '-n', 'kube-system', '-c', 'cilium-agent', '--', 'cilium-dbg', 'version');
    expect(other.code).not.toBe(0);
    expect(other.stderr).toContain('executable file not found in $PATH');
    const stuck = await kubectl('exec', pod, '-n', 'kube-system', '-c', 'cilium-agent', '--', 'cat', '/proc/version');
    expect(stuck.code).not.toBe(0);
  });
});

describe('debian10-and-al2 through kubectl', () => {
  const { s, kubectl } = withEmulator('debian10-and-al2');
  it('a scripted /proc/version wins over the default, and the 4.19 Debian kernel has no CONFIG_WIREGUARD', async () => {
    const agent = agentOn(s, 'node-1');
    // The collector's one-exec read of /proc/version (and version_signature where it exists).
    const r = await kubectl('exec', agent, '-n', 'kube-system', '-c', 'cilium-agent', '--', 'sh', '-c', 'cat /proc/version && { cat /proc/version_signature 2>/dev/null || true; }');
    expect(r.stdout).toBe('Linux version 4.19.0-21-amd64 (debian-kernel@lists.debian.org) (gcc version 8.3.0 (Debian 8.3.0-6)) #1 SMP Debian 4.19.249-2 (2022-06-30)\n');
    const kconfig = await kubectl('exec', agent, '-n', 'kube-system', '-c', 'cilium-agent', '--', 'sh', '-c', 'zcat /proc/config.gz 2>/dev/null || cat /boot/config-$(uname -r)');
    expect(kconfig.stdout).toContain('CONFIG_BPF=y\n');
    expect(kconfig.stdout).not.toContain('CONFIG_WIREGUARD');
  });
});

describe('ciliumnodeconfig-override through kubectl', () => {
  const { kubectl } = withEmulator('ciliumnodeconfig-override');
  it('lists CiliumNodeConfigs at cilium.io/v2alpha1 (Cilium 1.15) and serves the resource at v2 too', async () => {
    const r = await kubectl('get', 'ciliumnodeconfigs.v2alpha1.cilium.io', '-n', 'kube-system', '-o', 'jsonpath={range .items[*]}{.metadata.name} {.spec.nodeSelector.matchLabels} {.spec.defaults}{"\\n"}{end}');
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('bandwidth-manager-egress-limits {"io.cilium/bandwidth-manager":"enabled"} {"enable-bandwidth-manager":"true"}\n');
    // The emulator does not convert between a CRD's versions: the object is served at the version it was written in.
    const table = await kubectl('get', 'ciliumnodeconfigs.v2alpha1.cilium.io', '-n', 'kube-system');
    expect(table.stdout).toMatch(/^NAME\s+AGE\nbandwidth-manager-egress-limits\s+\S+\n$/);
    const alpha = await kubectl('get', 'ciliumnodeconfigs.v2.cilium.io', '-A');
    expect(alpha.code).toBe(0);
    expect(alpha.stderr.trim()).toBe('No resources found');
    const nodes = await kubectl('get', 'nodes', '-l', 'io.cilium/bandwidth-manager=enabled', '-o', 'name');
    expect(nodes.stdout).toBe('node/node-2\nnode/node-3\n');
  });
});

describe('rke2-static-kube-proxy and cilium-namespace through kubectl', () => {
  const rke2 = withEmulator('rke2-static-kube-proxy');
  const ocp = withEmulator('cilium-namespace');
  it('kube-proxy shows as static pods controlled by their Node, with no DaemonSet', async () => {
    const pods = await rke2.kubectl('get', 'pods', '-n', 'kube-system', '-l', 'component=kube-proxy,tier=control-plane', '-o', 'jsonpath={range .items[*]}{.metadata.name} {.metadata.ownerReferences[0].kind}/{.metadata.ownerReferences[0].name}{"\\n"}{end}');
    expect(pods.stdout).toBe('kube-proxy-node-1 Node/node-1\nkube-proxy-node-2 Node/node-2\nkube-proxy-node-3 Node/node-3\n');
    const ds = await rke2.kubectl('get', 'ds', '-A', '-o', 'name');
    expect(ds.stdout).toBe('daemonset.apps/cilium\n');
    const charts = await rke2.kubectl('get', 'helmchartconfigs.helm.cattle.io', '-n', 'kube-system', '-o', 'name');
    expect(charts.stdout).toBe('helmchartconfig.helm.cattle.io/rke2-cilium\n');
  });

  it('finds the agents in namespace cilium by label, and nothing in kube-system', async () => {
    const all = await ocp.kubectl('get', 'ds', '-A', '-l', 'k8s-app=cilium', '-o', 'jsonpath={range .items[*]}{.metadata.namespace}/{.metadata.name} {.metadata.annotations.meta\\.helm\\.sh/release-name}{"\\n"}{end}');
    expect(all.stdout).toBe('cilium/cilium cilium\n');
    const kubeSystem = await ocp.kubectl('get', 'pods', '-n', 'kube-system', '-l', 'k8s-app=cilium');
    expect(kubeSystem.stderr.trim()).toBe('No resources found in kube-system namespace.');
    const config = await ocp.kubectl('get', 'ciliumconfigs.cilium.io', '-n', 'cilium', '-o', 'name');
    expect(config.stdout).toBe('ciliumconfig.cilium.io/cilium\n');
  });
});
