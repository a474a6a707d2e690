// The bundled scenarios: they load, match their author modules, carry only cited Cilium log lines, and show what
// the runbooks need (seed 000: 12 crash-looping agents; seed 002 #1: thousands of kube-proxy rules beside KPR).
import { readFileSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { listScenarios, resolveScenario, scenarioPath, type KubeObject, type Scenario } from '../../sandbox/scenario/index.ts';
import { AUTHORED_SCENARIOS } from '../../sandbox/scenario/author/write.ts';
import { citeLogLine, MAP_CREATE_ENOMEM_ERROR, MAP_CREATE_ENOMEM_FATAL } from '../../sandbox/scenario/cilium-logs.ts';
import { POOL_LABEL } from '../../sandbox/scenario/generate.ts';

type Json = Record<string, unknown>;
const get = (o: unknown, ...path: (string | number)[]): unknown =>
  path.reduce<unknown>((v, k) => (v !== null && typeof v === 'object' ? (v as Json)[k as string] : undefined), o);
const pods = (s: Scenario, app: string): KubeObject[] => s.objects.filter((o) => o.kind === 'Pod' && o.metadata.labels?.['k8s-app'] === app);
const nodes = (s: Scenario): KubeObject[] => s.objects.filter((o) => o.kind === 'Node');

describe('bundled scenarios', () => {
  it('lists exactly the authored scenarios, and each loads by bare name from any cwd', () => {
    expect(listScenarios()).toEqual(Object.keys(AUTHORED_SCENARIOS).sort());
    const cwd = process.cwd();
    process.chdir('/');
    try {
      for (const name of listScenarios()) expect(resolveScenario(name).name).toBe(name);
    } finally {
      process.chdir(cwd);
    }
  });

  it('are what the author modules write (regenerate with npx tsx sandbox/scenario/author/write.ts)', () => {
    for (const [name, render] of Object.entries(AUTHORED_SCENARIOS)) expect(readFileSync(scenarioPath(name), 'utf8')).toBe(render());
  });

  it('contain only Cilium log lines with a known source', () => {
    for (const name of listScenarios()) {
      for (const log of resolveScenario(name).logs) {
        for (const text of [log.current, log.previous]) {
          for (const line of (text ?? '').split('\n').filter((l) => l !== '')) expect(citeLogLine(line), `${name}: ${line}`).toBeDefined();
        }
      }
    }
  });

  it('never contain the folklore lines of cilium-facts §2.10', () => {
    for (const name of listScenarios()) {
      const text = readFileSync(scenarioPath(name), 'utf8');
      expect(text).not.toContain('kernel too old to run Cilium');
      expect(text).not.toContain('Failed to create BPF map');
    }
  });

  it("label every node with a hostname and its platform's pool label (EKS node group, GKE node pool, RKE2's instance type)", () => {
    const poolLabel: Record<string, string> = { 'aws:': POOL_LABEL, 'gce:': 'cloud.google.com/gke-nodepool', 'rke2:': 'node.kubernetes.io/instance-type' };
    for (const name of listScenarios()) {
      for (const n of nodes(resolveScenario(name))) {
        const provider = String(get(n, 'spec', 'providerID')).split('//')[0] ?? '';
        expect(poolLabel[provider], `${name}: ${provider}`).toBeDefined();
        expect(n.metadata.labels?.[poolLabel[provider] ?? ''], `${name}/${n.metadata.name}`).toBeTruthy();
        expect(n.metadata.labels?.['kubernetes.io/hostname']).toBe(n.metadata.name);
      }
    }
  });
});

describe('healthy', () => {
  const s = resolveScenario('healthy');
  it('has 3 ready 6.1 nodes, KPR on, no kube-proxy and only Cilium/kubelet nat chains', () => {
    expect(nodes(s).map((n) => get(n, 'status', 'nodeInfo', 'kernelVersion'))).toEqual(Array(3).fill('6.1.0-28-cloud-amd64'));
    expect(get(s.objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'cilium-config'), 'data', 'kube-proxy-replacement')).toBe('true');
    expect(pods(s, 'kube-proxy')).toHaveLength(0);
    expect(pods(s, 'cilium').every((p) => get(p, 'status', 'containerStatuses', 0, 'ready') === true)).toBe(true);
    for (const e of s.exec) {
      expect(e.stdout).toMatch(/^-A CILIUM_POST_nat /m);
      expect(e.stdout).toContain(':KUBE-KUBELET-CANARY - [0:0]');
      expect(e.stdout).not.toMatch(/KUBE-SVC-|KUBE-SEP-|KUBE-SERVICES/);
    }
    expect(s.objects.map((o) => o.kind)).toEqual(expect.arrayContaining(['Service', 'EndpointSlice', 'CiliumNetworkPolicy', 'Deployment']));
  });
});

