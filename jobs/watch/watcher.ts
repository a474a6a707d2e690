// The watch while this replica leads: informers feed each node's observation into the state machine as events
// arrive; a tick (a tenth of the damping window, at most 5 s) turns what outlived the window into actions, and a
// resync re-observes every cached node (client-go's resync: a missed transition cannot stick). Actions are applied
// one at a time, in order, by the reporter. The operator's state and cilium-config are handed over at each tick too
// (level-triggered: what is, not what happened), so a post that failed, or a change made while no replica led, is
// posted by the next tick; the reporter's Redis records make each post happen once.
import type { KubeConfig, V1Node, V1Pod } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { watchCluster, type WatchedCluster } from './informers.ts';
import { isMuted, type Mute } from './mutes.ts';
import { OperatorHealth, operatorProblem, type OperatorEvent } from './operator-health.ts';
import { configHash } from './watch-announcements.ts';
import { observeNode } from './watch-signals.ts';
import { WatchState, type WatchAction, type WatchGroup } from './watch-state.ts';

export interface WatcherOptions {
  kubeConfig: KubeConfig;
  ciliumNamespace?: string;
  dampingMs: number;
  /** Re-observe every cached node this often (default: the damping window). */
  resyncMs?: number;
  /** Groups already reported (Redis), seeding the state. */
  loadGroups: () => Promise<WatchGroup[]>;
  /** The live mutes (Redis), read once per tick. */
  loadMutes: () => Promise<Mute[]>;
  apply: (action: WatchAction) => Promise<void>;
  /** Whether "operator unhealthy" stands announced (Redis), seeding the operator's state. */
  loadOperatorAnnounced?: () => Promise<boolean>;
  /** The operator unhealthy past the damping window, or recovered; a rejection reverts it (retried next tick). */
  onOperator?: (event: OperatorEvent) => Promise<void>;
  /** cilium-config's data whenever it differs from what was last handed over; a rejection retries it next tick. */
  onConfig?: (data: Record<string, string>) => Promise<void>;
  logger: Logger;
  now?: () => number;
}

export class Watcher {
  private readonly state: WatchState;
  private readonly now: () => number;
  private cluster: WatchedCluster | null = null;
  private timers: NodeJS.Timeout[] = [];
  private chain: Promise<void> = Promise.resolve();
  private configData: Record<string, string> | null = null;
  /** The hash of the cilium-config last handed to onConfig successfully. */
  private configHandled: string | null = null;
  /** Bumped at every cilium-config change: part of what a node was observed from. */
  private configGeneration = 0;
  /**
   * What each node was last observed from: its and its agent's resourceVersions, the fleet version and the config.
   * A resync skips a node none of these changed for, since observing the same inputs again changes nothing; on
   * 5,000 nodes that is most of an idle watch's CPU.
   */
  private readonly observedFrom = new Map<string, string>();
  private readonly operator: OperatorHealth;

  constructor(private readonly opts: WatcherOptions) {
    this.state = new WatchState({ dampingMs: opts.dampingMs });
    this.operator = new OperatorHealth(opts.dampingMs);
    this.now = opts.now ?? Date.now;
  }

  async start(): Promise<void> {
    this.state.seed(await this.opts.loadGroups());
    this.operator.seed((await this.opts.loadOperatorAnnounced?.()) ?? false);
    const log = this.opts.logger;
    const observe = (nodeName: string | undefined): void => {
      if (nodeName === undefined || this.cluster === null) return;
      const node = this.cluster.nodes.get(nodeName);
      if (node === undefined) this.state.forget(nodeName, this.now());
      else this.observe(node);
    };
    this.cluster = watchCluster(this.opts.kubeConfig, { ...(this.opts.ciliumNamespace !== undefined && { ciliumNamespace: this.opts.ciliumNamespace }) }, {
      node: {
        upsert: (n) => this.observe(n),
        remove: (n) => {
          if (n.metadata?.name === undefined) return;
          this.observedFrom.delete(n.metadata.name);
          this.state.forget(n.metadata.name, this.now());
        },
        error: (err) => log.warn({ err }, 'watch: node informer error; restarting'),
      },
      agent: {
        upsert: (p) => observe(p.spec?.nodeName),
        remove: (p) => observe(p.spec?.nodeName),
        error: (err) => log.warn({ err }, 'watch: agent pod informer error; restarting'),
      },
      operator: {
        upsert: () => this.observeOperator(),
        remove: () => this.observeOperator(),
        error: (err) => log.warn({ err }, 'watch: operator informer error; restarting'),
      },
      config: {
        upsert: (cm) => this.configChanged(cm.data ?? {}),
        remove: () => this.configChanged({}),
        error: (err) => log.warn({ err }, 'watch: cilium-config informer error; restarting'),
      },
    });
    const tickMs = Math.max(50, Math.min(5000, Math.floor(this.opts.dampingMs / 10)));
    this.timers.push(setInterval(() => this.enqueueTick(), tickMs));
    this.timers.push(setInterval(() => this.resync(), this.opts.resyncMs ?? this.opts.dampingMs));
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.cluster?.stop();
    this.cluster = null;
    await this.chain;
  }

