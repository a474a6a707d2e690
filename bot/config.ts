// Configuration from the environment, validated once at start-up. Every problem is reported at once, each with
// what the variable is for, so a broken deployment is fixed in one edit.
import { z } from 'zod';
import { ConfigError } from './errors.ts';
import { parseNodeProbeEnv, type NodeProbeConfig } from '../jobs/collect/node-probe/probe-config.ts';
import { parseHubbleEnv, type HubbleFlowConfig } from '../jobs/hubble/hubble-env.ts';
import { parseWatchEnv, type WatchConfig } from '../jobs/watch/watch-config.ts';

const csv = z
  .string()
  .optional()
  .transform((s) => (s ?? '').split(',').map((x) => x.trim()).filter((x) => x.length > 0));

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
  .optional()
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const EnvSchema = z.object({
  SLACK_MODE: z.enum(['socket', 'http']).default('socket'),
  SLACK_BOT_TOKEN: z.string().regex(/^xoxb-/, 'must be a bot token (xoxb-…)').optional(),
  SLACK_APP_TOKEN: z.string().regex(/^xapp-/, 'must be an app-level token (xapp-…)').optional(),
  SLACK_SIGNING_SECRET: z.string().min(8, 'must be the app\'s signing secret').optional(),
  SLACK_API_URL: z.url().optional(),
  HTTP_PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  HEALTH_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  // All interfaces by default: the kubelet probes and Prometheus scrapes reach the pod IP, not loopback.
  HEALTH_HOST: z.union([z.ipv4(), z.ipv6(), z.literal('localhost')]).default('0.0.0.0'),
  // Beside a public HEALTH_HOST: a 127.0.0.1 listener whose /readyz says why it fails (kubectl port-forward reaches it).
  HEALTH_DETAILS_PORT: z.coerce.number().int().min(0).max(65535).default(8081),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL').optional(),
  QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9:_-]{1,64}$/).default('cilium-runbook'),
  KUBECONFIG: z.string().min(1).optional(),
  KUBE_CONTEXT: z.string().min(1).optional(),
  KUBE_IN_CLUSTER: bool,
  KUBE_CONTEXTS: csv,
  CLUSTER_NAME: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9._-]{0,62}$/, 'letters, digits, ".", "_", "-"').default('default'),
  ALLOWED_CHANNELS: csv,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_TAIL_LINES: z.coerce.number().int().min(10).max(100_000).default(2000),
  LOG_LIMIT_BYTES: z.coerce.number().int().min(1024).max(64 * 1024 * 1024).default(2 * 1024 * 1024),
  COLLECT_DEADLINE_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  CILIUM_NAMESPACE: z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'a namespace name (RFC 1123 label)').optional(),
  REMEDIATION_ENABLED: bool,
  REMEDIATION_APPROVERS_LOW: csv,
  REMEDIATION_APPROVERS_MEDIUM: csv,
  REMEDIATION_APPROVERS_HIGH: csv,
  PROPOSAL_TTL_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(30),
  ROLE: z.enum(['all', 'bot', 'worker']).default('all'),
  JOB_LOCK_MS: z.coerce.number().int().min(500).max(600_000).default(30_000),
  JOB_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(4),
  JOB_BACKOFF_MS: z.coerce.number().int().min(0).max(600_000).default(2_000),
});

const PURPOSE: Record<string, string> = {
  SLACK_BOT_TOKEN: 'the bot token (xoxb-…) from "OAuth & Permissions", used to post reports',
  SLACK_APP_TOKEN: 'the app-level token (xapp-…) with connections:write, needed for Socket Mode (SLACK_MODE=socket, the default)',
  SLACK_SIGNING_SECRET: 'the signing secret from "Basic Information", needed to verify requests in HTTP mode (SLACK_MODE=http)',
  REDIS_URL: 'where the job queue lives, e.g. redis://127.0.0.1:6379',
  KUBECONFIG: 'path of the kubeconfig to read the cluster with (or set KUBE_IN_CLUSTER=true inside a pod)',
};

