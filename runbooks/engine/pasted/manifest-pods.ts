// Pods described by the manifests pasted beside a policy. Reproductions in policy threads paste the Deployment or Pod
// with the CiliumNetworkPolicy in one `---`-separated block (cilium/cilium#13308, #4504, #27930); their labels are the
// pods' labels (a controller's `spec.template.metadata.labels`, Kubernetes API: PodTemplateSpec), so the policy
// runbooks can match selectors against them as they do against the node's endpoints. A manifest without a namespace
// is applied in the namespace of the policies beside it when they share one (the `-n` of the reproduction), else in
// `default`. Pure.
import type { WorkloadPod } from '../evidence.ts';

type Json = Record<string, unknown>;
const asRecord = (v: unknown): Json | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined);

const CONTROLLERS: ReadonlySet<string> = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job']);
/** Bound on the pods one paste contributes. */
const MAX_PODS = 200;

function labelsOf(meta: Json | undefined): Record<string, string> | null {
  const labels = asRecord(meta?.labels);
  if (labels === undefined) return null;
  return Object.fromEntries(Object.entries(labels).filter(([, v]) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean').map(([k, v]) => [k, String(v)]));
}

/** The pods of the Pod and controller objects among parsed documents (items of a List included). */
export function manifestPods(docs: readonly unknown[], policyNamespace: string | undefined): WorkloadPod[] {
  const objects = docs.flatMap((d) => {
    const o = asRecord(d);
    if (o === undefined) return [];
    return typeof o.kind === 'string' && o.kind.endsWith('List') && Array.isArray(o.items) ? o.items.map(asRecord).filter((i): i is Json => i !== undefined) : [o];
  });
  const out: WorkloadPod[] = [];
  for (const o of objects) {
    const meta = asRecord(o.metadata);
    if (typeof meta?.name !== 'string' || typeof o.kind !== 'string') continue;
    const isPod = o.kind === 'Pod';
    if (!isPod && !CONTROLLERS.has(o.kind)) continue;
    const template = isPod ? o : asRecord(asRecord(o.spec)?.template);
    const labels = labelsOf(asRecord(template?.metadata));
    if (labels === null) continue;
    const podSpec = asRecord(template?.spec);
    const namespace = typeof meta.namespace === 'string' ? meta.namespace : policyNamespace ?? 'default';
    out.push({ namespace, name: isPod ? meta.name : `${o.kind.toLowerCase()}/${meta.name}`, phase: 'Running', hostNetwork: podSpec?.hostNetwork === true, labels });
    if (out.length >= MAX_PODS) break;
  }
  return out;
}
