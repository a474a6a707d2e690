// Plumbing under ClusterReader/ClusterWriter: kubeconfig loading with connection reuse, the error mapping of every
// call, bounded retries for reads, and the stream sink and exit code of exec.
import type { Agent } from 'node:http';
import { Writable } from 'node:stream';
import { KubeConfig, type V1Status } from '@kubernetes/client-node';
import { KubeApiError, toKubeApiError } from './kube-api-error.ts';

export interface KubeConnectionOptions {
  kubeconfigPath?: string;
  context?: string;
  inCluster?: boolean;
}

/** The slice of KubeConfig's (private, but stable across 1.x) agent factory we wrap. */
interface AgentFactory {
  createAgent(cluster: unknown, options: Record<string, unknown>): Agent;
}

/**
 * client-node 1.4 builds a fresh https.Agent for every request, so every API call pays a new TCP and TLS
 * handshake. One keep-alive agent per KubeConfig (its cluster and credentials are fixed) reuses connections.
 */
function reuseConnections(kc: KubeConfig): KubeConfig {
  const factory = kc as unknown as AgentFactory;
  const original = factory.createAgent.bind(kc);
  let agent: Agent | undefined;
  factory.createAgent = (cluster, options) => (agent ??= original(cluster, { ...options, keepAlive: true, maxSockets: 32 }));
  return kc;
}

export function loadKubeConfig(opts: KubeConnectionOptions): KubeConfig {
  const kc = new KubeConfig();
  if (opts.inCluster) kc.loadFromCluster();
  else if (opts.kubeconfigPath !== undefined) kc.loadFromFile(opts.kubeconfigPath);
  else kc.loadFromDefault();
  if (opts.context !== undefined) {
    if (!kc.getContexts().some((c) => c.name === opts.context)) {
      throw new Error(`kubeconfig has no context "${opts.context}"; it has: ${kc.getContexts().map((c) => c.name).join(', ')}`);
    }
    kc.setCurrentContext(opts.context);
  }
  return reuseConnections(kc);
}

export async function attempt<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    throw toKubeApiError(e, what);
  }
}

const READ_RETRIES = 3;
const MAX_RETRY_AFTER_MS = 5_000;

/**
 * A read, retried on 429/5xx/network errors: honouring Retry-After (API priority and fairness), else exponential
 * backoff with full jitter; bounded, so a collector's deadline still decides. Writes are never retried here.
 */
export async function read<T>(what: string, call: () => Promise<T>): Promise<T> {
  for (let n = 0; ; n++) {
    try {
      return await attempt(what, call);
    } catch (e) {
      if (!(e instanceof KubeApiError) || !e.transient || n >= READ_RETRIES) throw e;
      const backoff = e.retryAfterSeconds !== undefined ? Math.min(e.retryAfterSeconds * 1000, MAX_RETRY_AFTER_MS) : Math.random() * 200 * 2 ** n;
      await new Promise((r) => setTimeout(r, backoff));
    }
  }
}

/** Collects a stream into a string, keeping at most `maxBytes`. */
export class BoundedSink extends Writable {
  private chunks: Buffer[] = [];
  private size = 0;
  truncated = false;
  constructor(private readonly maxBytes: number) {
    super();
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    const room = this.maxBytes - this.size;
    if (room <= 0) this.truncated = true;
    else {
      const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
      if (part.length < chunk.length) this.truncated = true;
      this.chunks.push(part);
      this.size += part.length;
    }
    done();
  }
  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

export function exitCodeOf(status: V1Status): number {
  if (status.status === 'Success') return 0;
  const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
  const code = Number(cause?.message);
  return Number.isInteger(code) ? code : 1;
}
