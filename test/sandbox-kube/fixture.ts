// A small scenario for the emulator tests: two nodes, a crash-looping cilium agent on node-1, a healthy one on
// node-2, kube-proxy, a CNP, logs, exec results, and a restricted service account with RBAC.
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject, Scenario } from '../../sandbox/scenario/schema.ts';

const ago = (minutes: number): string => new Date(Date.now() - minutes * 60_000).toISOString().replace(/\.\d+Z$/, 'Z');

function node(name: string, ip: string, kernel: string): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'node-role.kubernetes.io/worker': '' }, creationTimestamp: ago(60 * 24 * 3) },
    spec: { podCIDR: '10.0.1.0/24' },
    status: {
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }],
      addresses: [{ type: 'InternalIP', address: ip }, { type: 'Hostname', address: name }],
      nodeInfo: { kernelVersion: kernel, osImage: 'Ubuntu 22.04.4 LTS', containerRuntimeVersion: 'containerd://1.7.12', kubeletVersion: 'v1.30.2' },
    },
  };
}

const ciliumOwner = [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'cilium', uid: 'ds-cilium-uid', controller: true, blockOwnerDeletion: true }];

function ciliumPod(name: string, nodeName: string, crashing: boolean): KubeObject {
  const agentStatus = crashing
    ? {
      name: 'cilium-agent', ready: false, started: false, restartCount: 17, image: 'quay.io/cilium/cilium:v1.15.6',
      state: { waiting: { reason: 'CrashLoopBackOff', message: `back-off 5m0s restarting failed container=cilium-agent pod=${name}_kube-system(x)` } },
      lastState: { terminated: { exitCode: 1, reason: 'Error', startedAt: ago(3), finishedAt: ago(2), containerID: 'containerd://abc' } },
    }
    : { name: 'cilium-agent', ready: true, started: true, restartCount: 0, state: { running: { startedAt: ago(60) } }, lastState: {} };
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: 'kube-system', generateName: 'cilium-', labels: { 'k8s-app': 'cilium' }, ownerReferences: ciliumOwner, creationTimestamp: ago(90) },
    spec: {
      nodeName, hostNetwork: true, serviceAccountName: 'cilium',
      containers: [{ name: 'cilium-agent', image: 'quay.io/cilium/cilium:v1.15.6' }, { name: 'cilium-monitor', image: 'quay.io/cilium/cilium:v1.15.6' }],
    },
    status: {
      phase: 'Running', podIP: nodeName === 'node-1' ? '10.20.0.1' : '10.20.0.2',
      conditions: [{ type: 'Initialized', status: 'True' }, { type: 'Ready', status: crashing ? 'False' : 'True' }],
      containerStatuses: [agentStatus, { name: 'cilium-monitor', ready: true, restartCount: 0, state: { running: { startedAt: ago(60) } } }],
    },
  };
}

export const RESTRICTED_USER = 'system:serviceaccount:cilium-runbook:bot';
export const RESTRICTED_TOKEN = 'restricted-token-0123456789';

export function testScenario(): Scenario {
  const objects: KubeObject[] = [
    node('node-1', '10.20.0.1', '4.14.355-275.582.amzn2.x86_64'),
    node('node-2', '10.20.0.2', '6.1.0-21-cloud-amd64'),
    ciliumPod('cilium-aaaaa', 'node-1', true),
    ciliumPod('cilium-bbbbb', 'node-2', false),
    {
      apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'cilium', namespace: 'kube-system', uid: 'ds-cilium-uid' },
      spec: { selector: { matchLabels: { 'k8s-app': 'cilium' } }, template: { spec: { containers: [{ name: 'cilium-agent', image: 'quay.io/cilium/cilium:v1.15.6' }] } } },
      status: { desiredNumberScheduled: 2, currentNumberScheduled: 2, numberReady: 1, updatedNumberScheduled: 2, numberAvailable: 1 },
    },
    {
      apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'kube-proxy', namespace: 'kube-system' },
      spec: { selector: { matchLabels: { 'k8s-app': 'kube-proxy' } }, template: { spec: { containers: [{ name: 'kube-proxy', image: 'registry.k8s.io/kube-proxy:v1.30.2' }] } } },
      status: { desiredNumberScheduled: 2, currentNumberScheduled: 2, numberReady: 2, updatedNumberScheduled: 2, numberAvailable: 2 },
    },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cilium-config', namespace: 'kube-system' }, data: { 'kube-proxy-replacement': 'true' } },
    {
      apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'allow-dns', namespace: 'default' },
      spec: { endpointSelector: {}, egress: [{ toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }] }] }] },
      status: { conditions: [{ type: 'Valid', status: 'True' }] },
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'cilium-runbook-read' },
      rules: [
        { apiGroups: [''], resources: ['nodes', 'pods'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: ['apps'], resources: ['daemonsets'], verbs: ['get', 'list'] },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'cilium-runbook-read' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cilium-runbook-read' },
      subjects: [{ kind: 'ServiceAccount', name: 'bot', namespace: 'cilium-runbook' }],
    },
  ];
  return {
    name: 'test',
    description: 'emulator tests',
    objects,
    logs: [
      { namespace: 'kube-system', pod: 'cilium-aaaaa', container: 'cilium-agent', previous: 'level=info msg="Cilium 1.15.6"\nlevel=fatal msg="BPF template compilation failed"\n' },
      { namespace: 'kube-system', pod: 'cilium-bbbbb', container: 'cilium-agent', current: 'line 1\nline 2\nline 3\n' },
      { namespace: 'kube-system', pod: 'cilium-bbbbb', container: 'cilium-monitor', current: 'monitor line\n' },
    ],
    exec: [
      { namespace: 'kube-system', pod: 'cilium-bbbbb', container: 'cilium-agent', command: 'iptables-save -t nat', stdout: '*nat\n:KUBE-SERVICES - [0:0]\nCOMMIT\n', stderr: '', exitCode: 0 },
      { namespace: 'kube-system', pod: 'cilium-bbbbb', container: 'cilium-agent', commandPattern: '^cilium-dbg status', stdout: 'KubeProxyReplacement: True\n', stderr: 'warning: degraded\n', exitCode: 3 },
    ],
    users: [{ token: RESTRICTED_TOKEN, username: RESTRICTED_USER, groups: [] }],
  };
}

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The machine's real kubectl with a private HOME and discovery cache (shared by the calls of one runner). */
export function kubectlRunner(): (kubeconfig: string, args: string[]) => Promise<KubectlResult> {
  const home = mkdtempSync(join(tmpdir(), 'kubectl-home-'));
  return (kubeconfig, args) => new Promise((resolve) => {
    execFile('/usr/bin/kubectl', ['--kubeconfig', kubeconfig, ...args], {
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: home, KUBECACHEDIR: join(home, 'cache') },
      timeout: 60_000,
    }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
      resolve({ code, stdout, stderr });
    });
  });
}
