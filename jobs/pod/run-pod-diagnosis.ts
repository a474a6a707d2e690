// One pod's diagnosis, shared by the queue worker and the CLI: the node's evidence (collected as for
// `diagnose <node>`, without the node-wide drops), the pod's own Hubble flows in their place, its CiliumEndpoint, all
// read at once; then the pure engine (runbooks/engine/pod-diagnosis.ts).
import type { V1Service } from '@kubernetes/client-node';
import type { Evidence, Fact, Flows } from '../../runbooks/engine/evidence.ts';
import type { Report } from '../../runbooks/engine/contract.ts';
import { diagnosePod, type PodDiagnosis, type PodTarget } from '../../runbooks/engine/pod-diagnosis.ts';
import { collectEvidence, type CollectOptions } from '../collect/collect-evidence.ts';
import type { ClusterReader } from '../kube/cluster-reader.ts';
import { readPodEndpoint } from './pod-endpoint.ts';

export interface PodDiagnosisOptions {
  /** As for a node diagnosis; `hubbleFlows` here means "read the pod's flows from Relay" (the window and bound). */
  collect: CollectOptions;
  now?: () => Date;
  /** Runs the runbooks (default: in this thread). */
  analyze?: (e: Evidence) => Report;
}

export async function runPodDiagnosis(reader: ClusterReader, pod: PodTarget, opts: PodDiagnosisOptions): Promise<PodDiagnosis> {
  const { hubbleFlows, ...collect } = opts.collect;
  const now = opts.now?.() ?? new Date();
  // Relay is found by its Service unless HUBBLE_RELAY_ADDR names it; a failed list is said as such, not as "no Relay".
  const services = async (): Promise<V1Service[] | null | Error> => (hubbleFlows === undefined || hubbleFlows.env.HUBBLE_RELAY_ADDR !== undefined
    ? null
    : reader.listServices().catch((e: unknown) => (e instanceof Error ? e : new Error(String(e)))));
  // The Relay client is loaded only when flows are read (as the node collector does).
  const flowsP = Promise.all([services(), import('../hubble/pod-flows.ts')]).then(([svc, { readPodFlows }]): Promise<Fact<Flows>> =>
    svc instanceof Error
      ? Promise.resolve({ ok: false, reason: 'unavailable', detail: `cannot list Services to find hubble-relay: ${svc.message}`, fix: 'Grant the bot list on services, or set HUBBLE_RELAY_ADDR.' })
      : readPodFlows(hubbleFlows, pod.namespace, pod.name, svc, collect.deadlineMs, now));
  const [evidence, flows, endpoint] = await Promise.all([
    collectEvidence(reader, pod.node, collect),
    flowsP,
    readPodEndpoint(reader, pod.namespace, pod.name, collect.deadlineMs),
  ]);
  return diagnosePod({ ...evidence, flows }, pod, endpoint, opts.analyze);
}
