// Per-kind columns kubectl prints (kubernetes pkg/printers/internalversion/printers.go), as cell functions.
import type { KubeObject } from '../scenario/schema.ts';
import { ageOf } from './human-time.ts';
import { podStatusCells } from './pod-status.ts';
import { asRecord } from './resources.ts';

export interface Column {
  name: string;
  type: 'string' | 'integer' | 'date' | 'number' | 'boolean';
  priority?: number;
  format?: string;
  cell: (obj: KubeObject) => unknown;
}

const rec = asRecord;
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? (v as unknown[]) : []);
const str = (v: unknown, fallback = '<none>'): string => (typeof v === 'string' && v !== '' ? v : fallback);
const int = (v: unknown): number => (typeof v === 'number' ? v : 0);

export const nameColumn: Column = { name: 'Name', type: 'string', format: 'name', cell: (o) => o.metadata.name };
export const ageColumn: Column = { name: 'Age', type: 'string', cell: (o) => ageOf(o.metadata['creationTimestamp']) };

function containers(o: KubeObject): Array<Record<string, unknown>> {
  return arr(rec(rec(rec(rec(o)['spec'])['template'])['spec'])['containers']).map(rec);
}

function selectorString(selector: unknown): string {
  const labels = Object.entries(rec(rec(selector)['matchLabels'])).map(([k, v]) => `${k}=${String(v)}`);
  return labels.length > 0 ? labels.join(',') : '<none>';
}

const workloadWide: Column[] = [
  { name: 'Containers', type: 'string', priority: 1, cell: (o) => containers(o).map((c) => str(c['name'], '')).join(',') },
  { name: 'Images', type: 'string', priority: 1, cell: (o) => containers(o).map((c) => str(c['image'], '')).join(',') },
  { name: 'Selector', type: 'string', priority: 1, cell: (o) => selectorString(rec(rec(o)['spec'])['selector']) },
];

const status = (o: KubeObject): Record<string, unknown> => rec(rec(o)['status']);
const spec = (o: KubeObject): Record<string, unknown> => rec(rec(o)['spec']);

function nodeStatus(o: KubeObject): string {
  const ready = arr(status(o)['conditions']).map(rec).find((c) => c['type'] === 'Ready');
  const parts = [ready === undefined ? 'Unknown' : ready['status'] === 'True' ? 'Ready' : 'NotReady'];
  if (spec(o)['unschedulable'] === true) parts.push('SchedulingDisabled');
  return parts.join(',');
}

function nodeRoles(o: KubeObject): string {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(o.metadata.labels ?? {})) {
    if (k.startsWith('node-role.kubernetes.io/')) roles.add(k.slice('node-role.kubernetes.io/'.length));
    else if (k === 'kubernetes.io/role' && v !== '') roles.add(v);
  }
  return roles.size > 0 ? [...roles].sort().join(',') : '<none>';
}

function nodeAddress(o: KubeObject, type: string): string {
  const address = arr(status(o)['addresses']).map(rec).find((a) => a['type'] === type);
  return str(address?.['address']);
}

const nodeInfo = (o: KubeObject): Record<string, unknown> => rec(status(o)['nodeInfo']);

