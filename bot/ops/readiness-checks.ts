// The three things /readyz asks: can the bot queue a job (Redis), hear commands (Slack), and read the cluster
// (Kubernetes API)? Each check is cheap enough to run on every probe, or cached when it costs the dependency.
import type { Server } from 'node:http';
import { VersionApi, type KubeConfig } from '@kubernetes/client-node';
import type { SocketModeReceiver } from '@slack/bolt';
import type { Redis } from 'ioredis';
import { toKubeApiError } from '../../jobs/kube/kube-api-error.ts';
import type { ReadinessCheck } from './health-server.ts';

/** PING on the connection the bot queues jobs with; fails at once while ioredis is reconnecting. */
export function redisCheck(redis: Redis): ReadinessCheck {
  return {
    name: 'redis',
    timeoutMs: 1000,
    async run() {
      if (redis.status !== 'ready') throw new Error(`the connection is ${redis.status} (is Redis down?)`);
      await redis.ping();
    },
  };
}

export type SlackConnection =
  | { mode: 'socket'; client: SocketModeReceiver['client'] }
  /** The HTTP receiver's server, once app.start() returned it. */
  | { mode: 'http'; server: () => Server | undefined };

/** Socket Mode: the WebSocket to Slack is open. HTTP mode: the receiver is listening for Slack's requests. */
export function slackCheck(conn: SlackConnection): ReadinessCheck {
  return {
    name: 'slack',
    timeoutMs: 100,
    run() {
      if (conn.mode === 'socket') {
        if (conn.client.websocket?.isActive() !== true) return Promise.reject(new Error('the Socket Mode connection is not open (connecting or reconnecting)'));
      } else if (conn.server()?.listening !== true) {
        return Promise.reject(new Error('the HTTP receiver is not listening'));
      }
      return Promise.resolve();
    },
  };
}

/** GET /version on each cluster: public to every authenticated user, so it needs no RBAC grant. */
export function kubernetesCheck(clusters: ReadonlyMap<string, { kubeConfig: KubeConfig }>): ReadinessCheck {
  const apis = [...clusters].map(([name, c]) => ({ name, api: c.kubeConfig.makeApiClient(VersionApi), server: c.kubeConfig.getCurrentCluster()?.server ?? '?' }));
  return {
    name: 'kubernetes',
    timeoutMs: 2000,
    // Probes come every few seconds from the kubelet and Prometheus; the API server need not answer each one.
    cacheMs: 3000,
    async run() {
      const failures = await Promise.all(
        apis.map(async ({ name, api, server }) => {
          try {
            await api.getCode();
            return null;
          } catch (e) {
            return `cluster ${name} (${server}): ${toKubeApiError(e, 'get /version').message}`;
          }
        }),
      );
      const failed = failures.filter((f): f is string => f !== null);
      if (failed.length > 0) throw new Error(failed.join('; '));
    },
  };
}
