// `watch`: the watch (WATCH_ENABLED, jobs/watch) on a generated 5,000-node cluster. The real bot runs in its own
// process with the watch on (Lease, informers on nodes, cilium agents, the operator and cilium-config); the
// Kubernetes API emulator, the Slack emulator and Redis run in the benchmark process. Three rows, from two stacks:
// - idle, the bot as deployed (the default 2 min damping window, so a tick every 5 s and a resync every 2 min; the
//   apiserver's bookmark a minute): RSS and CPU over one resync period after the informers' initial lists, beside a
//   bot without the watch over the same seconds;
// - with a 5 s window, so the rows below take seconds, not minutes: a node going bad (its agent crash-looping, a kubelet status update) → the incident's root message in the watch
//   channel, against the damping window;
// - a storm of pod events (agents of one pool crash-looping through their restarts) → incidents opened.
import { generateCluster } from '../sandbox/scenario/index.ts';
import type { KubeObject } from '../sandbox/scenario/schema.ts';
import { DEMO_CHANNEL, isReport, startBenchStack, type BenchStack } from './lib/stack.ts';
import { fmtMB, fmtMs, median, waitUntil } from './lib/stats.ts';
import type { LoopSample } from './lib/loop-probe.ts';
import type { BenchOutcome } from './lib/result.ts';
import { compileBotChild } from './lib/compiled-bot.ts';
import { DEFAULT_DAMPING_MS } from '../jobs/watch/watch-config.ts';
import { DEFAULT_LEASE_TIMING } from '../jobs/watch/lease-elector.ts';
import { waitForWatchSync, WATCH_LEASE, type WatchSync } from './lib/watch-sync.ts';

const NODES = 5000;
/** The latency and storm rows' window; the idle row runs the default (DEFAULT_DAMPING_MS). */
const DAMPING_MS = 5000;
/** The idle stretch: one resync period of the default window, in stretches of STRETCH_MS. */
const IDLE_MS = DEFAULT_DAMPING_MS;
const STRETCH_MS = 10_000;
/** After the lists, before the idle stretch: the baseline bot's start-up behind it. */
const SETTLE_MS = 20_000;
/** The bot child's event-loop delay timer: coarse, so the probe does not add to the idle CPU it measures. */
const LOOP_RESOLUTION_MS = 50;
const RSS_TARGET = 300 * 1024 * 1024;
const CPU_TARGET = 0.02;
const LATENCY_TARGET_MS = 5000;
const BAD_NODES = ['node-1234', 'node-2345', 'node-3456'];
/** The storm: this many agents of one pool, each cycling through its crash loop, this many events in all. */
const STORM_AGENTS = 50;
const STORM_EVENTS = 5000;
const STORM_MS = 60_000;
const LEASE = WATCH_LEASE;

interface ContainerStatus { name: string; ready: boolean; started?: boolean; restartCount: number; state: Record<string, unknown>; lastState?: Record<string, unknown> }
interface PodStatus { phase?: string; containerStatuses: ContainerStatus[]; conditions?: Array<{ type: string; status: string }> }

function agentsByNode(stack: BenchStack): Map<string, KubeObject> {
  const byNode = new Map<string, KubeObject>();
  for (const p of stack.kube.store.list('v1', 'Pod', 'kube-system')) {
    const node = (p as { spec?: { nodeName?: string } }).spec?.nodeName;
    if (p.metadata.labels?.['k8s-app'] === 'cilium' && node !== undefined) byNode.set(node, p);
  }
  return byNode;
}

/**
 * One kubelet status update of a crash-looping agent, step by step as the kubelet reports them: started (running,
 * not ready), exited with an error, waiting in CrashLoopBackOff with one restart more. `step` 0 is the first
 * CrashLoopBackOff; `healthy` puts it back to running and ready.
 */
