// `cilium-runbook diagnose pod <ns>/<pod>`: the same resolution and diagnosis as the slash command, without the queue.
// Exit 0 no critical finding, 3 a critical finding, 1 the pod does not exist (with the closest names).
import type { ClusterReader } from '../jobs/kube/cluster-reader.ts';
import type { CollectOptions } from '../jobs/collect/collect-evidence.ts';
import { findPod } from '../jobs/pod/find-pod.ts';
import { runPodDiagnosis } from '../jobs/pod/run-pod-diagnosis.ts';
import type { PodArg } from './command-grammar.ts';
import { resolvePod } from './diagnose-pod-lookup.ts';
import { renderPodDiagnosisText } from './diagnose-pod-text.ts';
import { PodNotFoundError } from './errors.ts';

export interface DiagnosePodCliOptions {
  reader: ClusterReader;
  collect: CollectOptions;
  json: boolean;
}

export async function diagnosePodCli(arg: PodArg, o: DiagnosePodCliOptions): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  let pod;
  try {
    pod = await resolvePod({ findPod: (_cluster, ns, name) => findPod(o.reader, ns, name) }, o.reader.cluster, arg);
  } catch (e) {
    // The Slack wording, without its mrkdwn backticks.
    if (e instanceof PodNotFoundError) return { stdout: '', stderr: e.message.replace(/`/g, '"'), exitCode: 1 };
    throw e;
  }
  const d = await runPodDiagnosis(o.reader, pod, { collect: o.collect });
  const critical = d.report.findings.some((f) => f.severity === 'critical');
  return { stdout: o.json ? JSON.stringify(d, null, 2) : renderPodDiagnosisText(d), stderr: '', exitCode: critical ? 3 : 0 };
}
