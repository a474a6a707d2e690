// What a running cilium-agent container answers when a scenario scripts nothing: only the collectors' reads, only
// in an agent container, from the node the pod runs on.
import { describe, expect, it } from 'vitest';
import { defaultAgentExec, kernelConfig, KERNEL_CONFIG_COMMAND } from '../../sandbox/kube/agent-exec-defaults.ts';
import { ExecResults } from '../../sandbox/kube/exec-results.ts';
import type { KubeObject } from '../../sandbox/scenario/schema.ts';

const agent: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'cilium-x', namespace: 'kube-system', labels: { 'k8s-app': 'cilium' } } };
const nodeWith = (kernelVersion: string): KubeObject => ({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n' }, status: { nodeInfo: { kernelVersion } } });

describe('default agent exec answers', () => {
  it('answer cat /proc/version with the node kernel release, /proc/1/limits and the kernel-config read', () => {
    const node = nodeWith('5.15.0-1071-aws');
    expect(defaultAgentExec(agent, node, 'cilium-agent', ['cat', '/proc/version'])?.stdout).toMatch(/^Linux version 5\.15\.0-1071-aws \(/);
    expect(defaultAgentExec(agent, node, 'cilium-agent', ['cat', '/proc/1/limits'])?.stdout).toMatch(/^Max locked memory +unlimited +unlimited +bytes/m);
    const argv = ['sh', '-c', 'zcat /proc/config.gz 2>/dev/null || cat /boot/config-$(uname -r)'];
    expect(argv.join(' ')).toBe(KERNEL_CONFIG_COMMAND);
    expect(defaultAgentExec(agent, node, 'cilium-agent', argv)?.stdout).toContain('CONFIG_CGROUP_BPF=y\n');
  });

  it('leave other commands, other containers, other pods and nodes without a kernel alone', () => {
    const node = nodeWith('6.1.0-28-cloud-amd64');
    expect(defaultAgentExec(agent, node, 'cilium-agent', ['cilium-dbg', 'status'])).toBeUndefined();
    expect(defaultAgentExec(agent, node, 'config', ['cat', '/proc/version'])).toBeUndefined();
    expect(defaultAgentExec({ ...agent, metadata: { name: 'web', labels: { app: 'web' } } }, node, 'cilium-agent', ['cat', '/proc/version'])).toBeUndefined();
    expect(defaultAgentExec(agent, undefined, 'cilium-agent', ['cat', '/proc/version'])).toBeUndefined();
  });

  it('answer `cilium-dbg status --verbose` (and 1.14\'s `cilium status --verbose`) in the real layout, from the pod and node', () => {
    const pod: KubeObject = { ...agent, spec: { containers: [{ name: 'cilium-agent', image: 'quay.io/cilium/cilium:v1.15.6' }] } };
    const node: KubeObject = { ...nodeWith('6.1.0-28-cloud-amd64'), spec: { podCIDR: '10.0.7.0/24' }, status: { nodeInfo: { kernelVersion: '6.1.0-28-cloud-amd64', kubeletVersion: 'v1.30.2', architecture: 'arm64' } } };
    const out = defaultAgentExec(pod, node, 'cilium-agent', ['cilium-dbg', 'status', '--verbose'], { 'kube-proxy-replacement': 'true' })?.stdout ?? '';
    expect(out).toMatch(/^KVStore: +Ok {3}Disabled$/m);
    expect(out).toMatch(/^Kubernetes: +Ok {3}1\.30 \(v1\.30\.2\) \[linux\/arm64\]$/m);
    expect(out).toMatch(/^Cilium: +Ok {3}1\.15\.6 /m);
    expect(out).toMatch(/^IPAM: +IPv4: 2\/254 allocated from 10\.0\.7\.0\/24, $/m);
    expect(out).toMatch(/^KubeProxyReplacement Details:\n {2}Status: +True$/m);
    const old = defaultAgentExec(pod, node, 'cilium-agent', ['cilium', 'status', '--verbose'])?.stdout ?? '';
    expect(old).toMatch(/^KubeProxyReplacement: +False/m);
  });

  it('list CONFIG_WIREGUARD only from 5.6, the release that merged WireGuard', () => {
    expect(kernelConfig('5.6.0')).toContain('CONFIG_WIREGUARD=m');
    expect(kernelConfig('5.5.19')).not.toContain('CONFIG_WIREGUARD');
    expect(kernelConfig('4.19.0-21-amd64')).not.toContain('CONFIG_WIREGUARD');
    expect(kernelConfig('6.1.0-28-cloud-amd64')).toMatch(/^CONFIG_BPF_SYSCALL=y$/m);
  });

  it('come after scripted results, and only when the scripted table has none', () => {
    const results = new ExecResults();
    results.add({ namespace: 'kube-system', pod: 'cilium-x', container: 'cilium-agent', command: 'cat /proc/version', stdout: 'scripted\n', stderr: '', exitCode: 0 });
    const fallback = (): { stdout: string; stderr: string; exitCode: number } => ({ stdout: 'default\n', stderr: '', exitCode: 0 });
    expect(results.run('kube-system', 'cilium-x', 'cilium-agent', ['cat', '/proc/version'], fallback).stdout).toBe('scripted\n');
    expect(results.run('kube-system', 'cilium-x', 'cilium-agent', ['cat', '/proc/1/limits'], fallback).stdout).toBe('default\n');
    expect(results.run('kube-system', 'cilium-x', 'cilium-agent', ['ls'], () => undefined).failure?.message).toContain('executable file not found');
  });
});