const byKind: Record<string, Column[]> = {
  Node: [
    nameColumn,
    { name: 'Status', type: 'string', cell: nodeStatus },
    { name: 'Roles', type: 'string', cell: nodeRoles },
    ageColumn,
    { name: 'Version', type: 'string', cell: (o) => str(nodeInfo(o)['kubeletVersion'], '') },
    { name: 'Internal-IP', type: 'string', priority: 1, cell: (o) => nodeAddress(o, 'InternalIP') },
    { name: 'External-IP', type: 'string', priority: 1, cell: (o) => nodeAddress(o, 'ExternalIP') },
    { name: 'OS-Image', type: 'string', priority: 1, cell: (o) => str(nodeInfo(o)['osImage'], '<unknown>') },
    { name: 'Kernel-Version', type: 'string', priority: 1, cell: (o) => str(nodeInfo(o)['kernelVersion'], '<unknown>') },
    { name: 'Container-Runtime', type: 'string', priority: 1, cell: (o) => str(nodeInfo(o)['containerRuntimeVersion'], '<unknown>') },
  ],
  Pod: [
    nameColumn,
    { name: 'Ready', type: 'string', cell: (o) => podStatusCells(o).ready },
    { name: 'Status', type: 'string', cell: (o) => podStatusCells(o).reason },
    { name: 'Restarts', type: 'string', cell: (o) => podStatusCells(o).restarts },
    ageColumn,
    { name: 'IP', type: 'string', priority: 1, cell: (o) => str(status(o)['podIP']) },
    { name: 'Node', type: 'string', priority: 1, cell: (o) => str(spec(o)['nodeName']) },
    { name: 'Nominated Node', type: 'string', priority: 1, cell: (o) => str(status(o)['nominatedNodeName']) },
    { name: 'Readiness Gates', type: 'string', priority: 1, cell: (o) => (arr(spec(o)['readinessGates']).length > 0 ? `0/${arr(spec(o)['readinessGates']).length}` : '<none>') },
  ],
  DaemonSet: [
    nameColumn,
    { name: 'Desired', type: 'integer', cell: (o) => int(status(o)['desiredNumberScheduled']) },
    { name: 'Current', type: 'integer', cell: (o) => int(status(o)['currentNumberScheduled']) },
    { name: 'Ready', type: 'integer', cell: (o) => int(status(o)['numberReady']) },
    { name: 'Up-to-date', type: 'integer', cell: (o) => int(status(o)['updatedNumberScheduled']) },
    { name: 'Available', type: 'integer', cell: (o) => int(status(o)['numberAvailable']) },
    { name: 'Node Selector', type: 'string', cell: (o) => {
      const sel = Object.entries(rec(rec(rec(spec(o)['template'])['spec'])['nodeSelector'])).map(([k, v]) => `${k}=${String(v)}`);
      return sel.length > 0 ? sel.join(',') : '<none>';
    } },
    ageColumn,
    ...workloadWide,
  ],
  Deployment: [
    nameColumn,
    { name: 'Ready', type: 'string', cell: (o) => `${int(status(o)['readyReplicas'])}/${typeof spec(o)['replicas'] === 'number' ? int(spec(o)['replicas']) : 1}` },
    { name: 'Up-to-date', type: 'integer', cell: (o) => int(status(o)['updatedReplicas']) },
    { name: 'Available', type: 'integer', cell: (o) => int(status(o)['availableReplicas']) },
    ageColumn,
    ...workloadWide,
  ],
  StatefulSet: [
    nameColumn,
    { name: 'Ready', type: 'string', cell: (o) => `${int(status(o)['readyReplicas'])}/${typeof spec(o)['replicas'] === 'number' ? int(spec(o)['replicas']) : 1}` },
    ageColumn,
    ...workloadWide.slice(0, 2),
  ],
  ReplicaSet: [
    nameColumn,
    { name: 'Desired', type: 'integer', cell: (o) => int(spec(o)['replicas']) },
    { name: 'Current', type: 'integer', cell: (o) => int(status(o)['replicas']) },
    { name: 'Ready', type: 'integer', cell: (o) => int(status(o)['readyReplicas']) },
    ageColumn,
    ...workloadWide,
  ],
  Service: [
    nameColumn,
    { name: 'Type', type: 'string', cell: (o) => str(spec(o)['type'], 'ClusterIP') },
    { name: 'Cluster-IP', type: 'string', cell: (o) => str(spec(o)['clusterIP']) },
    { name: 'External-IP', type: 'string', cell: (o) => {
      const ips = arr(spec(o)['externalIPs']).map(String);
      return ips.length > 0 ? ips.join(',') : '<none>';
    } },
    { name: 'Port(s)', type: 'string', cell: (o) => {
      const ports = arr(spec(o)['ports']).map(rec).map((p) => `${int(p['port'])}${typeof p['nodePort'] === 'number' ? `:${p['nodePort']}` : ''}/${str(p['protocol'], 'TCP')}`);
      return ports.length > 0 ? ports.join(',') : '<none>';
    } },
    ageColumn,
    { name: 'Selector', type: 'string', priority: 1, cell: (o) => {
      const sel = Object.entries(rec(spec(o)['selector'])).map(([k, v]) => `${k}=${String(v)}`);
      return sel.length > 0 ? sel.join(',') : '<none>';
    } },
  ],
  ConfigMap: [
    nameColumn,
    { name: 'Data', type: 'integer', cell: (o) => Object.keys(rec(rec(o)['data'])).length + Object.keys(rec(rec(o)['binaryData'])).length },
    ageColumn,
  ],
  Secret: [
    nameColumn,
    { name: 'Type', type: 'string', cell: (o) => str(rec(o)['type'], 'Opaque') },
    { name: 'Data', type: 'integer', cell: (o) => Object.keys(rec(rec(o)['data'])).length },
    ageColumn,
  ],
  // printers.go leaseColumnDefinitions: Name, Holder (spec.holderIdentity), Age.
  Lease: [
    nameColumn,
    { name: 'Holder', type: 'string', cell: (o) => str(spec(o)['holderIdentity'], '') },
    ageColumn,
  ],
  Namespace: [
    nameColumn,
    { name: 'Status', type: 'string', cell: (o) => str(status(o)['phase'], 'Active') },
    ageColumn,
  ],
  Event: [
    { name: 'Last Seen', type: 'string', cell: (o) => ageOf(rec(o)['lastTimestamp'] ?? rec(o)['eventTime'] ?? o.metadata['creationTimestamp']) },
    { name: 'Type', type: 'string', cell: (o) => str(rec(o)['type'], '') },
    { name: 'Reason', type: 'string', cell: (o) => str(rec(o)['reason'], '') },
    { name: 'Object', type: 'string', cell: (o) => {
      const involved = rec(rec(o)['involvedObject'] ?? rec(o)['regarding']);
      return `${str(involved['kind'], '').toLowerCase()}/${str(involved['name'], '')}`;
    } },
    { name: 'Message', type: 'string', cell: (o) => str(rec(o)['message'] ?? rec(o)['note'], '') },
  ],
};

export function columnsForKind(kind: string): Column[] | undefined {
  return byKind[kind];
}