function setAgentState(stack: BenchStack, pod: KubeObject, step: number | 'healthy'): void {
  const status = pod['status'] as PodStatus;
  const agent = status.containerStatuses.find((c) => c.name === 'cilium-agent');
  if (agent === undefined) throw new Error(`${pod.metadata.name} has no cilium-agent status`);
  const now = new Date().toISOString();
  const phase = step === 'healthy' ? 'healthy' : (['crashloop', 'started', 'exited'] as const)[step % 3];
  if (phase === 'healthy') {
    Object.assign(agent, { ready: true, started: true, state: { running: { startedAt: now } } });
  } else if (phase === 'started') {
    Object.assign(agent, { ready: false, started: true, state: { running: { startedAt: now } } });
  } else if (phase === 'exited') {
    Object.assign(agent, { ready: false, started: false, state: { terminated: { exitCode: 1, reason: 'Error', startedAt: now, finishedAt: now } } });
  } else {
    agent.restartCount += 1;
    Object.assign(agent, {
      ready: false, started: false,
      state: { waiting: { reason: 'CrashLoopBackOff', message: `back-off 40s restarting failed container=cilium-agent pod=${pod.metadata.name}_kube-system` } },
      lastState: { terminated: { exitCode: 1, reason: 'Error', startedAt: now, finishedAt: now } },
    });
  }
  for (const c of status.conditions ?? []) if (c.type === 'Ready' || c.type === 'ContainersReady') c.status = phase === 'healthy' ? 'True' : 'False';
  stack.kube.store.put(pod);
}

const roots = (stack: BenchStack) => stack.slack.messages(DEMO_CHANNEL.id);
const threadTexts = (stack: BenchStack, ts: string) => stack.slack.thread(DEMO_CHANNEL.id, ts).map((m) => m.text ?? '');

interface IdleOutcome { sample: LoopSample; baseline: LoopSample; stretches: number[]; baseStretches: number[]; sync: WatchSync }

const sum = (samples: LoopSample[], key: 'cpuMs' | 'wallMs'): number => samples.reduce((n, x) => n + x[key], 0);
const cpuShare = (s: LoopSample): number => s.cpuMs / s.wallMs;

/**
 * The idle row: a stack of its own whose bot watches with the default window, as deployed, and, over the same
 * seconds, a second bot process with the watch off (same emulators, Redis, config otherwise): the difference is what
 * the watch itself holds and spends. CPU is sampled in stretches, so a one-off cost (V8's memory reducer runs a few
 * full GCs a minute or two after start-up) shows as one stretch, not as a steady cost.
 */
async function idleAsDeployed(scenario: Parameters<typeof startBenchStack>[0]['scenario'], compiledEntry: string): Promise<IdleOutcome> {
  const stack = await startBenchStack({
    scenario, mode: 'http', botIn: 'child', compiledChild: compiledEntry, loopResolutionMs: LOOP_RESOLUTION_MS,
    configOverrides: { watch: { channelId: DEMO_CHANNEL.id, dampingMs: DEFAULT_DAMPING_MS, lease: { ...LEASE, identity: 'bench-watch-idle', timing: DEFAULT_LEASE_TIMING } } },
  });
  try {
    const sync = await waitForWatchSync(stack, () => stack.probeBot());
    const base = await stack.spawnBot(({ watch: _watch, ...withoutWatch }) => withoutWatch);
    try {
      await new Promise((r) => setTimeout(r, SETTLE_MS));
      await base.probe();
      await stack.probeBot();
      const watching: LoopSample[] = [];
      const baseline: LoopSample[] = [];
      for (let t = 0; t < IDLE_MS; t += STRETCH_MS) {
        await new Promise((r) => setTimeout(r, STRETCH_MS));
        const w = await stack.probeBot();
        if (w === null) throw new Error('the bot is not in a child process');
        watching.push(w);
        baseline.push(await base.probe());
      }
      const whole = (samples: LoopSample[]): LoopSample => {
        const last = samples.at(-1);
        if (last === undefined) throw new Error('no idle stretch');
        return { ...last, cpuMs: sum(samples, 'cpuMs'), wallMs: sum(samples, 'wallMs'), gcCount: samples.reduce((n, x) => n + x.gcCount, 0), gcTotalMs: Math.round(samples.reduce((n, x) => n + x.gcTotalMs, 0)) };
      };
      return { sample: whole(watching), baseline: whole(baseline), stretches: watching.map(cpuShare), baseStretches: baseline.map(cpuShare), sync };
    } finally {
      await base.stop();
    }
  } finally {
    await stack.stop();
  }
}

