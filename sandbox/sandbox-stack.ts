// Starts the whole offline stack — Redis, the Kubernetes API emulator with a scenario, the Slack emulator — and
// optionally the real bot against them. Used by the demo, `npm run sandbox`, end-to-end tests and benchmarks.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino, type Logger } from 'pino';
import type { Config } from '../bot/config.ts';
import { startBot, type RunningBot } from '../bot/bot.ts';
import { startKubeEmulator, type KubeEmulator } from './kube/index.ts';
import { botEventsFromManifest, shortcutsFromManifestFile, startSlackEmulator, type SlackEmulator } from './slack/index.ts';
import { freePort, startRedis, type RedisHandle } from './redis.ts';
import type { Scenario } from './scenario/index.ts';
import { SCENARIOS_DIR } from './scenario/load.ts';
import { startRelayEmulator, type RelayEmulator } from './hubble/relay-emulator.ts';
import { loadScenarioFlows } from './hubble/scenario-flows.ts';

export const DEMO_CHANNEL = { id: 'C0INCIDENTS', name: 'incidents' };
export const DEMO_USERS = [
  { id: 'U0ONCALL', name: 'oncall', realName: 'On-call Engineer' },
  { id: 'U0LEAD', name: 'lead', realName: 'Incident Lead' },
  { id: 'U0VIEWER', name: 'viewer', realName: 'Read-only Viewer' },
];
/** The SRE user group: approvers of high-risk remediations in the demo and tests. */
export const DEMO_USERGROUPS = [{ id: 'S0SRE', handle: 'sre', users: ['U0ONCALL', 'U0LEAD'] }];

export interface SandboxStack {
  scenario: Scenario;
  kube: KubeEmulator;
  slack: SlackEmulator;
  redis: { url: string; handle?: RedisHandle };
  bot?: RunningBot;
  /** The Hubble Relay emulator serving the scenario's flows (StackOptions.hubbleRelay and a scenario with `hubbleFlows`). */
  relay?: RelayEmulator;
  config: Config;
  stop(): Promise<void>;
}

export interface StackOptions {
  scenario: Scenario;
  /** Use this Redis instead of starting a private one. */
  redisUrl?: string;
  mode?: 'socket' | 'http';
  startBot?: boolean;
  logger?: Logger;
  kubeUser?: string;
  configOverrides?: Partial<Config>;
  /** Added to every Kubernetes API call (e.g. 25 ms, as a real apiserver answers). */
  kubeLatencyMs?: number;
  /**
   * Serve the scenario's `hubbleFlows` from a Hubble Relay emulator (real gRPC) and point the bot at it, as
   * HUBBLE_RELAY_ADDR would. Off by default so tests that bring their own Relay, or none, see no flows.
   */
  hubbleRelay?: boolean;
}

