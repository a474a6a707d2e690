// Issue 19 (watch, one watcher at a time), end to end with the emulators: nodes are made bad and good through the
// Kubernetes emulator's store (each write is a watch event, as the kubelet's status updates are), the real bot(s)
// watch them with client-node informers and post in the Slack emulator. Short damping and lease timings keep the
// tests quick; nothing asserts on time.
import { afterEach, describe, expect, inject, it } from 'vitest';
import { pino } from 'pino';
import { startBot, type RunningBot } from '../../bot/bot.ts';
import { resolveScenario } from '../../sandbox/scenario/index.ts';
import { DEMO_CHANNEL, startSandboxStack, type SandboxStack } from '../../sandbox/sandbox-stack.ts';
import type { KubeObject } from '../../sandbox/scenario/schema.ts';
import type { WatchConfig } from '../../jobs/watch/watch-config.ts';

const DAMPING_MS = 1000;
const stacks: SandboxStack[] = [];
const extraBots: RunningBot[] = [];
afterEach(async () => {
  for (const b of extraBots.splice(0)) await b.stop();
  for (const s of stacks.splice(0)) await s.stop();
});

function watchConfig(identity: string): WatchConfig {
  return {
    channelId: DEMO_CHANNEL.id,
    dampingMs: DAMPING_MS,
    lease: { namespace: 'kube-system', name: 'cilium-runbook-watch', identity, timing: { leaseDurationMs: 1500, renewDeadlineMs: 1000, retryPeriodMs: 100 } },
  };
}

async function stack(): Promise<SandboxStack> {
  const s = await startSandboxStack({ scenario: resolveScenario('healthy'), redisUrl: inject('redisUrl'), startBot: false });
  stacks.push(s);
  return s;
}

async function bot(s: SandboxStack, identity: string): Promise<RunningBot> {
  const b = await startBot({ ...s.config, watch: watchConfig(identity) }, { logger: pino({ level: process.env['WATCH_TEST_LOG'] ?? 'silent' }) });
  extraBots.push(b);
  return b;
}

interface AgentStatus { name: string; ready: boolean; restartCount: number; state: Record<string, unknown> }
const agentOf = (s: SandboxStack, node: string): KubeObject => {
  const pod = s.kube.store.list('v1', 'Pod').find((p) => p.metadata.labels?.['k8s-app'] === 'cilium' && (p as { spec?: { nodeName?: string } }).spec?.nodeName === node);
  if (pod === undefined) throw new Error(`no cilium agent on ${node}`);
  return pod;
};

