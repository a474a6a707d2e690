// `cilium-dbg endpoint list` (`cilium endpoint list` before 1.15) → the node's endpoints, and from them the pods the
// policy runbooks select against (the `workloads` fact). The table, as quoted in cilium/cilium PR #4942 and #7958:
//   ENDPOINT   POLICY (ingress)   POLICY (egress)   IDENTITY   LABELS (source:key[=value])   IPv6   IPv4   STATUS
//              ENFORCEMENT        ENFORCEMENT
//   11230      Enabled            Disabled          4304       k8s:app=details   f00d::a0a:0:0:2bde   10.10.0.127   regenerating
//                                                              k8s:io.kubernetes.pod.namespace=default
// one label per line, continuation lines under the LABELS column. Enforcement per direction is what
// policy-default-deny needs to know; the labels are the endpoint's identity labels (what selectors match). Pure.
import type { WorkloadPod } from '../evidence.ts';

export const ENDPOINT_LIST_HEADER = /^\s*ENDPOINT\s+POLICY \(ingress\)\s+POLICY \(egress\)\s+IDENTITY\s+LABELS\b/;
const SECOND_HEADER = /^\s*ENFORCEMENT\s+ENFORCEMENT\s*$/;
const ENFORCEMENT = String.raw`(Enabled|Disabled)(?: \([A-Za-z]+\))?`;
const ROW = new RegExp(String.raw`^\s*(\d+)\s+${ENFORCEMENT}\s+${ENFORCEMENT}\s+(\d+)\s+(\S+)(.*)$`);
/** A label line under the LABELS column: `source:key[=value]` alone on its line. */
const LABEL_LINE = /^\s+((?:k8s|reserved|any|container|unspec|cidr|fqdn|cni):\S+)\s*$/;
const NAMESPACE_LABEL = 'k8s:io.kubernetes.pod.namespace';

export interface EndpointRow {
  id: number;
  ingressEnforced: boolean;
  egressEnforced: boolean;
  identity: number;
  labels: string[];
  /** The STATUS column: ready, regenerating, waiting-for-identity, not-ready, disconnecting… */
  state: string;
}

/** Lines of an endpoint list table starting at the header at `i`: the index after its last line. */
export function endpointListEnd(lines: readonly string[], i: number): number {
  let end = i + 1;
  if (SECOND_HEADER.test(lines[end] ?? '')) end++;
  while (end < lines.length && (ROW.test(lines[end] ?? '') || LABEL_LINE.test(lines[end] ?? ''))) end++;
  return end;
}

export function parseEndpointList(lines: readonly string[]): EndpointRow[] {
  const out: EndpointRow[] = [];
  for (const line of lines) {
    const row = ROW.exec(line);
    if (row !== null) {
      const rest = (row[6] ?? '').trim().split(/\s+/).filter((t) => t !== '');
      out.push({
        id: Number(row[1]), ingressEnforced: row[2] === 'Enabled', egressEnforced: row[3] === 'Enabled', identity: Number(row[4]),
        labels: [row[5] ?? ''], state: rest[rest.length - 1] ?? '',
      });
      continue;
    }
    const label = LABEL_LINE.exec(line)?.[1];
    if (label !== undefined) out[out.length - 1]?.labels.push(label);
  }
  return out;
}

/**
 * The pods among the endpoints (those with a pod namespace label), as the `workloads` fact: named by endpoint id (the
 * table has no pod names), labels without their `k8s:` source, the namespace from its label. An endpoint that is not
 * being torn down is a running pod.
 */
export function workloadsFromEndpoints(rows: readonly EndpointRow[]): WorkloadPod[] {
  const out: WorkloadPod[] = [];
  for (const r of rows) {
    const ns = r.labels.find((l) => l.startsWith(`${NAMESPACE_LABEL}=`))?.slice(NAMESPACE_LABEL.length + 1);
    if (ns === undefined) continue;
    const labels: Record<string, string> = {};
    for (const l of r.labels) {
      const m = /^k8s:([^=]+)=(.*)$/.exec(l);
      if (m?.[1] === undefined || m[1].startsWith('io.kubernetes.pod.namespace') || m[1].startsWith('io.cilium.k8s.')) continue;
      labels[m[1]] = m[2] ?? '';
    }
    out.push({ namespace: ns, name: `endpoint ${r.id}`, phase: /^disconnect/.test(r.state) ? 'Succeeded' : 'Running', hostNetwork: false, labels });
  }
  return out;
}
