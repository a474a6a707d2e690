// Issue 19 (watch): one cause per node from the watched Node and agent Pod, root cause first; mute and config parsing.
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { observeNode } from '../../../../jobs/watch/watch-signals.ts';
import { isMuted, parseMuteDuration } from '../../../../jobs/watch/mutes.ts';
import { parseWatchEnv } from '../../../../jobs/watch/watch-config.ts';
import { OperatorHealth, operatorProblem } from '../../../../jobs/watch/operator-health.ts';

const ctx = { config: null, kubeProxyDaemonSet: false, fleetVersion: '1.16.3' };

function node(kernel = '6.1.0-28-cloud-amd64', extra: Partial<V1Node['spec']> = {}, conditions: NonNullable<V1Node['status']>['conditions'] = []): V1Node {
  return {
    metadata: { name: 'n1', labels: { 'eks.amazonaws.com/nodegroup': 'workers-a' } },
    spec: { ...extra },
    status: { nodeInfo: { kernelVersion: kernel, osImage: 'Debian GNU/Linux 12 (bookworm)', architecture: 'amd64' } as NonNullable<V1Node['status']>['nodeInfo'], conditions },
  };
}

function agent(state: { waiting?: string; ready?: boolean; init?: string } = {}): V1Pod {
  return {
    metadata: { name: 'cilium-x', namespace: 'kube-system', labels: { 'k8s-app': 'cilium' } },
    spec: { nodeName: 'n1', containers: [{ name: 'cilium-agent', image: 'quay.io/cilium/cilium:v1.16.3' }] },
    status: {
      phase: 'Running',
      containerStatuses: [{ name: 'cilium-agent', image: '', imageID: '', ready: state.ready ?? true, restartCount: 4,
        state: state.waiting === undefined ? { running: {} } : { waiting: { reason: state.waiting } } }],
      ...(state.init !== undefined && { initContainerStatuses: [{ name: 'config', image: '', imageID: '', ready: false, restartCount: 2, state: { waiting: { reason: state.init } } }] }),
    },
  };
}

describe('observeNode', () => {
  it('a healthy node and agent: no cause', () => {
    expect(observeNode(node(), agent(), ctx)).toMatchObject({ node: 'n1', pool: 'workers-a', cause: null });
  });

  it('a kernel below the installed floor outranks the crash loop it causes', () => {
    const obs = observeNode(node('4.14.355-275.582.amzn2.x86_64'), agent({ waiting: 'CrashLoopBackOff', ready: false }), ctx);
    expect(obs.cause).toBe('kernel-too-old');
    expect(obs.reason).toMatch(/4\.14\.355.* < 5\.4\.0 needed by Cilium 1\.16–1\.17/);
  });

  it('a node that just joined (no agent yet) is checked against the fleet version', () => {
    expect(observeNode(node('4.19.0-21-amd64'), undefined, ctx).cause).toBe('kernel-too-old');
    expect(observeNode(node(), undefined, ctx).cause).toBe('agent-missing');
  });

  it('init failures, crash loops, not ready, the agent-not-ready taint and NetworkUnavailable, in that order', () => {
    expect(observeNode(node(), agent({ init: 'CrashLoopBackOff', ready: false }), ctx)).toMatchObject({ cause: 'agent-init-failed', reason: 'cilium-agent init container config: CrashLoopBackOff' });
    expect(observeNode(node(), agent({ waiting: 'CrashLoopBackOff', ready: false }), ctx).cause).toBe('agent-crashloop');
    // Between two back-offs of one crash loop (just exited with an error, or running again not ready after one): the
    // same cause, so a pool crash-looping together is one group whatever moment each agent is caught at.
    const between = (state: Record<string, unknown>, ready: boolean, last?: { exitCode: number; reason: string }): V1Pod => {
      const p = agent({ ready });
      const s = p.status?.containerStatuses?.[0];
      if (s === undefined) throw new Error('no container status');
      Object.assign(s, { state, ...(last !== undefined && { lastState: { terminated: last } }) });
      return p;
    };
    expect(observeNode(node(), between({ terminated: { exitCode: 1, reason: 'Error' } }, false), ctx)).toMatchObject({ cause: 'agent-crashloop', reason: 'cilium-agent crash-looping (last run: exit 1 (Error)), 4 restarts' });
    expect(observeNode(node(), between({ running: {} }, false, { exitCode: 1, reason: 'Error' }), ctx).cause).toBe('agent-crashloop');
    // Running but not ready after a clean exit, or ready again after a crash: not a crash loop.
    expect(observeNode(node(), between({ running: {} }, false, { exitCode: 0, reason: 'Completed' }), ctx).cause).toBe('agent-not-ready');
    expect(observeNode(node(), between({ running: {} }, true, { exitCode: 1, reason: 'Error' }), ctx).cause).toBeNull();
    expect(observeNode(node(), agent({ ready: false }), ctx).cause).toBe('agent-not-ready');
    const tainted = node(undefined, { taints: [{ key: 'node.cilium.io/agent-not-ready', value: 'true', effect: 'NoExecute' }] });
    expect(observeNode(tainted, agent(), ctx).cause).toBe('cilium-taint');
    const unavailable = node(undefined, {}, [{ type: 'NetworkUnavailable', status: 'True', reason: 'NoRouteCreated' }]);
    expect(observeNode(unavailable, agent(), ctx)).toMatchObject({ cause: 'network-unavailable', reason: 'NetworkUnavailable=True (NoRouteCreated)' });
  });
});