/** The agent on `node` crash-looping (or running again): a kubelet status update. */
function setAgent(s: SandboxStack, node: string, crashing: boolean): void {
  const pod = agentOf(s, node);
  const status = pod['status'] as { containerStatuses: AgentStatus[]; conditions?: Array<{ type: string; status: string }> };
  const agent = status.containerStatuses.find((c) => c.name === 'cilium-agent');
  if (agent === undefined) throw new Error('no cilium-agent container status');
  agent.ready = !crashing;
  agent.restartCount += crashing ? 3 : 0;
  agent.state = crashing ? { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s restarting failed container=cilium-agent' } } : { running: { startedAt: new Date().toISOString() } };
  for (const c of status.conditions ?? []) if (c.type === 'Ready' || c.type === 'ContainersReady') c.status = crashing ? 'False' : 'True';
  s.kube.store.put(pod);
}

/** Makes the cilium-operator crash-loop (or run again): a kubelet status update of its pod. */
function operatorSetter(s: SandboxStack): (crashing: boolean) => void {
  const operator = s.kube.store.list('v1', 'Pod').find((p) => p.metadata.labels?.['io.cilium/app'] === 'operator');
  if (operator === undefined) throw new Error('no cilium-operator pod in the scenario');
  return (crashing) => {
    const pod = structuredClone(operator);
    const statuses = (pod['status'] as { containerStatuses: AgentStatus[] }).containerStatuses;
    for (const c of statuses) Object.assign(c, { ready: !crashing, state: crashing ? { waiting: { reason: 'CrashLoopBackOff' } } : { running: {} } });
    s.kube.store.put(pod);
  };
}

/** `kubectl -n kube-system patch cm cilium-config` with one key. */
function setConfigKey(s: SandboxStack, key: string, value: string): void {
  const cm = s.kube.store.get('v1', 'ConfigMap', 'kube-system', 'cilium-config');
  if (cm === undefined) throw new Error('no cilium-config in the scenario');
  const next = structuredClone(cm);
  next['data'] = { ...(cm['data'] as Record<string, string>), [key]: value };
  s.kube.store.put(next);
}

const roots = (s: SandboxStack) => s.slack.messages(DEMO_CHANNEL.id);
const thread = (s: SandboxStack, ts: string) => s.slack.thread(DEMO_CHANNEL.id, ts).map((m) => m.text ?? '');
const count = (texts: string[], re: RegExp) => texts.filter((t) => re.test(t)).length;
const settle = (ms = 3 * DAMPING_MS) => new Promise((r) => setTimeout(r, ms));

async function waitForLeader(...bots: RunningBot[]): Promise<RunningBot> {
  for (let i = 0; i < 400; i++) {
    const leader = bots.find((b) => b.watch?.current() !== null && b.watch?.current() !== undefined);
    if (leader !== undefined) return leader;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('no replica leads the watch');
}

describe('watch', () => {
  it('a pool turning bad opens one grouped incident with the report in its thread; recovery posts once', async () => {
    const s = await stack();
    const b = await bot(s, 'replica-a');
    await waitForLeader(b);
    await settle(DAMPING_MS); // the informers' first list is in
    for (const node of ['node-1', 'node-2', 'node-3']) setAgent(s, node, true);
    const root = await s.slack.waitFor(() => roots(s)[0], { timeoutMs: 20_000, description: 'the incident root' });
    await s.slack.waitFor(() => thread(s, root.ts).some((t) => t.startsWith('Diagnosis of')), { timeoutMs: 30_000, description: 'the report in the thread' });
    const opened = thread(s, root.ts);
    expect(count(opened, /3 nodes in pool `?workers-a`?: agent-crashloop/)).toBe(1);
    expect(opened.join('\n')).toMatch(/node-1.*node-2.*node-3/s);

    for (const node of ['node-1', 'node-2', 'node-3']) setAgent(s, node, false);
    await s.slack.waitFor(() => thread(s, root.ts).some((t) => /every node has recovered/.test(t)), { timeoutMs: 20_000, description: 'the recovery entry' });
    await settle();
    expect(count(thread(s, root.ts), /every node has recovered/)).toBe(1);
    expect(roots(s)).toHaveLength(1);
    const incident = (await b.incidents.listOpen())[0];
    expect(incident?.status).toBe('recovered');
  }, 60_000);

  it('a node flapping within the window posts nothing; a new node whose kernel Cilium cannot run is reported on join', async () => {
    const s = await stack();
    const b = await bot(s, 'replica-a');
    await waitForLeader(b);
    await settle(DAMPING_MS);
    setAgent(s, 'node-2', true);
    setAgent(s, 'node-2', false);
    setAgent(s, 'node-2', true);
    setAgent(s, 'node-2', false);
    await settle();
    await b.watch?.current()?.tickNow();
    expect(roots(s)).toHaveLength(0);

    // An autoscaler adds a node from an old image: no agent pod on it yet, its kernel is below the floor.
    const template = s.kube.store.get('v1', 'Node', undefined, 'node-3');
    if (template === undefined) throw new Error('no node-3');
    const joined = structuredClone(template);
    joined.metadata = { name: 'node-legacy-9', labels: { ...template.metadata.labels, 'eks.amazonaws.com/nodegroup': 'workers-legacy', 'kubernetes.io/hostname': 'node-legacy-9' } };
    (joined['status'] as { nodeInfo: { kernelVersion: string; osImage: string } }).nodeInfo.kernelVersion = '4.14.355-275.582.amzn2.x86_64';
    (joined['status'] as { nodeInfo: { kernelVersion: string; osImage: string } }).nodeInfo.osImage = 'Amazon Linux 2';
    s.kube.store.put(joined);
    const root = await s.slack.waitFor(() => roots(s)[0], { timeoutMs: 20_000, description: 'the new node reported' });
    const texts = await s.slack.waitFor(() => (thread(s, root.ts).some((t) => t.includes('watch:')) ? thread(s, root.ts) : undefined), { timeoutMs: 20_000, description: 'the watch entry' });
    expect(texts.join('\n')).toMatch(/node node-legacy-9 in pool `?workers-legacy`?: kernel-too-old/);
    expect(texts.join('\n')).toMatch(/kernel 4\.14\.355-275\.582\.amzn2\.x86_64 (<|&lt;) 5\.4\.0 needed by Cilium/);
  }, 60_000);

  it('a muted pool posts nothing; /cilium mutes lists the mute; once unmuted the problem is reported', async () => {
    const s = await stack();
    const b = await bot(s, 'replica-a');
    await waitForLeader(b);
    const sent = await s.slack.slashCommand({ text: 'mute workers-a 1h', userId: 'U0ONCALL', channelId: DEMO_CHANNEL.id, command: '/cilium', via: 'socket' });
    expect(sent.status).toBe(200);
    const ephemerals = () => s.slack.ephemerals({ channelId: DEMO_CHANNEL.id, userId: 'U0ONCALL' }).map((m) => m.text ?? '');
    // The two commands are acked at once and answered asynchronously: list only after the mute is stored.
    await s.slack.waitFor(() => ephemerals().some((t) => t.startsWith('Muted `workers-a`')), { timeoutMs: 20_000, description: 'the mute confirmed' });
    const listed = await s.slack.slashCommand({ text: 'mutes', userId: 'U0ONCALL', channelId: DEMO_CHANNEL.id, command: '/cilium', via: 'socket' });
    expect(listed.status).toBe(200);
    await s.slack.waitFor(() => ephemerals().some((t) => /^\*Mutes\*\n• `workers-a` until /.test(t)), { timeoutMs: 20_000, description: 'the mutes list'});
    setAgent(s, 'node-1', true);
    await settle();
    await b.watch?.current()?.tickNow();
    expect(roots(s)).toHaveLength(0);
    // The mute ends (a shorter one replaces it): the problem, still there, is reported.
    await s.slack.slashCommand({ text: 'mute workers-a 1s', userId: 'U0ONCALL', channelId: DEMO_CHANNEL.id, command: '/cilium', via: 'socket' });
    await s.slack.waitFor(() => roots(s)[0], { timeoutMs: 20_000, description: 'the problem reported after the mute' });
  }, 60_000);

  it('the operator crash-looping past the window is posted once, and its recovery once', async () => {
    const s = await stack();
    const b = await bot(s, 'replica-a');
    await waitForLeader(b);
    await settle(DAMPING_MS);
    const setOperator = operatorSetter(s);
    setOperator(true);
    await s.slack.waitFor(() => roots(s).find((m) => /cilium-operator unhealthy/.test(m.text ?? '')), { timeoutMs: 20_000, description: 'the operator post' });
    setOperator(false);
    await s.slack.waitFor(() => roots(s).find((m) => /cilium-operator recovered/.test(m.text ?? '')), { timeoutMs: 20_000, description: 'the operator recovery' });
    await settle();
    expect(roots(s).map((m) => m.text ?? '').filter((t) => /cilium-operator/.test(t))).toHaveLength(2);
  }, 60_000);

  it('operator and cilium-config posts survive a leader handover: no repeat, and a change made between leaders is posted once', async () => {
    const s = await stack();
    const a = await bot(s, 'replica-a');
    const c = await bot(s, 'replica-b');
    const leader = await waitForLeader(a, c);
    const follower = leader === a ? c : a;
    await settle(DAMPING_MS);
    const texts = () => roots(s).map((m) => m.text ?? '');
    const setOperator = operatorSetter(s);
    setOperator(true);
    setConfigKey(s, 'debug', 'true');
    await s.slack.waitFor(() => texts().find((t) => /cilium-operator unhealthy/.test(t)), { timeoutMs: 20_000, description: 'the operator post' });
    await s.slack.waitFor(() => texts().find((t) => /cilium-config changed .*: debug\./.test(t)), { timeoutMs: 20_000, description: 'the config post' });

    // The leader dies; before the other replica takes the lease, someone changes cilium-config again.
    leader.watch?.elector.abandon();
    await leader.watch?.current()?.stop();
    setConfigKey(s, 'debug-verbose', 'flow');
    await waitForLeader(follower);
    await s.slack.waitFor(() => texts().find((t) => /cilium-config changed .*: debug-verbose\./.test(t)), { timeoutMs: 20_000, description: 'the change made between leaders' });
    await settle();
    await follower.watch?.current()?.tickNow();
    expect(count(texts(), /cilium-operator unhealthy/)).toBe(1);
    expect(count(texts(), /cilium-config changed .*: debug\./)).toBe(1);
    expect(count(texts(), /cilium-config changed .*: debug-verbose\./)).toBe(1);

    // The operator recovers under the new leader: its recovery is posted, once.
    setOperator(false);
    await s.slack.waitFor(() => texts().find((t) => /cilium-operator recovered/.test(t)), { timeoutMs: 20_000, description: 'the operator recovery' });
    await settle();
    await follower.watch?.current()?.tickNow();
    expect(count(texts(), /cilium-operator/)).toBe(2);
    expect(count(texts(), /cilium-config changed/)).toBe(2);
  }, 60_000);

  it('two replicas post once; killing the leader hands the watch over without a duplicate; a 410 relists without one', async () => {
    const s = await stack();
    const a = await bot(s, 'replica-a');
    const c = await bot(s, 'replica-b');
    const leader = await waitForLeader(a, c);
    const follower = leader === a ? c : a;
    await settle(DAMPING_MS);
    setAgent(s, 'node-1', true);
    setAgent(s, 'node-2', true);
    const root = await s.slack.waitFor(() => roots(s)[0], { timeoutMs: 20_000, description: 'the incident root' });
    await s.slack.waitFor(() => thread(s, root.ts).some((t) => t.startsWith('Diagnosis of')), { timeoutMs: 30_000, description: 'the report' });

    // The leader dies without releasing the lease: the other replica waits for it to expire, then leads.
    leader.watch?.elector.abandon();
    await leader.watch?.current()?.stop();
    await waitForLeader(follower);
    await settle();
    expect(roots(s)).toHaveLength(1);
    expect(count(thread(s, root.ts), /watch: 2 nodes in pool/)).toBe(1);

    // A third node joins the group: posted once, by the new leader, in the same thread.
    setAgent(s, 'node-3', true);
    await s.slack.waitFor(() => thread(s, root.ts).some((t) => /a node joins/.test(t)), { timeoutMs: 20_000, description: 'node-3 joining' });

    // etcd compaction: every watch ends with 410 Expired and the informers relist; nothing is announced again.
    const relists = () => ['nodes', 'pods', 'configmaps'].map((resource) => s.kube.requestLog.count({ verb: 'list', resource }));
    const before = relists();
    s.kube.store.compact();
    await s.slack.waitFor(() => relists().every((n, i) => n > (before[i] ?? 0)), { timeoutMs: 20_000, description: 'the relists' });
    await settle();
    await follower.watch?.current()?.tickNow();
    const texts = thread(s, root.ts);
    expect(roots(s)).toHaveLength(1);
    expect(count(texts, /watch: 2 nodes in pool/)).toBe(1);
    expect(count(texts, /a node joins/)).toBe(1);
    expect(count(texts, /^Diagnosis of/)).toBe(1);
  }, 60_000);
});
