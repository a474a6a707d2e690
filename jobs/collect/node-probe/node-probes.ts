// The node probe per cluster for a worker process: one pod API per cluster's kubeconfig, and one sweeper each
// (at start and then every minute) for probe pods a killed worker left behind.
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { NodeProbeConfig } from './probe-config.ts';
import type { NodeProbe } from './probe-evidence.ts';
import { ClientNodeProbePods } from './probe-pods-api.ts';
import { startProbeSweeper } from './sweep-probes.ts';

export const SWEEP_INTERVAL_MS = 60_000;

export interface NodeProbes {
  probeFor(cluster: string): NodeProbe | undefined;
  stop(): void;
}

export function startNodeProbes(config: NodeProbeConfig, clusters: ReadonlyMap<string, KubeConfig>, logger: Logger): NodeProbes {
  const probes = new Map<string, NodeProbe>();
  const sweepers: Array<{ stop(): void }> = [];
  for (const [cluster, kubeConfig] of clusters) {
    const api = new ClientNodeProbePods(kubeConfig);
    probes.set(cluster, { api, namespace: config.namespace, image: config.image, timeoutSeconds: config.timeoutSeconds });
    sweepers.push(startProbeSweeper(api, config.namespace, config.timeoutSeconds, SWEEP_INTERVAL_MS, (r) => {
      if (r instanceof Error) logger.warn({ cluster, err: r.message }, 'node probe sweep failed');
      else if (r.deleted.length > 0 || r.failed.length > 0) logger.info({ cluster, deleted: r.deleted, failed: r.failed }, 'swept leftover node probe pods');
    }));
  }
  return { probeFor: (cluster) => probes.get(cluster), stop: () => sweepers.forEach((s) => s.stop()) };
}