export interface Config {
  slack: {
    mode: 'socket' | 'http';
    botToken: string;
    appToken?: string;
    signingSecret?: string;
    apiUrl?: string;
    httpPort: number;
  };
  redisUrl: string;
  queuePrefix: string;
  kube: { kubeconfigPath?: string; context?: string; inCluster: boolean };
  /** The cluster commands without --cluster mean. */
  clusterName: string;
  /** Further clusters served by this bot: name → kubeconfig context (KUBE_CONTEXTS=prod=ctx-a,staging=ctx-b). */
  extraClusters: Array<{ name: string; context: string }>;
  allowedChannels: string[];
  /** /healthz, /readyz and /metrics; absent = no health server (HEALTH_PORT=0). Port 0 here = any free port; host defaults to 127.0.0.1. */
  health?: { port: number; host?: string; /** 127.0.0.1 port for /readyz's reasons when host is public; absent = none. */ detailsPort?: number };
  logLevel: z.infer<typeof EnvSchema>['LOG_LEVEL'];
  collect: { tailLines: number; limitBytes: number; deadlineMs: number; ciliumNamespace?: string; hubbleFlows?: HubbleFlowConfig };
  /** Retries of a diagnosis whose Kubernetes API was unreachable: attempts in all, first backoff (doubles, jittered). */
  /** all = Slack app and workers in one process; bot = Slack only; worker = workers only (scale or isolate them). */
  role: 'all' | 'bot' | 'worker';
  jobs: { attempts: number; backoffMs: number; lockMs: number };
  /** Off by default: a read-only deployment shows fix steps but no buttons. */
  remediation: { enabled: boolean; approvers: { low: string[]; medium: string[]; high: string[] }; proposalTtlMs: number };
  /** NODE_PROBE_*: set only when NODE_PROBE_ENABLED=true (jobs/collect/node-probe). */
  nodeProbe?: NodeProbeConfig;
  /** WATCH_*: set only when WATCH_ENABLED=true (jobs/watch). */
  watch?: WatchConfig;
}