/** The agent of `node` crash-loops; time until a root message in the watch channel names the node. */
async function nodeGoesBad(stack: BenchStack, agents: Map<string, KubeObject>, node: string): Promise<{ rootMs: number; reportMs: number }> {
  const pod = agents.get(node);
  if (pod === undefined) throw new Error(`no agent on ${node}`);
  const before = new Set(roots(stack).map((m) => m.ts));
  const t0 = performance.now();
  setAgentState(stack, pod, 0);
  const root = await waitUntil(() => roots(stack).find((m) => !before.has(m.ts) && (m.text ?? '').includes(node)), DAMPING_MS + 60_000, `the incident for ${node}`);
  const rootMs = performance.now() - t0;
  await waitUntil(() => threadTexts(stack, root.ts).some((t) => isReport(t)), 120_000, `the diagnosis of ${node} in its thread`, 20);
  const reportMs = performance.now() - t0;
  // Back to healthy; its recovery is posted after a window (not timed here).
  setAgentState(stack, pod, 'healthy');
  await waitUntil(() => threadTexts(stack, root.ts).some((t) => /recover/i.test(t)), DAMPING_MS * 4 + 30_000, `the recovery of ${node}`, 50);
  return { rootMs, reportMs };
}

/** STORM_EVENTS kubelet updates of STORM_AGENTS crash-looping agents of pool workers-a over STORM_MS. */
async function storm(stack: BenchStack, agents: Map<string, KubeObject>): Promise<{ events: number; ms: number; opened: string[]; probe: LoopSample }> {
  const victims = [...agents.entries()].filter(([n]) => /^node-\d+$/.test(n) && !BAD_NODES.includes(n)).slice(100, 100 + STORM_AGENTS).map(([, p]) => p);
  const before = new Set(roots(stack).map((m) => m.ts));
  const perAgent = Math.ceil(STORM_EVENTS / victims.length);
  await stack.probeBot();
  const t0 = performance.now();
  let events = 0;
  for (let step = 0; step < perAgent && events < STORM_EVENTS; step++) {
    // Round by round, every agent one step further, on a schedule of STORM_EVENTS over STORM_MS (late rounds catch up).
    for (const pod of victims) {
      if (events >= STORM_EVENTS) break;
      setAgentState(stack, pod, step);
      events++;
      const ahead = (events * STORM_MS) / STORM_EVENTS - (performance.now() - t0);
      if (events % 10 === 0 && ahead > 0) await new Promise((r) => setTimeout(r, ahead));
    }
  }
  const ms = performance.now() - t0;
  const probe = await stack.probeBot();
  if (probe === null) throw new Error('the bot is not in a child process');
  // The damping window, a tick and the posts after the last event.
  await new Promise((r) => setTimeout(r, DAMPING_MS * 3));
  const opened = roots(stack).filter((m) => !before.has(m.ts)).map((m) => m.text ?? '');
  for (const pod of victims) setAgentState(stack, pod, 'healthy');
  return { events, ms, opened, probe };
}

