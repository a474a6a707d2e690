// One probe run: create the pod on the node, wait (bounded polling) for it to finish, read its log, and delete it
// whatever happened. A refusal is a fact the report explains (RBAC, Pod Security, the admission policy).
import type { V1Pod } from '@kubernetes/client-node';
import type { Unavailable } from '../../../runbooks/engine/evidence.ts';
import { KubeApiError, toKubeApiError } from '../../kube/kube-api-error.ts';
import { parseProbeLog, type ProbeReads } from './probe-output.ts';
import { PROBE_CONTAINER, probePod } from './probe-pod.ts';
import type { ProbePodsApi } from './probe-pods-api.ts';

export interface ProbeRunOptions {
  node: string;
  namespace: string;
  image: string;
  /** NODE_PROBE_TIMEOUT: the pod's activeDeadlineSeconds, and how long the worker waits for it. */
  timeoutSeconds: number;
  jobId: string;
  /** Between status polls (default 1 s). */
  pollMs?: number;
  /** Bytes of the probe's log read at most (iptables of a large node is the bulk). */
  logLimitBytes?: number;
  /** Stops waiting (the pod is still deleted). */
  signal?: AbortSignal;
  /** Told the pod's name once created (logs, tests). */
  onCreated?: (name: string) => void;
}

export type ProbeOutcome = { ok: true; pod: string; reads: ProbeReads } | Unavailable;

const DEFAULT_LOG_LIMIT = 8 * 1024 * 1024;

/** The label that lets Pod Security admission admit the probe in its namespace. */
export const PRIVILEGED_NAMESPACE_LABEL = 'pod-security.kubernetes.io/enforce=privileged';

/** A create refused by RBAC, by Pod Security admission, or by the probe's admission policy, with what fixes it. */
export function createRefusal(e: unknown, namespace: string): Unavailable {
  const err = toKubeApiError(e, `create pods in ${namespace}`);
  const message = err.message;
  if (/violates PodSecurity/.test(message)) {
    return {
      ok: false, reason: 'forbidden', detail: `the node probe was refused by Pod Security admission: ${message}`,
      fix: `Label the probe's namespace so Pod Security admits it (host namespaces, hostPath, capabilities): \`kubectl label namespace ${namespace} ${PRIVILEGED_NAMESPACE_LABEL}\`. Keep that namespace for the probe alone (deploy/README.md, "Node probe").`,
    };
  }
  if (/ValidatingAdmissionPolicy/.test(message)) {
    return {
      ok: false, reason: 'forbidden', detail: `the node probe pod was refused by its admission policy: ${message}`,
      fix: 'NODE_PROBE_IMAGE and NODE_PROBE_NAMESPACE must match the values the node-probe overlay pins (deploy/overlays/node-probe, the policy\'s params); the bot and the overlay must be the same release.',
    };
  }
  if (err instanceof KubeApiError && err.reason === 'forbidden') {
    return {
      ok: false, reason: 'forbidden', detail: message,
      fix: `Apply the node-probe overlay (\`kubectl apply -k deploy/overlays/node-probe\`): it grants create/get/list/watch/delete on pods and get on pods/log in ${namespace} only.`,
    };
  }
  return { ok: false, reason: err instanceof KubeApiError ? err.reason : 'timeout', detail: `could not create the node probe pod: ${message}` };
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted === true) return reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/** Why a pod that has not finished is stuck, when the kubelet says (ErrImagePull, CreateContainerError, …). */
function waitingReason(pod: V1Pod): string | null {
  const waiting = pod.status?.containerStatuses?.find((c) => c.name === PROBE_CONTAINER)?.state?.waiting;
  if (waiting?.reason === undefined || waiting.reason === 'ContainerCreating') return null;
  return `${waiting.reason}${waiting.message !== undefined ? `: ${waiting.message}` : ''}`;
}

async function waitFinished(api: ProbePodsApi, o: ProbeRunOptions, name: string): Promise<V1Pod | Unavailable> {
  // The kubelet enforces activeDeadlineSeconds; the worker waits that long plus a few polls for the status.
  const polls = Math.ceil((o.timeoutSeconds * 1000) / (o.pollMs ?? 1000)) + 5;
  let last: V1Pod | undefined;
  for (let i = 0; i < polls; i++) {
    last = await api.get(o.namespace, name);
    const phase = last.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') return last;
    const stuck = waitingReason(last);
    if (stuck !== null && /ErrImagePull|ImagePullBackOff|InvalidImageName|CreateContainerConfigError|CreateContainerError/.test(stuck)) {
      return { ok: false, reason: 'unavailable', detail: `the node probe pod ${name} could not start: ${stuck}`, fix: 'Check NODE_PROBE_IMAGE: the node must be able to pull it (and it must have sh, iptables-legacy-save, iptables-nft-save, dmesg and zcat).' };
    }
    await sleep(o.pollMs ?? 1000, o.signal);
  }
  return { ok: false, reason: 'timeout', detail: `the node probe pod ${name} did not finish within ${o.timeoutSeconds} s (phase ${last?.status?.phase ?? 'unknown'})`, fix: 'Raise NODE_PROBE_TIMEOUT, or look at the node: a pod pinned to it that never starts says the kubelet is in trouble too.' };
}

export async function runNodeProbe(api: ProbePodsApi, o: ProbeRunOptions): Promise<ProbeOutcome> {
  let created: V1Pod;
  try {
    created = await api.create(o.namespace, probePod({ node: o.node, namespace: o.namespace, image: o.image, deadlineSeconds: o.timeoutSeconds, jobId: o.jobId }));
  } catch (e) {
    return createRefusal(e, o.namespace);
  }
  const name = created.metadata?.name ?? '';
  o.onCreated?.(name);
  try {
    const finished = await waitFinished(api, o, name);
    if ('ok' in finished) return finished;
    const log = await api.log(o.namespace, name, PROBE_CONTAINER, o.logLimitBytes ?? DEFAULT_LOG_LIMIT);
    if (finished.status?.phase === 'Failed' && log.trim() === '') {
      return { ok: false, reason: 'unavailable', detail: `the node probe pod ${name} failed without output: ${finished.status.reason ?? ''} ${finished.status.message ?? ''}`.trim() };
    }
    return { ok: true, pod: name, reads: parseProbeLog(log) };
  } catch (e) {
    const err = toKubeApiError(e, `node probe ${name}`);
    return { ok: false, reason: err instanceof KubeApiError ? err.reason : 'timeout', detail: `the node probe ${name} was not read: ${err.message}` };
  } finally {
    // Always: a probe pod left behind is a root-capable pod on the node. The sweeper catches what this misses.
    await api.delete(o.namespace, name).catch(() => undefined);
  }
}