/** Reads and validates the configuration; throws ConfigError listing every problem with what the variable is for. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const raw = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = EnvSchema.safeParse(raw);
  const problems: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = String(issue.path[0] ?? '?');
      problems.push(`${key}: ${issue.message}${PURPOSE[key] ? ` (${PURPOSE[key]})` : ''}`);
    }
    throw new ConfigError(problems);
  }
  const e = parsed.data;
  const need = (key: keyof typeof PURPOSE, present: unknown): void => {
    if (present === undefined) problems.push(`${key} is missing: ${PURPOSE[key]}`);
  };
  need('SLACK_BOT_TOKEN', e.SLACK_BOT_TOKEN);
  if (e.SLACK_MODE === 'socket') need('SLACK_APP_TOKEN', e.SLACK_APP_TOKEN);
  else need('SLACK_SIGNING_SECRET', e.SLACK_SIGNING_SECRET);
  need('REDIS_URL', e.REDIS_URL);
  if (e.KUBECONFIG === undefined && !e.KUBE_IN_CLUSTER) need('KUBECONFIG', undefined);
  const extraClusters: Array<{ name: string; context: string }> = [];
  for (const pair of e.KUBE_CONTEXTS) {
    const m = /^([a-zA-Z0-9][a-zA-Z0-9._-]{0,62})=(.+)$/.exec(pair);
    if (m?.[1] === undefined || m[2] === undefined) problems.push(`KUBE_CONTEXTS: "${pair}" is not cluster=context (e.g. prod=gke_prod_europe-west1_main)`);
    else if (m[1] === e.CLUSTER_NAME || extraClusters.some((c) => c.name === m[1])) problems.push(`KUBE_CONTEXTS: cluster "${m[1]}" is named twice (CLUSTER_NAME is ${e.CLUSTER_NAME})`);
    else extraClusters.push({ name: m[1], context: m[2] });
  }
  if (extraClusters.length > 0 && e.KUBE_IN_CLUSTER) problems.push('KUBE_CONTEXTS needs a kubeconfig with those contexts; it cannot be combined with KUBE_IN_CLUSTER=true');
  const approvers = [...e.REMEDIATION_APPROVERS_LOW, ...e.REMEDIATION_APPROVERS_MEDIUM, ...e.REMEDIATION_APPROVERS_HIGH];
  for (const id of approvers) {
    if (!/^[UWS][A-Z0-9]{2,}$/.test(id)) problems.push(`REMEDIATION_APPROVERS_*: "${id}" is not a Slack user id (U…/W…) or user group id (S…)`);
  }
  if (e.REMEDIATION_ENABLED && approvers.length === 0) {
    problems.push('REMEDIATION_ENABLED=true needs approvers: set REMEDIATION_APPROVERS_LOW/MEDIUM/HIGH to Slack user or group ids');
  }
  const probe = parseNodeProbeEnv(env);
  problems.push(...probe.problems);
  const hubble = parseHubbleEnv(env);
  problems.push(...hubble.problems);
  const watch = parseWatchEnv(env);
  problems.push(...watch.problems);
  if (problems.length > 0 || e.SLACK_BOT_TOKEN === undefined || e.REDIS_URL === undefined) throw new ConfigError(problems);
  return {
    slack: {
      mode: e.SLACK_MODE,
      botToken: e.SLACK_BOT_TOKEN,
      ...(e.SLACK_APP_TOKEN !== undefined && { appToken: e.SLACK_APP_TOKEN }),
      ...(e.SLACK_SIGNING_SECRET !== undefined && { signingSecret: e.SLACK_SIGNING_SECRET }),
      ...(e.SLACK_API_URL !== undefined && { apiUrl: e.SLACK_API_URL }),
      httpPort: e.HTTP_PORT,
    },
    redisUrl: e.REDIS_URL,
    queuePrefix: e.QUEUE_PREFIX,
    kube: {
      ...(e.KUBECONFIG !== undefined && { kubeconfigPath: e.KUBECONFIG }),
      ...(e.KUBE_CONTEXT !== undefined && { context: e.KUBE_CONTEXT }),
      inCluster: e.KUBE_IN_CLUSTER,
    },
    clusterName: e.CLUSTER_NAME,
    extraClusters,
    allowedChannels: e.ALLOWED_CHANNELS,
    ...(e.HEALTH_PORT !== 0 && { health: { port: e.HEALTH_PORT, host: e.HEALTH_HOST, ...(e.HEALTH_DETAILS_PORT !== 0 && { detailsPort: e.HEALTH_DETAILS_PORT }) } }),
    logLevel: e.LOG_LEVEL,
    collect: { tailLines: e.LOG_TAIL_LINES, limitBytes: e.LOG_LIMIT_BYTES, deadlineMs: e.COLLECT_DEADLINE_MS, ...(e.CILIUM_NAMESPACE !== undefined && { ciliumNamespace: e.CILIUM_NAMESPACE }), ...(hubble.config !== null && { hubbleFlows: hubble.config }) },
    role: e.ROLE,
    jobs: { attempts: e.JOB_ATTEMPTS, backoffMs: e.JOB_BACKOFF_MS, lockMs: e.JOB_LOCK_MS },
    remediation: {
      enabled: e.REMEDIATION_ENABLED,
      approvers: { low: e.REMEDIATION_APPROVERS_LOW, medium: e.REMEDIATION_APPROVERS_MEDIUM, high: e.REMEDIATION_APPROVERS_HIGH },
      proposalTtlMs: e.PROPOSAL_TTL_MINUTES * 60_000,
    },
    ...(probe.config !== null && { nodeProbe: probe.config }),
    ...(watch.config !== null && { watch: watch.config }),
  };
}
