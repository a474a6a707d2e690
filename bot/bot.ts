// Wires one bot process: Redis connection, diagnose queue and worker, cluster access, the Bolt app and the Slack
// sink. main.ts, the demo and the end-to-end tests all start the bot through here, so they run the same thing.
import { Server } from 'node:http';
import { Redis } from 'ioredis';
import type { App } from '@slack/bolt';
import type { Worker } from 'bullmq';
import { pino, type Logger } from 'pino';
import type { Config } from './config.ts';
import { AckFirstGate } from './ack-first.ts';
import { ReplayCache } from './replay-cache.ts';
import { createSlackApp, socketModeClientOf } from './slack-app.ts';
import { SlackIncidentSink, SlackSweepSink } from './slack-incident-sink.ts';
import { PostLedger } from './post-ledger.ts';
import { cachedNodeLister, type NodeLister } from './node-directory.ts';
import { DiagnoseQueue } from '../jobs/diagnose-queue.ts';
import { startDiagnoseWorker, type DiagnoseResult } from '../jobs/diagnose-worker.ts';
import { startNodeProbes } from '../jobs/collect/node-probe/node-probes.ts';
import type { ClusterReader } from '../jobs/kube/cluster-reader.ts';
import { ClientNodeCluster, loadKubeConfig } from '../jobs/kube/client-node-cluster.ts';
import { KubeApiError } from '../jobs/kube/kube-api-error.ts';
import { IncidentStore } from '../jobs/incidents/incident-store.ts';
import { ProposalStore } from '../jobs/remediation/proposal-store.ts';
import { RemediateQueue } from '../jobs/remediation/remediate-job.ts';
import { startRemediateWorker, type RemediationOutcome } from '../jobs/remediation/remediate-worker.ts';
import { registerRemediationHandler, slackGroupLookup } from './remediation-handler.ts';
import { registerMessageShortcut } from './shortcut/message-shortcut.ts';
import { registerSysdumpShares } from './sysdump/sysdump-share.ts';
import { SlackSysdumpSink } from './sysdump/slack-sysdump-sink.ts';
import { SysdumpQueue } from '../jobs/sysdump-share/sysdump-share-job.ts';
import { startSysdumpWorker, type SysdumpResult } from '../jobs/sysdump-share/sysdump-share-worker.ts';
import { Metrics } from './ops/metrics.ts';
import { SweepQueue } from '../jobs/fleet/sweep-job.ts';
import { startSweepWorker, type SweepResult } from '../jobs/fleet/sweep-worker.ts';
import { PreflightQueue } from '../jobs/preflight/preflight-job.ts';
import { startPreflightWorker } from '../jobs/preflight/preflight-worker.ts';
import { SlackPreflightSink } from './preflight-slack.ts';
import { HealthServer } from './ops/health-server.ts';
import { kubernetesCheck, redisCheck, slackCheck, type SlackConnection } from './ops/readiness-checks.ts';
import { CountingSink, countKubeErrors, observeJobs, observeRemediations } from './ops/instrument.ts';
import { redactingLogger } from './log-redaction.ts';
import { whyDroppedService } from '../jobs/hubble/why-dropped-service.ts';
import { startWatch, type RunningWatch } from './watch-wiring.ts';
import { MuteStore } from '../jobs/watch/mutes.ts';
import { PodDiagnosisQueue } from '../jobs/pod/pod-diagnosis-job.ts';
import { startPodDiagnosisWorker } from '../jobs/pod/pod-diagnosis-worker.ts';
import { findPod } from '../jobs/pod/find-pod.ts';
import { SlackPodDiagnosisSink } from './diagnose-pod-slack.ts';
import type { PodLister } from './diagnose-pod-lookup.ts';

export interface RunningBot {
  app: App;
  incidents: IncidentStore;
  queue: DiagnoseQueue;
  /** Null when the worker runs in another process. */
  worker: Worker<unknown, DiagnoseResult> | null;
  remediateQueue: RemediateQueue;
  remediateWorker: Worker<unknown, RemediationOutcome> | null;
  proposals: ProposalStore;
  /** `/cilium diagnose --all`: the sweep queue, and its worker (null when workers run elsewhere). */
  sweepQueue: SweepQueue;
  sweepWorker: Worker<unknown, SweepResult> | null;
  /** Sysdumps shared in Slack: their queue, and its worker (null when workers run elsewhere). */
  sysdumpQueue: SysdumpQueue;
  sysdumpWorker: Worker<unknown, SysdumpResult> | null;
  logger: Logger;
  metrics: Metrics;
  /** Base URL of /healthz, /readyz and /metrics; null when config.health is absent. */
  healthUrl: string | null;
  /** Base URL of the /readyz that says why it fails (local only); null when there is none. */
  healthDetailsUrl: string | null;
  /** WATCH_ENABLED: this replica's campaign for the watch Lease and its watcher; null otherwise. */
  watch: RunningWatch | null;
  /** Stops taking commands, lets the running job finish (or hands it back to the queue), closes Redis. */
  stop(): Promise<void>;
}