describe('kernel-too-old (seed 000)', () => {
  const s = resolveScenario('kernel-too-old');
  const legacy = nodes(s).filter((n) => n.metadata.labels?.[POOL_LABEL] === 'workers-legacy');
  const legacyNames = new Set(legacy.map((n) => n.metadata.name));
  const legacyAgents = pods(s, 'cilium').filter((p) => legacyNames.has(String(get(p, 'spec', 'nodeName'))));

  it('has a 12-node 4.14 pool next to 3 healthy 6.1 nodes, on Cilium 1.15', () => {
    expect(legacy.map((n) => n.metadata.name)).toEqual(Array.from({ length: 12 }, (_, i) => `node-legacy-${String(i + 1).padStart(2, '0')}`));
    expect(legacy.every((n) => String(get(n, 'status', 'nodeInfo', 'kernelVersion')).startsWith('4.14.'))).toBe(true);
    expect(nodes(s).filter((n) => String(get(n, 'status', 'nodeInfo', 'kernelVersion')).startsWith('6.1.'))).toHaveLength(3);
    expect(pods(s, 'cilium').every((p) => String(get(p, 'spec', 'containers', 0, 'image')).startsWith('quay.io/cilium/cilium:v1.15.'))).toBe(true);
  });

  it('has 12 crash-looping agents with the cited map errors in the previous container', () => {
    expect(legacyAgents).toHaveLength(12);
    for (const p of legacyAgents) {
      const st = get(p, 'status', 'containerStatuses', 0);
      expect(get(st, 'restartCount')).toBeGreaterThanOrEqual(14);
      expect(get(st, 'lastState', 'terminated')).toMatchObject({ exitCode: 1, reason: 'Error' });
      const log = s.logs.find((l) => l.pod === p.metadata.name && l.container === 'cilium-agent');
      expect(log?.previous).toContain(MAP_CREATE_ENOMEM_ERROR);
      expect(log?.previous?.trimEnd().split('\n').pop()).toBe(MAP_CREATE_ENOMEM_FATAL);
    }
    const waiting = legacyAgents.filter((p) => get(p, 'status', 'containerStatuses', 0, 'state', 'waiting', 'reason') === 'CrashLoopBackOff');
    expect(waiting).toHaveLength(11);
    const restarting = legacyAgents.find((p) => get(p, 'status', 'containerStatuses', 0, 'state', 'running') !== undefined);
    const current = s.logs.find((l) => l.pod === restarting?.metadata.name)?.current ?? '';
    expect(current).not.toContain('level=fatal');
  });

  it('marks the legacy nodes NetworkUnavailable and tainted, with workloads stuck and sandbox events', () => {
    for (const n of legacy) {
      const cond = (get(n, 'status', 'conditions') as Json[]).find((c) => c['type'] === 'NetworkUnavailable');
      expect(cond).toMatchObject({ status: 'True' });
      expect(get(n, 'spec', 'taints')).toEqual([expect.objectContaining({ key: 'node.cilium.io/agent-not-ready', effect: 'NoExecute' })]);
    }
    const stuck = s.objects.filter((o) => o.kind === 'Pod' && get(o, 'status', 'containerStatuses', 0, 'state', 'waiting', 'reason') === 'ContainerCreating');
    expect(stuck).toHaveLength(24);
    expect(stuck.every((p) => legacyNames.has(String(get(p, 'spec', 'nodeName'))))).toBe(true);
    const sandboxEvents = s.objects.filter((o) => o.kind === 'Event' && get(o, 'reason') === 'FailedCreatePodSandBox');
    expect(sandboxEvents).toHaveLength(24);
    expect(String(get(sandboxEvents[0], 'message'))).toContain('plugin type="cilium-cni" failed (add): unable to connect to Cilium agent');
  });

  it('gives exec results only for running agents', () => {
    const execPods = new Set(s.exec.map((e) => e.pod));
    expect(legacyAgents.some((p) => execPods.has(p.metadata.name))).toBe(false);
    expect(execPods.size).toBe(3);
  });
});

describe('kube-proxy-conflict (seed 002 #1)', () => {
  const s = resolveScenario('kube-proxy-conflict');
  it('runs kube-proxy on every node while KPR is true', () => {
    expect(get(s.objects.find((o) => o.metadata.name === 'cilium-config'), 'data', 'kube-proxy-replacement')).toBe('true');
    expect(s.objects.some((o) => o.kind === 'DaemonSet' && o.metadata.name === 'kube-proxy')).toBe(true);
    expect(new Set(pods(s, 'kube-proxy').map((p) => get(p, 'spec', 'nodeName')))).toEqual(new Set(['node-1', 'node-2', 'node-3']));
  });

  it("shows thousands of KUBE-SVC/KUBE-SEP rules beside CILIUM_* chains on node-2's agent, in a file under 2 MB", () => {
    const agent = pods(s, 'cilium').find((p) => get(p, 'spec', 'nodeName') === 'node-2');
    const out = s.exec.find((e) => e.pod === agent?.metadata.name && e.command === 'iptables-save -t nat')?.stdout ?? '';
    expect(out.match(/^-A KUBE-SVC-[A-Z2-7]{16} /gm)?.length).toBeGreaterThanOrEqual(3000);
    expect(out.match(/^-A KUBE-SEP-[A-Z2-7]{16} /gm)?.length).toBeGreaterThanOrEqual(6000);
    expect(out).toMatch(/^:CILIUM_POST_nat - \[0:0\]$/m);
    expect(out).toContain(':KUBE-PROXY-CANARY - [0:0]');
    expect(statSync(scenarioPath('kube-proxy-conflict')).size).toBeLessThan(2 * 1024 * 1024);
  });
});