export async function startSandboxStack(opts: StackOptions): Promise<SandboxStack> {
  const redisHandle = opts.redisUrl === undefined ? await startRedis() : undefined;
  const redisUrl = opts.redisUrl ?? (redisHandle as RedisHandle).url;
  const kube = await startKubeEmulator({ scenario: opts.scenario, ...(opts.kubeLatencyMs !== undefined && { latencyMs: opts.kubeLatencyMs }) });
  // The app's shortcuts and bot events as the deployed manifest declares them.
  const manifest = fileURLToPath(new URL('../deploy/slack/manifest.yaml', import.meta.url));
  const shortcuts = shortcutsFromManifestFile(manifest);
  const botEvents = botEventsFromManifest(readFileSync(manifest, 'utf8'));
  const slack = await startSlackEmulator({ users: DEMO_USERS, usergroups: DEMO_USERGROUPS, channels: [DEMO_CHANNEL], shortcuts, botEvents });
  // Flows are re-timed to end now, so a `--since 15m` query sees them whenever the sandbox starts.
  const flows = opts.hubbleRelay === true && opts.scenario.hubbleFlows !== undefined ? loadScenarioFlows(join(SCENARIOS_DIR, opts.scenario.hubbleFlows), new Date()) : undefined;
  const relay = flows === undefined ? undefined : await startRelayEmulator({ responses: flows.responses, connectedNodes: flows.connectedNodes, unavailableNodes: flows.unavailableNodes });
  const mode = opts.mode ?? 'socket';
  const httpPort = mode === 'http' ? await freePort() : 3000;
  const config: Config = {
    slack: {
      mode,
      botToken: slack.botToken,
      ...(mode === 'socket' ? { appToken: slack.appToken } : { signingSecret: slack.signingSecret }),
      apiUrl: slack.apiUrl,
      httpPort,
    },
    redisUrl,
    queuePrefix: `sandbox-${randomUUID().slice(0, 8)}`,
    kube: { kubeconfigPath: opts.kubeUser === undefined ? kube.kubeconfigPath : kube.kubeconfigFor(opts.kubeUser), inCluster: false },
    clusterName: 'sandbox',
    extraClusters: [],
    allowedChannels: [],
    logLevel: 'warn',
    collect: { tailLines: 2000, limitBytes: 2 * 1024 * 1024, deadlineMs: 10_000, ...(relay !== undefined && { hubbleFlows: { env: { HUBBLE_RELAY_ADDR: relay.address }, windowMinutes: 15, maxFlows: 1000 } }) },
    role: 'all',
    jobs: { attempts: 4, backoffMs: 2_000, lockMs: 30_000 },
    remediation: { enabled: false, approvers: { low: [], medium: [], high: [] }, proposalTtlMs: 30 * 60_000 },
    ...opts.configOverrides,
  };
  if (mode === 'http') slack.setHttpTarget(`http://127.0.0.1:${httpPort}/slack/events`);
  let bot: RunningBot | undefined;
  if (opts.startBot !== false) {
    bot = await startBot(config, { logger: opts.logger ?? pino({ level: config.logLevel }) });
  }
  let stopping: Promise<void> | undefined;
  const stack: SandboxStack = {
    scenario: opts.scenario,
    kube,
    slack,
    redis: { url: redisUrl, ...(redisHandle !== undefined && { handle: redisHandle }) },
    ...(bot !== undefined && { bot }),
    ...(relay !== undefined && { relay }),
    config,
    // The bot is read when stopping, not when starting: tests and scripts attach their own with other config.
    // Idempotent, so a signal handler and a `finally` may both call it.
    stop() {
      stopping ??= (async () => {
        await stack.bot?.stop();
        await slack.stop();
        await kube.stop();
        await relay?.close();
        await redisHandle?.stop();
      })();
      return stopping;
    },
  };
  return stack;
}

type AgentPodShape = {
  spec?: { nodeName?: string };
  status?: { containerStatuses?: Array<{ name?: string; ready?: boolean; state?: { waiting?: { reason?: string } } }> };
};

/**
 * The node a scenario is about: the one its `expect.node` names; for scenarios without one (built in code), a
 * crash-looping agent's node first, then any not-ready agent's, else the first node.
 */
export function brokenNodeOf(scenario: Scenario): string | undefined {
  if (scenario.expect !== undefined) return scenario.expect.node;
  const agents = scenario.objects
    .filter((o) => o.kind === 'Pod' && o.metadata.labels?.['k8s-app'] === 'cilium')
    .map((o) => o as AgentPodShape)
    .map((o) => ({ node: o.spec?.nodeName, status: o.status?.containerStatuses?.find((c) => c.name === 'cilium-agent') }))
    .filter((a) => a.node !== undefined && a.status !== undefined)
    .sort((a, b) => (a.node ?? '').localeCompare(b.node ?? ''));
  const crashing = agents.find((a) => a.status?.state?.waiting?.reason === 'CrashLoopBackOff');
  const notReady = agents.find((a) => a.status?.ready !== true);
  return crashing?.node ?? notReady?.node ?? scenario.objects.find((o) => o.kind === 'Node')?.metadata.name;
}