  /** Runs one tick now (after any in flight) and resolves when its actions are applied. */
  tickNow(): Promise<void> {
    this.enqueueTick();
    return this.chain;
  }

  // Indexed lookups (watch-cache.ts): an event costs a lookup, not a scan of 5,000 agents.
  private agentOf(nodeName: string): V1Pod | undefined {
    return this.cluster?.agentIndex.onNode(nodeName);
  }

  /** The version most agents run (image tags): what a node that just joined will get. */
  private fleetVersion(): string | null {
    return this.cluster?.agentIndex.fleetVersion() ?? null;
  }

  private observe(node: V1Node, unlessUnchanged = false): void {
    const name = node.metadata?.name;
    if (name === undefined) return;
    const agent = this.agentOf(name);
    const fleetVersion = this.fleetVersion();
    const nodeRv = node.metadata?.resourceVersion;
    const agentRv = agent === undefined ? 'none' : agent.metadata?.resourceVersion;
    const from = nodeRv === undefined || agentRv === undefined ? undefined : `${nodeRv}|${agentRv}|${fleetVersion ?? '-'}|${this.configGeneration}`;
    if (unlessUnchanged && from !== undefined && this.observedFrom.get(name) === from) return;
    if (from === undefined) this.observedFrom.delete(name);
    else this.observedFrom.set(name, from);
    this.state.observe(observeNode(node, agent, { config: this.configData, kubeProxyDaemonSet: false, fleetVersion }), this.now());
  }

  private observeOperator(): void {
    if (this.cluster !== null) this.operator.observe(operatorProblem(this.cluster.operators.list()), this.now());
  }

  private resync(): void {
    for (const node of this.cluster?.nodes.list() ?? []) this.observe(node, true);
    this.observeOperator();
  }

  private configChanged(data: Record<string, string>): void {
    const before = this.configData;
    this.configData = data;
    this.configGeneration++;
    // Agents read cilium-config at start: nodes are re-checked with the new configuration.
    if (before !== null) this.resync();
  }

  private async announceOperator(now: number): Promise<void> {
    const event = this.operator.tick(now);
    if (event === null || this.opts.onOperator === undefined) return;
    try {
      await this.opts.onOperator(event);
    } catch (err) {
      this.operator.revert(event);
      this.opts.logger.warn({ err }, 'watch: could not post the operator state; retried at the next tick');
    }
  }

  private async announceConfig(): Promise<void> {
    const data = this.configData;
    if (data === null || this.opts.onConfig === undefined) return;
    const hash = configHash(data);
    if (hash === this.configHandled) return;
    try {
      await this.opts.onConfig(data);
      this.configHandled = hash;
    } catch (err) {
      this.opts.logger.warn({ err }, 'watch: could not post the cilium-config change; retried at the next tick');
    }
  }

  private enqueueTick(): void {
    this.chain = this.chain.then(async () => {
      const mutes = await this.opts.loadMutes();
      const now = this.now();
      await this.announceOperator(now);
      await this.announceConfig();
      const actions = this.state.tick(now, (obs) => isMuted(mutes, obs, now));
      for (const [i, action] of actions.entries()) {
        try {
          await this.opts.apply(action);
        } catch (err) {
          // This one and those after it come back at the next tick (the Redis records make a replay post once).
          for (const undone of actions.slice(i)) this.state.revert(undone);
          throw err;
        }
      }
    }).catch((err: unknown) => this.opts.logger.warn({ err }, 'watch: tick failed; retried at the next tick'));
  }
}
