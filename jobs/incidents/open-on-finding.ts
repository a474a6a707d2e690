// A diagnosis requested for a node without an open incident opens one only when it finds something: a healthy node
// gets an answer, not an incident that stays "investigating" until someone resolves it. The incident adopts the
// request's root message as its thread, so the person who asked finds the report where they were told to look.
import type { DiagnoseJob } from '../diagnose-job.ts';
import type { IncidentSink, IncidentTarget } from '../incident-sink.ts';
import type { IncidentStore } from './incident-store.ts';

/**
 * The incident the report of `job` belongs to: the job's own, or the node's open one, or a new one threaded under
 * the job's root message. Idempotent per job (`step` keys the timeline entry), so a retried job reuses what an
 * earlier attempt opened.
 */
export async function incidentForFindings(
  store: IncidentStore,
  sink: IncidentSink,
  job: DiagnoseJob & { jobId?: string },
  step: (name: string) => string,
): Promise<IncidentTarget> {
  if (job.incidentId !== undefined) return { ...job, incidentId: job.incidentId };
  const opened = await store.openOrReuse({ cluster: job.cluster, node: job.node, channelId: job.channelId, openedBy: job.requestedBy });
  let incident = opened.incident;
  if (incident.threadTs === '') incident = await store.update(incident.id, { threadTs: job.threadTs });
  if (incident.threadTs === job.threadTs) {
    const entry = await store.append(incident.id, { actor: job.requestedBy, kind: 'opened', text: `opened ${incident.id} for node ${job.node} and requested a diagnosis` }, step('opened'));
    await sink.postEntry(incident, entry);
  }
  return { ...job, incidentId: incident.id, channelId: incident.channelId, threadTs: incident.threadTs };
}