export async function benchWatch(): Promise<BenchOutcome> {
  const t = performance.now();
  const scenario = generateCluster({ nodes: NODES });
  const generateMs = performance.now() - t;
  // The bot as the image runs it (emitted JavaScript, no tsx): the RSS and CPU targets are the whole process's.
  const compiled = compileBotChild();
  let stack: BenchStack | undefined;
  try {
    const quiet = await idleAsDeployed(scenario, compiled.entry);
    // A fresh cluster for the rows that change it (the emulator keeps the scenario's objects).
    stack = await startBenchStack({
      scenario: generateCluster({ nodes: NODES }), mode: 'http', botIn: 'child', compiledChild: compiled.entry,
      // The probe's own 1 ms timer would be a few % of a core of the idle figure (loop-probe.ts): 50 ms here.
      loopResolutionMs: LOOP_RESOLUTION_MS,
      configOverrides: { watch: { channelId: DEMO_CHANNEL.id, dampingMs: DAMPING_MS, lease: { ...LEASE, identity: 'bench-watch', timing: DEFAULT_LEASE_TIMING } } },
    });
    const sync = await waitForWatchSync(stack, () => (stack as BenchStack).probeBot());
    const agents = agentsByNode(stack);
    const bad: Array<{ rootMs: number; reportMs: number }> = [];
    for (const node of BAD_NODES) bad.push(await nodeGoesBad(stack, agents, node));
    const s = await storm(stack, agents);
    const idleCpu = quiet.sample.cpuMs / quiet.sample.wallMs;
    const baseCpu = quiet.baseline.cpuMs / quiet.baseline.wallMs;
    const watchRss = quiet.sample.rssBytes - quiet.baseline.rssBytes;
    const watchCpu = idleCpu - baseCpu;
    const steady = median(quiet.stretches);
    const baseSteady = median(quiet.baseStretches);
    const pct = (x: number): string => `${(x * 100).toFixed(2)} %`;
    const beyond = bad.map((b) => b.rootMs - DAMPING_MS);
    const beyondMedian = median(beyond);
    const stormIncidents = s.opened.length;
    return {
      rows: [
        {
          bench: 'watch', what: `idle watch of a generated ${NODES.toLocaleString('en-US')}-node cluster as deployed (default ${fmtMs(DEFAULT_DAMPING_MS)} damping window: a tick every 5 s, one resync in the stretch; a bookmark a minute), ${IDLE_MS / 1000} s from ${SETTLE_MS / 1000} s after the initial lists: the whole bot process (compiled JavaScript, as the image runs it), and the watch's share (minus the same bot without the watch, same seconds)`,
          figure: `whole bot: RSS ${fmtMB(quiet.sample.rssBytes)} (heap ${fmtMB(quiet.sample.heapUsedBytes)}), CPU ${pct(idleCpu)} of a core over the stretch (${quiet.sample.cpuMs} ms in ${(quiet.sample.wallMs / 1000).toFixed(1)} s), median ${STRETCH_MS / 1000} s stretch ${pct(steady)}; the watch's share: RSS +${fmtMB(watchRss)}, CPU +${pct(watchCpu)} (median stretches +${pct(steady - baseSteady)})`,
          target: `RSS ≤ ${fmtMB(RSS_TARGET)}, CPU < ${CPU_TARGET * 100} % of a core`,
          reference: `bot without the watch: RSS ${fmtMB(quiet.baseline.rssBytes)} (heap ${fmtMB(quiet.baseline.heapUsedBytes)}), CPU ${pct(baseCpu)} (median stretch ${pct(baseSteady)})`,
          ratio: `whole bot ${(quiet.sample.rssBytes / RSS_TARGET * 100).toFixed(0)} % of the RSS budget, ${(idleCpu / CPU_TARGET * 100).toFixed(0)} % of the CPU budget over the stretch; the watch's share ${(watchRss / RSS_TARGET * 100).toFixed(0)} %, ${(watchCpu / CPU_TARGET * 100).toFixed(0)} %`,
          pass: quiet.sample.rssBytes <= RSS_TARGET && idleCpu < CPU_TARGET,
        },
        {
          bench: 'watch', what: `a node going bad (its agent CrashLoopBackOff) → the incident in the watch channel, damping window ${fmtMs(DAMPING_MS)}, median of ${BAD_NODES.length}`,
          figure: `${fmtMs(median(bad.map((b) => b.rootMs)))}: ${fmtMs(beyondMedian)} beyond the window (${beyond.map(fmtMs).join(', ')}); diagnosis in the thread after ${fmtMs(median(bad.map((b) => b.reportMs)))}`,
          target: `≤ window + ${fmtMs(LATENCY_TARGET_MS)}`, reference: `window ${fmtMs(DAMPING_MS)}`,
          ratio: `${(beyondMedian / LATENCY_TARGET_MS * 100).toFixed(0)} % of the allowance`, pass: Math.max(...beyond) <= LATENCY_TARGET_MS,
        },
        {
          bench: 'watch', what: `storm: ${s.events.toLocaleString('en-US')} pod events in ${fmtMs(s.ms)} (${STORM_AGENTS} agents of pool workers-a crash-looping through their restarts)`,
          figure: `${stormIncidents} incident(s) opened${s.opened.length > 0 ? `: ${s.opened.map((o) => `"${o}"`).join('; ')}` : ''}; bot CPU ${(s.probe.cpuMs / s.probe.wallMs * 100).toFixed(1)} % of a core during the storm, peak RSS ${fmtMB(s.probe.maxRssBytes)}`,
          target: '≤ 1 incident per root cause (1 here)', reference: `${s.events.toLocaleString('en-US')} events`,
          ratio: `${stormIncidents} / 1`, pass: stormIncidents === 1,
        },
      ],
      notes: [
        `\`node node_modules/tsx/dist/cli.mjs bench/run.ts watch\`. generateCluster({nodes: ${NODES}}) (${fmtMs(generateMs)}), loaded into the Kubernetes API emulator in the benchmark process with the Slack emulator and a private Redis; the real bot (bot/bot.ts, HTTP mode, workers in-process, WATCH_ENABLED) in its own process, so RSS and CPU are the whole bot's. Two stacks: the idle row's bot runs the default damping window (${fmtMs(DEFAULT_DAMPING_MS)}), the emulator the apiserver's bookmark a minute; the latency and storm rows' bot a ${fmtMs(DAMPING_MS)} window, on a cluster generated afresh.`,
        `Idle: initial lists answered ${fmtMs(quiet.sync.listedMs)} after start, CPU quiet after ${fmtMs(quiet.sync.quietMs)}, peak RSS while listing ${fmtMB(quiet.sync.peak.maxRssBytes)}; then ${SETTLE_MS / 1000} s for the bot without the watch to start, then ${(quiet.sample.wallMs / 1000).toFixed(1)} s measured on both in ${STRETCH_MS / 1000} s stretches. Watching bot by stretch: ${quiet.stretches.map(pct).join(', ')}; without the watch: ${quiet.baseStretches.map(pct).join(', ')} (a stretch well above the rest is V8's memory reducer: a few full GCs once activity stops). Watching bot: event-loop delay p99 ${quiet.sample.delayP99Ms} ms, GC ${quiet.sample.gcCount}× ${quiet.sample.gcTotalMs} ms; without the watch: GC ${quiet.baseline.gcCount}× ${quiet.baseline.gcTotalMs} ms. Both bots run the JavaScript tsconfig.build.json emits (bench/lib/compiled-bot.ts), as the image does (Dockerfile: node dist/bot/main.js), not tsx; the target is judged on the whole watching bot over the whole stretch. The probe in each bot measures event-loop delay with a ${LOOP_RESOLUTION_MS} ms timer (a 1 ms one costs about 3 % of a core by itself on this machine). Where the idle CPU goes: \`node node_modules/tsx/dist/cli.mjs bench/idle-profile.ts\` (--cpu-prof of the same bot).`,
        `Latency rows: lease taken and the initial lists answered ${fmtMs(sync.listedMs)} after start; CPU quiet after ${fmtMs(sync.quietMs)}.`,
        `Node going bad: ${BAD_NODES.join(', ')} in turn, each back to healthy and its recovery posted before the next. Time = the agent pod's status written to the emulator → a new root message naming the node in the watch channel (polled every 2 ms); the watch ticks every ${fmtMs(DAMPING_MS / 10)} (a tenth of the window).`,
        `Storm: ${s.events} agent status updates (CrashLoopBackOff with one more restart → running, not ready → exited with an error, repeated), scheduled evenly over ${fmtMs(STORM_MS)}; counted: root messages posted from the storm's start to ${fmtMs(DAMPING_MS * 3)} after its end. Figures from one run on a machine shared with other work (2 cores): taken under load.`,
      ],
      data: { sync, idle: quiet, bad, storm: s, dampingMs: DAMPING_MS },
    };
  } finally {
    await stack?.stop();
    compiled.remove();
  }
}
