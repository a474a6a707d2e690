import { describe, expect, it } from 'vitest';
import { fleetDrift } from '../../../runbooks/engine/fleet/drift.ts';
import { triage, type FleetContext, type FleetNode } from '../../../runbooks/engine/fleet/fleet-node.ts';
import { groupByRootCause, groupSentence, type NodeOutcome } from '../../../runbooks/engine/fleet/group.ts';

const MODERN = '6.1.0-28-cloud-amd64';
const LEGACY = '4.14.352-268.568.amzn2.x86_64';
const ctx: FleetContext = { config: { 'kube-proxy-replacement': 'true' }, kubeProxyDaemonSet: false, fleetVersion: '1.16.3' };

function node(name: string, o: Partial<FleetNode> = {}): FleetNode {
  return {
    name, kernel: MODERN, osImage: 'Debian GNU/Linux 12 (bookworm)', arch: 'amd64', pool: 'workers-a', ready: true, kubeProxyPod: false,
    agent: { pod: `cilium-${name}`, phase: 'Running', ready: true, restarts: 0, image: 'quay.io/cilium/cilium:v1.16.3', version: '1.16.3' },
    ...o,
  };
}

const crashing = { pod: 'cilium-x', phase: 'Running', ready: false, restarts: 17, waitingReason: 'CrashLoopBackOff', image: 'quay.io/cilium/cilium:v1.16.3', version: '1.16.3' };

function outcome(n: FleetNode, deep: NodeOutcome['deep'] = null): NodeOutcome {
  return { node: n, verdict: triage(n, ctx), deep };
}

describe('fleet triage', () => {
  it('flags nothing on a healthy node', () => {
    expect(triage(node('node-1'), ctx).triggers).toEqual([]);
  });

  it('flags a kernel below the floor of the agent’s Cilium version, and a crash-looping agent', () => {
    const v = triage(node('old', { kernel: LEGACY, agent: crashing }), ctx);
    expect(v.triggers).toEqual(['kernel-too-old', 'agent-unhealthy']);
    expect(v.reasons[0]).toMatch(/4\.14\.352.*< 5\.4\.0.*1\.16–1\.17/);
  });

  it('checks the floor against the fleet version when the node has no agent; flags kube-proxy beside KPR and NotReady', () => {
    expect(triage(node('bare', { kernel: LEGACY, agent: null }), ctx).triggers).toEqual(['kernel-too-old', 'agent-missing']);
    expect(triage(node('kp', { kubeProxyPod: true, ready: false }), ctx).triggers).toEqual(['node-not-ready', 'kube-proxy-conflict']);
    expect(triage(node('kp', { kubeProxyPod: true }), { ...ctx, config: { 'kube-proxy-replacement': 'false' } }).triggers).toEqual([]);
  });
});

describe('groupByRootCause', () => {
  const kernelFinding = { findings: [{ runbookId: 'kernel-too-old', severity: 'critical' as const, title: 'Kernel below the floor' }] };
  const proxyFinding = { findings: [{ runbookId: 'kube-proxy-conflict', severity: 'warning' as const, title: 'kube-proxy beside KPR' }] };

  it('groups by runbook, kernel and pool; most severe and largest first; healthy nodes are left out', () => {
    const outcomes = [
      ...Array.from({ length: 37 }, (_, i) => outcome(node(`a-${i + 1}`, { kernel: LEGACY, agent: crashing }), kernelFinding)),
      ...Array.from({ length: 3 }, (_, i) => outcome(node(`b-${i + 1}`, { kernel: LEGACY, pool: 'workers-b', agent: crashing }), kernelFinding)),
      outcome(node('p-1', { kubeProxyPod: true }), proxyFinding),
      outcome(node('p-2', { kubeProxyPod: true, kernel: '5.15.0-1051-azure' }), proxyFinding),
      outcome(node('fine')),
    ];
    const groups = groupByRootCause(outcomes);
    expect(groups.map((g) => g.sentence)).toEqual([
      '37 nodes on kernel 4.14.352 in pool `workers-a`: kernel-too-old',
      '3 nodes on kernel 4.14.352 in pool `workers-b`: kernel-too-old',
      '2 nodes in pool `workers-a`: kube-proxy-conflict',
    ]);
    expect(groups[0]?.nodes.slice(0, 3)).toEqual(['a-1', 'a-2', 'a-3']);
    expect(groups[0]?.nodes.at(-1)).toBe('a-37');
    expect(groups.flatMap((g) => g.nodes)).not.toContain('fine');
  });

  it('uses the deep finding as the root cause, else the fleet-level trigger (marked unconfirmed)', () => {
    const deepSaysMap = { findings: [{ runbookId: 'bpf-map-create-failed', severity: 'critical' as const, title: 'map create failed' }] };
    const groups = groupByRootCause([
      outcome(node('m-1', { agent: crashing }), deepSaysMap),
      outcome(node('u-1', { agent: crashing })),
      outcome(node('u-2', { agent: crashing }), { error: 'timeout' }),
      outcome(node('h-1', { agent: crashing }), { findings: [] }),
    ]);
    expect(groups.map((g) => [g.runbookId, g.confirmed, g.nodes])).toEqual([
      ['bpf-map-create-failed', true, ['m-1']],
      ['agent-unhealthy', false, ['h-1', 'u-1', 'u-2']],
    ]);
    expect(groups[1]?.sentence).toBe('3 nodes in pool `workers-a`: agent-unhealthy (from fleet facts; not confirmed in depth)');
  });

  it('keys on the Cilium version when asked (agents disagree)', () => {
    const old = { ...crashing, version: '1.15.6', image: 'quay.io/cilium/cilium:v1.15.6' };
    const groups = groupByRootCause([outcome(node('x', { agent: crashing })), outcome(node('y', { agent: old }))], { showVersion: true });
    expect(groups.map((g) => g.version).sort()).toEqual(['1.15.6', '1.16.3']);
    expect(groupSentence({ runbookId: 'r', kernel: null, pool: null, version: null, confirmed: true, nodes: ['one'] })).toBe('1 node: r');
  });
});

describe('fleetDrift', () => {
  it('says nothing when every agent agrees and every kernel provides the enabled features', () => {
    expect(fleetDrift([node('a'), node('b')], ctx.config).sentences).toEqual([]);
  });

  it('names version drift with counts, and feature drift from kernels that lack enabled features', () => {
    const old = { ...crashing, ready: true, waitingReason: undefined, version: '1.15.6', image: 'quay.io/cilium/cilium:v1.15.6' } as FleetNode['agent'];
    const nodes = [node('a'), node('b'), node('c', { agent: old, kernel: LEGACY })];
    const drift = fleetDrift(nodes, ctx.config);
    expect(drift.versions.map((v) => [v.value, v.count])).toEqual([['1.16.3', 2], ['1.15.6', 1]]);
    expect(drift.sentences[0]).toBe('Version drift: agents run 2 Cilium versions: 1.16.3 on 2 nodes, 1.15.6 on 1 node.');
    expect(drift.sentences[1]).toMatch(/^Feature drift: .*missing socket-lb \+ bpf-nodeport on 1 node\.$/);
  });

  it('names image drift when versions agree but images differ', () => {
    const other = { ...node('b').agent, image: 'mirror.example.com/cilium/cilium:v1.16.3' } as FleetNode['agent'];
    expect(fleetDrift([node('a'), node('b', { agent: other })], null).sentences[0]).toMatch(/^Image drift: agents run 2 images/);
  });
});
