// Agent and kernel failure scenarios: node-2's agent carries the cited lines, its kernel/config tell the story, and
// the other nodes stay healthy.
import { statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { resolveScenario, scenarioPath, type Scenario } from '../../sandbox/scenario/index.ts';
import {
  BANDWIDTH_KERNEL_WARNING, MAP_CREATE_NEIGH_ENOMEM_ERROR, MAP_CREATE_NEIGH_ENOMEM_FATAL, MEMLOCK_FATAL, programTooLarge, WIREGUARD_UNSUPPORTED_FATAL,
} from '../../sandbox/scenario/cilium-logs-failures.ts';
import { agentLog, agentOn, agentStatus, config, get, kernelOf, lastLine, named, ofKind, workloadsOn } from './helpers.ts';

const NEW_SCENARIOS = [
  'bpf-map-create-failed', 'kernel-config-missing', 'memlock-rlimit', 'bpf-program-load-denied', 'map-full', 'fqdn-dns-proxy',
  'policy-default-deny', 'policy-selector-drift', 'hubble-disabled', 'crd-upgrade-drift', 'bandwidth-manager-unsupported',
  'wireguard-unsupported', 'ipam-exhausted', 'apiserver-unreachable', 'version-advisory',
];

describe('catalogue scenarios (common shape)', () => {
  it.each(NEW_SCENARIOS)('%s loads, is small, names node-2 and has 3–6 nodes', (name) => {
    const s = resolveScenario(name);
    expect(s.name).toBe(name);
    expect(s.description).toContain('node-2');
    const nodes = ofKind(s, 'Node').map((n) => n.metadata.name);
    expect(nodes).toContain('node-2');
    expect(nodes.length).toBeGreaterThanOrEqual(3);
    expect(nodes.length).toBeLessThanOrEqual(6);
    for (const n of nodes) agentOn(s, n);
    expect(statSync(scenarioPath(name)).size).toBeLessThan(2 * 1024 * 1024);
  });
});

function expectCrashLoop(s: Scenario): void {
  const st = agentStatus(s, 'node-2');
  expect(get(st, 'state', 'waiting', 'reason')).toBe('CrashLoopBackOff');
  expect(get(st, 'restartCount')).toBeGreaterThan(3);
  expect(get(st, 'lastState', 'terminated')).toMatchObject({ exitCode: 1, reason: 'Error' });
  expect(s.objects.some((o) => o.kind === 'Event' && get(o, 'reason') === 'BackOff' && get(o, 'involvedObject', 'name') === agentOn(s, 'node-2').metadata.name)).toBe(true);
}

function expectOthersReady(s: Scenario): void {
  for (const n of ofKind(s, 'Node').map((x) => x.metadata.name).filter((x) => x !== 'node-2')) expect(get(agentStatus(s, n), 'ready')).toBe(true);
}

const noExecOn = (s: Scenario, node: string): boolean => !s.exec.some((e) => e.pod === agentOn(s, node).metadata.name);

describe('bpf-map-create-failed', () => {
  const s = resolveScenario('bpf-map-create-failed');
  it('crash-loops node-2 on map ENOMEM (cilium#23436) on a 5.15 kernel with a 1G agent memory limit', () => {
    expectCrashLoop(s);
    const log = agentLog(s, 'node-2');
    expect(log.previous).toContain(MAP_CREATE_NEIGH_ENOMEM_ERROR);
    expect(lastLine(log.previous)).toBe(MAP_CREATE_NEIGH_ENOMEM_FATAL);
    expect(kernelOf(s, 'node-2')).toBe('5.15.0-1019-aws');
    expect(get(agentOn(s, 'node-2'), 'spec', 'containers', 0, 'resources', 'limits', 'memory')).toBe('1G');
    const mem = (n: string): number => parseInt(String(get(named(s, 'Node', n), 'status', 'capacity', 'memory')), 10);
    expect(mem('node-2')).toBeGreaterThan(4 * mem('node-1'));
    expect(get(named(s, 'Node', 'node-2'), 'spec', 'taints', 0, 'key')).toBe('node.cilium.io/agent-not-ready');
    expectOthersReady(s);
    expect(noExecOn(s, 'node-2')).toBe(true);
  });
});

describe('memlock-rlimit', () => {
  const s = resolveScenario('memlock-rlimit');
  it('crash-loops node-2 on the memlock rlimit, on a pre-5.11 kernel, with SYS_RESOURCE dropped only from its agent', () => {
    expectCrashLoop(s);
    expect(lastLine(agentLog(s, 'node-2').previous)).toBe(MEMLOCK_FATAL);
    expect(kernelOf(s, 'node-2')).toMatch(/^5\.4\./);
    const caps = (n: string): unknown => get(agentOn(s, n), 'spec', 'containers', 0, 'securityContext', 'capabilities', 'add');
    expect(caps('node-2')).not.toContain('SYS_RESOURCE');
    expect(caps('node-1')).toContain('SYS_RESOURCE');
    expect(get(named(s, 'DaemonSet', 'cilium'), 'status', 'updatedNumberScheduled')).toBe(1);
    expectOthersReady(s);
  });
});

describe('bpf-program-load-denied', () => {
  const s = resolveScenario('bpf-program-load-denied');
  it('shows the 4.19 verifier limit on node-2 (Debian 10) only; its agent runs but is not ready', () => {
    const log = agentLog(s, 'node-2');
    expect(log.current).toContain(programTooLarge(131073));
    expect(log.current).toContain('Error while rewriting endpoint BPF program');
    expect(kernelOf(s, 'node-2')).toBe('4.19.0-18-cloud-amd64');
    expect(kernelOf(s, 'node-1')).toMatch(/^5\.10\./);
    expect(get(agentStatus(s, 'node-2'), 'state', 'running')).toBeDefined();
    expect(get(agentStatus(s, 'node-2'), 'ready')).toBe(false);
    expect(String(get(agentOn(s, 'node-2'), 'spec', 'containers', 0, 'image'))).toMatch(/:v1\.11\./);
    expectOthersReady(s);
  });
});

describe('version-advisory', () => {
  const s = resolveScenario('version-advisory');
  it('pairs Cilium 1.11.15 with 5.15.0-72-generic on node-2 only (cilium#25500)', () => {
    expect(kernelOf(s, 'node-2')).toBe('5.15.0-72-generic');
    for (const n of ['node-1', 'node-3', 'node-4']) expect(kernelOf(s, n)).toBe('5.15.0-71-generic');
    expect(String(get(agentOn(s, 'node-2'), 'spec', 'containers', 0, 'image'))).toMatch(/^quay\.io\/cilium\/cilium:v1\.11\.15@/);
    expect(agentLog(s, 'node-2').current).toContain(programTooLarge(1000001));
    expect(config(s)['kube-proxy-replacement']).toBe('strict');
    expectOthersReady(s);
  });
});

describe('map-full', () => {
  const s = resolveScenario('map-full');
  it('logs a full policy map for a pod that runs on node-2; the agent stays ready', () => {
    const current = agentLog(s, 'node-2').current ?? '';
    expect(current.match(/the map is full, please consider resizing it/g)?.length).toBeGreaterThanOrEqual(3);
    const podName = /k8sPodName=flux-system\/(\S+)/.exec(current)?.[1] ?? '';
    expect(get(named(s, 'Pod', podName), 'spec', 'nodeName')).toBe('node-2');
    expect(config(s)['bpf-policy-map-max']).toBe('16384');
    expect(get(agentStatus(s, 'node-2'), 'ready')).toBe(true);
  });
});

describe('kernel-config-missing', () => {
  const s = resolveScenario('kernel-config-missing');
  it('crash-loops node-2 on WireGuard although its kernel is 6.6 (≥ 5.6); its pods wait for a sandbox', () => {
    expectCrashLoop(s);
    expect(config(s)['enable-wireguard']).toBe('true');
    expect(kernelOf(s, 'node-2')).toMatch(/^6\.6\./);
    expect(agentLog(s, 'node-2').previous).toContain('WireGuard not supported by the Linux kernel (netlink: operation not supported)');
    expect(agentLog(s, 'node-2').previous).toMatch(/^time=\S+ level=error /);
    const stuck = workloadsOn(s, 'node-2');
    expect(stuck.length).toBeGreaterThan(0);
    expect(stuck.every((p) => get(p, 'status', 'containerStatuses', 0, 'state', 'waiting', 'reason') === 'ContainerCreating')).toBe(true);
    expect(s.objects.filter((o) => o.kind === 'Event' && get(o, 'reason') === 'FailedCreatePodSandBox')).toHaveLength(stuck.length);
    expectOthersReady(s);
  });
});

describe('wireguard-unsupported', () => {
  const s = resolveScenario('wireguard-unsupported');
  it('crash-loops node-2 (kernel 4.14 < 5.6) with the PR #15825 fatal line while 5.10 nodes run', () => {
    expectCrashLoop(s);
    expect(lastLine(agentLog(s, 'node-2').previous)).toBe(WIREGUARD_UNSUPPORTED_FATAL);
    expect(kernelOf(s, 'node-2')).toMatch(/^4\.14\./);
    expect(kernelOf(s, 'node-1')).toMatch(/^5\.10\./);
    expect(config(s)).toMatchObject({ 'enable-wireguard': 'true', 'enable-l7-proxy': 'false' });
    expectOthersReady(s);
  });
});

describe('bandwidth-manager-unsupported', () => {
  const s = resolveScenario('bandwidth-manager-unsupported');
  it('runs node-2 (4.19) with the bandwidth manager disabled by a warning; 5.10 nodes do not warn', () => {
    expect(config(s)['enable-bandwidth-manager']).toBe('true');
    expect(kernelOf(s, 'node-2')).toMatch(/^4\.19\./);
    expect(agentLog(s, 'node-2').current).toContain(BANDWIDTH_KERNEL_WARNING);
    expect(agentLog(s, 'node-1').current).not.toContain('bandwidth manager');
    expect(get(agentStatus(s, 'node-2'), 'ready')).toBe(true);
  });
});