export interface StartBotOptions {
  logger?: Logger;
  /** Run the worker in this process (default true). */
  worker?: boolean;
}

function nodeLister(readers: Map<string, ClusterReader>): NodeLister {
  const reader = (cluster: string): ClusterReader => {
    const r = readers.get(cluster);
    if (r === undefined) throw new Error(`unknown cluster ${cluster}`);
    return r;
  };
  return {
    async nodeExists(cluster, node) {
      try {
        await reader(cluster).getNode(node);
        return true;
      } catch (e) {
        if (e instanceof KubeApiError && e.status === 404) return false;
        throw e;
      }
    },
    async listNodeNames(cluster) {
      const r = reader(cluster);
      // Metadata only where the reader can: names for suggestions, not every node's status.
      if (r.listNodeNames !== undefined) return r.listNodeNames();
      return (await r.listNodes()).map((n) => n.metadata?.name ?? '').filter((n) => n !== '');
    },
  };
}

function podLister(readers: Map<string, ClusterReader>): PodLister {
  return {
    findPod(cluster, namespace, pod) {
      const r = readers.get(cluster);
      return r === undefined ? Promise.reject(new Error(`unknown cluster ${cluster}`)) : findPod(r, namespace, pod);
    },
  };
}

export async function startBot(config: Config, opts: StartBotOptions = {}): Promise<RunningBot> {
  // Redacted like everything posted: a token in an error message must not reach the log either.
  const logger = redactingLogger(opts.logger ?? pino({ level: config.logLevel, base: { app: 'cilium-runbook' } }));
  const metrics = new Metrics();
  // HTTP mode: acks first, everything else after (ack-first.ts): the work a command does after its ack, the jobs'
  // steps, and every Kubernetes request and the parsing of its answer. Socket Mode acks travel over the WebSocket,
  // and a worker-only process has nothing to acknowledge.
  const acks = config.slack.mode === 'http' && config.role !== 'worker' ? new AckFirstGate() : undefined;
  const kubeOptions = acks === undefined ? {} : { yieldBefore: () => acks.quiet() };
  const readers = new Map<string, ClientNodeCluster>([
    [config.clusterName, countKubeErrors(new ClientNodeCluster(config.clusterName, loadKubeConfig(config.kube), kubeOptions), metrics)],
    // Further clusters: other contexts of the same kubeconfig, one reader each.
    ...config.extraClusters.map(
      (c) => [c.name, countKubeErrors(new ClientNodeCluster(c.name, loadKubeConfig({ ...config.kube, context: c.context }), kubeOptions), metrics)] as const,
    ),
  ]);
  // BullMQ workers need maxRetriesPerRequest: null (blocking commands); one connection per role.
  const queueRedis = new Redis(config.redisUrl, { maxRetriesPerRequest: 1 });
  const workerRedis = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
  const queue = new DiagnoseQueue({ connection: queueRedis, prefix: config.queuePrefix, attempts: config.jobs.attempts, backoffMs: config.jobs.backoffMs });
  const incidents = new IncidentStore(queueRedis, config.queuePrefix);
  const proposals = new ProposalStore(queueRedis, config.queuePrefix, config.remediation.proposalTtlMs);
  const remediateQueue = new RemediateQueue({ connection: queueRedis, prefix: config.queuePrefix });
  const sweepQueue = new SweepQueue({ connection: queueRedis, prefix: config.queuePrefix, backoffMs: config.jobs.backoffMs });
  const preflightQueue = new PreflightQueue({ connection: queueRedis, prefix: config.queuePrefix, backoffMs: config.jobs.backoffMs });
  const podQueue = new PodDiagnosisQueue({ connection: queueRedis, prefix: config.queuePrefix, backoffMs: config.jobs.backoffMs });
  const nodes = cachedNodeLister(nodeLister(readers));
  // Warm start: the node-name cache and a kept-alive API connection per cluster before the first command, so the
  // first burst of commands does not pay for TLS handshakes and a node list. Failures only cost the warm-up.
  for (const cluster of readers.keys()) void nodes.listNodeNames(cluster).catch((err: unknown) => logger.warn({ cluster, err }, 'could not warm the node list'));
  // HTTP mode: a signed request is accepted once across all replicas sharing this Redis (replay-cache.ts).
  const replays = new ReplayCache({ redis: queueRedis, prefix: config.queuePrefix, logger });
  const mutes = config.watch === undefined ? undefined : new MuteStore(queueRedis, config.queuePrefix);
  const defaultReader = readers.get(config.clusterName);
  const whyDropped = whyDroppedService(config.collect.hubbleFlows, () => (defaultReader === undefined ? Promise.reject(new Error(`no reader for ${config.clusterName}`)) : defaultReader.listServices()), config.collect.deadlineMs);
  const podDiagnoses = { queue: podQueue, pods: podLister(readers) };
  const app = createSlackApp({ config, queue, nodes, incidents, logger, metrics, sweeps: sweepQueue, preflights: preflightQueue, replays, whyDropped, podDiagnoses, ...(acks !== undefined && { acks }), ...(mutes !== undefined && { mutes }) });
  const sysdumpQueue = new SysdumpQueue({ connection: queueRedis, prefix: config.queuePrefix, backoffMs: config.jobs.backoffMs });
  const sysdumps = { queue: sysdumpQueue, cluster: config.clusterName, allowedChannels: config.allowedChannels, logger, ...(acks !== undefined && { acks }) };
  registerSysdumpShares(app, sysdumps);
  registerMessageShortcut(app, { allowedChannels: config.allowedChannels, logger, sysdumps, ...(acks !== undefined && { acks }) });
  registerRemediationHandler(app, { enabled: config.remediation.enabled, approvers: config.remediation.approvers, proposals, incidents, queue: remediateQueue, logger, metrics });
  const sink = new CountingSink(new SlackIncidentSink(app.client, incidents, new PostLedger(queueRedis, config.queuePrefix)), metrics);
  const runWorkers = opts.worker !== false && config.role !== 'bot';
  const nodeProbes = runWorkers && config.nodeProbe !== undefined
    ? startNodeProbes(config.nodeProbe, new Map([...readers].map(([name, r]) => [name, r.kubeConfig])), logger)
    : undefined;
  const worker = !runWorkers
      ? null
      : startDiagnoseWorker({
          connection: workerRedis,
          prefix: config.queuePrefix,
          clusters: (name) => readers.get(name),
          sink,
          incidents,
          ...(config.remediation.enabled && { proposals }),
          collect: config.collect,
          ...(nodeProbes !== undefined && { nodeProbes: (cluster: string) => nodeProbes.probeFor(cluster) }),
          logger,
          lockMs: config.jobs.lockMs,
          ...(acks !== undefined && { beforeStep: () => acks.quiet() }),
        });
  const remediateWorker =
    !runWorkers || !config.remediation.enabled
      ? null
      : startRemediateWorker({
          connection: workerRedis,
          prefix: config.queuePrefix,
          clusters: (name) => readers.get(name),
          proposals,
          incidents,
          sink,
          collect: config.collect,
          logger,
          lockMs: config.jobs.lockMs,
          // Checked again before any write, against this process's configuration (execution-check.ts).
          approvers: { config: config.remediation.approvers, groupsOf: slackGroupLookup(app.client) },
        });
  const sweepWorker = !runWorkers
    ? null
    : startSweepWorker({ connection: workerRedis, prefix: config.queuePrefix, clusters: (name) => readers.get(name), sink: new SlackSweepSink(app.client, new PostLedger(queueRedis, config.queuePrefix), logger), collect: config.collect, logger, lockMs: config.jobs.lockMs });
  const sysdumpWorker = !runWorkers
    ? null
    : startSysdumpWorker({ connection: workerRedis, prefix: config.queuePrefix, sink: new SlackSysdumpSink(app.client, config.slack.botToken, new PostLedger(queueRedis, config.queuePrefix)), incidents, incidentSink: sink, logger, lockMs: config.jobs.lockMs });
  const preflightWorker = !runWorkers
    ? null
    : startPreflightWorker({ connection: workerRedis, prefix: config.queuePrefix, clusters: (name) => readers.get(name), sink: new SlackPreflightSink(app.client), logger, lockMs: config.jobs.lockMs,
      ...(config.collect.ciliumNamespace !== undefined && { ciliumNamespace: config.collect.ciliumNamespace }) });
  // `diagnose pod`: the node's collection narrowed to the pod, plus its own flows (HUBBLE_* as for the node report).
  const podWorker = !runWorkers
    ? null
    : startPodDiagnosisWorker({ connection: workerRedis, prefix: config.queuePrefix, clusters: (name) => readers.get(name), sink: new SlackPodDiagnosisSink(app.client), collect: config.collect, logger, lockMs: config.jobs.lockMs,
      ...(acks !== undefined && { beforeStep: () => acks.quiet() }) });
  // Into the JSON log rather than BullMQ's console.error fallback (Redis down: /readyz says so too).
  for (const q of [queue.queue, remediateQueue.queue, sweepQueue.queue, sysdumpQueue.queue, podQueue.queue]) q.on('error', (err) => logger.warn({ queue: q.name, err: err.message }, 'queue connection error'));
  if (worker !== null) observeJobs(worker, 'diagnose', metrics);
  if (remediateWorker !== null) {
    observeJobs(remediateWorker, 'remediate', metrics);
    observeRemediations(remediateWorker, proposals, metrics, logger);
  }

  let httpServer: Server | undefined;
  const socket = socketModeClientOf(app);
  const slackConn: SlackConnection = socket === undefined ? { mode: 'http', server: () => httpServer } : { mode: 'socket', client: socket };
  // Up before Slack connects, so the startup probe sees a live process and /readyz says what it waits for.
  const health =
    config.health === undefined
      ? null
      : await HealthServer.start({
          host: config.health.host ?? '127.0.0.1',
          port: config.health.port,
          ...(config.health.detailsPort !== undefined && { detailsPort: config.health.detailsPort }),
          // A worker-only process never connects to Slack; its readiness is Redis and the cluster.
          checks: [redisCheck(queueRedis), ...(config.role === 'worker' ? [] : [slackCheck(slackConn)]), kubernetesCheck(readers)],
          metrics,
          logger,
        });
  let slackStarted = false;
  try {
    // A worker-only process posts through the Web API but takes no commands: it does not connect to Slack.
    if (config.role === 'worker') logger.info('worker role: not taking Slack commands');
    else if (config.slack.mode === 'http') {
      const started: unknown = await app.start(config.slack.httpPort);
      if (started instanceof Server) httpServer = started;
      slackStarted = true;
    } else {
      await app.start();
      slackStarted = true;
    }
  } catch (e) {
    await health?.stop();
    throw e;
  }
  logger.info({ mode: config.slack.mode, cluster: config.clusterName, health: health?.url }, 'cilium-runbook is up');
  // The watch runs beside the Slack app (ROLE=all or bot); replicas elect one watcher with a Lease (jobs/watch).
  const primary = readers.get(config.clusterName);
  const watch = config.watch === undefined || config.role === 'worker' || primary === undefined
    ? null
    : startWatch({
        watch: config.watch, cluster: config.clusterName, kubeConfig: primary.kubeConfig, client: app.client, redis: queueRedis, prefix: config.queuePrefix,
        incidents, queue, sink, logger, ...(config.collect.ciliumNamespace !== undefined && { ciliumNamespace: config.collect.ciliumNamespace }),
      });

  let stopped = false;
  return {
    app,
    incidents,
    proposals,
    remediateQueue,
    remediateWorker,
    queue,
    worker,
    sweepQueue,
    sweepWorker,
    sysdumpQueue,
    sysdumpWorker,
    logger,
    metrics,
    healthUrl: health?.url ?? null,
    healthDetailsUrl: health?.detailsUrl ?? null,
    watch,
    async stop() {
      if (stopped) return;
      stopped = true;
      await watch?.stop();
      await health?.stop();
      if (slackStarted) await app.stop();
      await worker?.close();
      nodeProbes?.stop();
      await remediateWorker?.close();
      await sweepWorker?.close();
      await sysdumpWorker?.close();
      await sysdumpQueue.close();
      await preflightWorker?.close();
      await podWorker?.close();
      await remediateQueue.close();
      await sweepQueue.close();
      await preflightQueue.close();
      await podQueue.close();
      await queue.close();
      queueRedis.disconnect();
      workerRedis.disconnect();
    },
  };
}