describe('mutes and WATCH_* parsing', () => {
  it('parses mute durations and matches node, pool or cause while live', () => {
    expect(parseMuteDuration('30m')).toBe(1_800_000);
    expect(parseMuteDuration('31d')).toBeNull();
    expect(parseMuteDuration('soon')).toBeNull();
    const obs = { node: 'n1', pool: 'workers-a', cause: 'kernel-too-old' as const, reason: '' };
    expect(isMuted([{ target: 'workers-a', by: 'U1', until: 10 }], obs, 5)).toBe(true);
    expect(isMuted([{ target: 'kernel-too-old', by: 'U1', until: 10 }], obs, 5)).toBe(true);
    expect(isMuted([{ target: 'n1', by: 'U1', until: 10 }], obs, 10)).toBe(false);
    expect(isMuted([{ target: 'n2', by: 'U1', until: 10 }], obs, 5)).toBe(false);
  });

  it('WATCH_ENABLED needs a channel id; WATCH_DAMPING defaults to 2m', () => {
    expect(parseWatchEnv({}).config).toBeNull();
    expect(parseWatchEnv({ WATCH_ENABLED: 'true' }).problems).toEqual([expect.stringMatching(/^WATCH_CHANNEL is missing/)]);
    expect(parseWatchEnv({ WATCH_ENABLED: 'true', WATCH_CHANNEL: '#incidents' }).problems).toEqual([expect.stringMatching(/^WATCH_CHANNEL: "#incidents" is not a channel id/)]);
    expect(parseWatchEnv({ WATCH_ENABLED: 'true', WATCH_CHANNEL: 'C0WATCH', WATCH_DAMPING: 'often' }).problems).toEqual([expect.stringMatching(/^WATCH_DAMPING/)]);
    const ok = parseWatchEnv({ WATCH_ENABLED: 'true', WATCH_CHANNEL: 'C0WATCH', POD_NAMESPACE: 'cilium-runbook', HOSTNAME: 'bot-0' });
    expect(ok.config).toMatchObject({ channelId: 'C0WATCH', dampingMs: 120_000, lease: { namespace: 'cilium-runbook', name: 'cilium-runbook-watch', timing: { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 } } });
    expect(ok.config?.lease.identity).toMatch(/^bot-0_/);
  });
});

describe('OperatorHealth', () => {
  const pod = (ready: boolean, reason?: string): V1Pod => ({
    metadata: { name: 'cilium-operator-1' },
    status: { phase: 'Running', containerStatuses: [{ name: 'cilium-operator', image: '', imageID: '', ready, restartCount: 7, state: reason === undefined ? { running: {} } : { waiting: { reason } } }] },
  });

  it('posts the operator\'s trouble once past the window and its recovery once; a flap posts nothing', () => {
    expect(operatorProblem([pod(true)])).toBeNull();
    expect(operatorProblem([])).toBe('no cilium-operator pod');
    const reason = operatorProblem([pod(false, 'CrashLoopBackOff')]);
    expect(reason).toBe('cilium-operator-1: CrashLoopBackOff, 7 restarts');
    const h = new OperatorHealth(1000);
    h.observe(reason, 0);
    h.observe(null, 500);
    expect(h.tick(5000)).toBeNull();
    h.observe(reason, 6000);
    expect(h.tick(6999)).toBeNull();
    expect(h.tick(7000)).toEqual({ kind: 'unhealthy', reason });
    expect(h.tick(9000)).toBeNull();
    h.observe(null, 9000);
    expect(h.tick(10_000)).toEqual({ kind: 'recovered' });
    expect(h.tick(20_000)).toBeNull();
  });
});
