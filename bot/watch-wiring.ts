// Starts the watch in this replica when WATCH_ENABLED: campaigns for the Lease, and runs the watcher only while
// it leads (a replica that loses the lease stops it and posts nothing more). Posts go through the Slack incident
// sink, so they are redacted, ordered per thread and recorded in the post ledger like every other post.
import type { KubeConfig } from '@kubernetes/client-node';
import type { WebClient } from '@slack/web-api';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { DiagnoseQueue } from '../jobs/diagnose-queue.ts';
import type { IncidentStore } from '../jobs/incidents/incident-store.ts';
import type { IncidentSink } from '../jobs/incident-sink.ts';
import { clientNodeLeaseClient, LeaseElector } from '../jobs/watch/lease-elector.ts';
import { MuteStore } from '../jobs/watch/mutes.ts';
import type { WatchConfig } from '../jobs/watch/watch-config.ts';
import { WatchAnnouncementStore } from '../jobs/watch/watch-announcements.ts';
import { WatchGroupStore } from '../jobs/watch/watch-groups.ts';
import { WatchReporter } from '../jobs/watch/watch-reporter.ts';
import { Watcher } from '../jobs/watch/watcher.ts';
import { escapeMrkdwn } from './render/mrkdwn.ts';

export interface RunningWatch {
  elector: LeaseElector;
  /** The watcher while this replica leads, else null. */
  current(): Watcher | null;
  stop(): Promise<void>;
}

export interface WatchWiringDeps {
  watch: WatchConfig;
  cluster: string;
  ciliumNamespace?: string;
  kubeConfig: KubeConfig;
  client: WebClient;
  redis: Redis;
  prefix: string;
  incidents: IncidentStore;
  queue: Pick<DiagnoseQueue, 'enqueue'>;
  sink: Pick<IncidentSink, 'postEntry' | 'refreshSummary'>;
  logger: Logger;
}

export function startWatch(deps: WatchWiringDeps): RunningWatch {
  const { watch, logger, client } = deps;
  const groups = new WatchGroupStore(deps.redis, deps.prefix, deps.cluster);
  const announcements = new WatchAnnouncementStore(deps.redis, deps.prefix, deps.cluster);
  const mutes = new MuteStore(deps.redis, deps.prefix);
  let actor: Promise<string> | undefined;
  // The bot's own user id: the watch's entries and diagnoses are by the bot.
  const botUser = (): Promise<string> => (actor ??= client.auth.test().then((r) => {
    if (r.user_id === undefined) throw new Error('auth.test returned no user_id');
    return r.user_id;
  }).catch((e: unknown) => {
    actor = undefined;
    throw e;
  }));
  let watcher: Watcher | null = null;
  let transition: Promise<void> = Promise.resolve();
  const elector: LeaseElector = new LeaseElector({
    client: clientNodeLeaseClient(deps.kubeConfig, watch.lease.namespace, watch.lease.name),
    namespace: watch.lease.namespace,
    name: watch.lease.name,
    identity: watch.lease.identity,
    timing: watch.lease.timing,
    onError: (err) => logger.warn({ err }, 'watch: lease call failed'),
    onStartedLeading: () => {
      logger.info({ identity: watch.lease.identity }, 'watch: leading; watching the cluster');
      transition = transition.then(async () => {
        const reporter = new WatchReporter({
          cluster: deps.cluster, channelId: watch.channelId, actor: await botUser(), incidents: deps.incidents, queue: deps.queue, groups, announcements,
          dampingMs: watch.dampingMs, isLeader: () => elector.isLeader,
          poster: {
            postRoot: async (channel, text) => {
              const r = await client.chat.postMessage({ channel, text: escapeMrkdwn(text) });
              if (r.ts === undefined) throw new Error('chat.postMessage returned no ts');
              return r.ts;
            },
            postEntry: (incident, entry) => deps.sink.postEntry(incident, entry),
            refreshSummary: (incident) => deps.sink.refreshSummary(incident),
            postNotice: async (channel, text) => {
              await client.chat.postMessage({ channel, text: escapeMrkdwn(text, { literal: true }) });
            },
          },
        });
        const w = new Watcher({
          kubeConfig: deps.kubeConfig, ...(deps.ciliumNamespace !== undefined && { ciliumNamespace: deps.ciliumNamespace }), dampingMs: watch.dampingMs,
          loadGroups: () => groups.load(), loadMutes: () => mutes.list(deps.cluster), apply: (a) => reporter.apply(a), logger,
          loadOperatorAnnounced: () => announcements.operatorAnnounced(),
          onOperator: (event) => reporter.operator(event),
          onConfig: (data) => reporter.config(data),
        });
        await w.start();
        watcher = w;
      }).catch((err: unknown) => logger.error({ err }, 'watch: could not start the watcher'));
    },
    onStoppedLeading: () => {
      logger.warn({ identity: watch.lease.identity }, 'watch: lost the lease; not posting');
      transition = transition.then(async () => {
        const w = watcher;
        watcher = null;
        await w?.stop();
      });
    },
  });
  elector.start();
  return {
    elector,
    current: () => watcher,
    async stop() {
      await elector.stop();
      await transition;
      const w = watcher;
      watcher = null;
      await w?.stop();
    },
  };
}
