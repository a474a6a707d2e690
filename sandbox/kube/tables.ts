// `meta.k8s.io/v1 Table` responses for kubectl's human output; rows carry PartialObjectMetadata (labels, namespace)
// so --show-labels and -A work.
import type { KubeObject } from '../scenario/schema.ts';
import { ageOf, evalJsonPath } from './human-time.ts';
import type { ResourceDef } from './resources.ts';
import { ageColumn, columnsForKind, nameColumn, type Column } from './table-columns.ts';

function crdColumns(def: ResourceDef): Column[] {
  const extra = (def.printerColumns ?? []).map((c): Column => ({
    name: c.name,
    type: c.type === 'date' ? 'string' : (c.type as Column['type']),
    ...(c.priority !== undefined ? { priority: c.priority } : {}),
    cell: (o) => {
      const value = evalJsonPath(o, c.jsonPath);
      if (c.type === 'date') return value === undefined ? '<unknown>' : ageOf(value);
      if (value === undefined) return '';
      return Array.isArray(value) ? value.map(String).join(',') : typeof value === 'object' ? JSON.stringify(value) : value;
    },
  }));
  return [nameColumn, ...(extra.length > 0 ? extra : [ageColumn])];
}

export function buildTable(def: ResourceDef, objects: readonly KubeObject[], resourceVersion: string, continueToken?: string): Record<string, unknown> {
  const columns = columnsForKind(def.kind) ?? (def.custom ? crdColumns(def) : [nameColumn, ageColumn]);
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion, ...(continueToken !== undefined ? { continue: continueToken } : {}) },
    columnDefinitions: columns.map((c) => ({
      name: c.name,
      type: c.type,
      format: c.format ?? '',
      description: '',
      priority: c.priority ?? 0,
    })),
    rows: objects.map((o) => ({
      cells: columns.map((c) => c.cell(o)),
      object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata },
    })),
  };
}
