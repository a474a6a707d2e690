// Drift between agents: different Cilium versions or images across the DaemonSet's pods (a stuck rollout, a
// node pinned to an old image), and the same cilium-config yielding different features on different kernels.
// Pure: no I/O.
import { missingFeatures, type FleetNode } from './fleet-node.ts';

export interface DriftVariant {
  value: string;
  count: number;
  /** Up to `sample` node names, for the drill-down. */
  nodes: string[];
}

export interface FleetDrift {
  versions: DriftVariant[];
  images: DriftVariant[];
  /** Nodes grouped by the enabled features their kernel cannot provide ("" = none missing). */
  features: DriftVariant[];
  sentences: string[];
}

/** Counts values per node, most common first, keeping at most `sample` names each (memory stays bounded). */
export class VariantCounter {
  private readonly map = new Map<string, DriftVariant>();
  constructor(private readonly sample = 20) {}
  add(value: string, node: string): void {
    let v = this.map.get(value);
    if (v === undefined) {
      v = { value, count: 0, nodes: [] };
      this.map.set(value, v);
    }
    v.count += 1;
    if (v.nodes.length < this.sample) v.nodes.push(node);
  }
  variants(): DriftVariant[] {
    return [...this.map.values()].sort((a, b) => b.count - a.count || a.value.localeCompare(b.value));
  }
}

const n = (x: number): string => x.toLocaleString('en-US');

function describe(list: DriftVariant[], label: (v: DriftVariant) => string): string {
  return list.map((v) => `${label(v)} on ${n(v.count)} node${v.count === 1 ? '' : 's'}`).join(', ');
}

/** Drift across the fleet; a kind with one variant (everyone agrees) adds no sentence. */
export function fleetDrift(nodes: Iterable<FleetNode>, config: Record<string, string> | null, sample = 20): FleetDrift {
  const versions = new VariantCounter(sample);
  const images = new VariantCounter(sample);
  const features = new VariantCounter(sample);
  for (const node of nodes) {
    if (node.agent !== null) {
      versions.add(node.agent.version ?? 'unknown', node.name);
      images.add(node.agent.image, node.name);
    }
    if (config !== null) features.add(missingFeatures(node, config).join(','), node.name);
  }
  const drift: FleetDrift = { versions: versions.variants(), images: images.variants(), features: features.variants(), sentences: [] };
  if (drift.versions.length > 1) {
    drift.sentences.push(`Version drift: agents run ${drift.versions.length} Cilium versions: ${describe(drift.versions, (v) => v.value)}.`);
  } else if (drift.images.length > 1) {
    drift.sentences.push(`Image drift: agents run ${drift.images.length} images of the same version: ${describe(drift.images, (v) => `\`${v.value}\``)}.`);
  }
  if (drift.features.length > 1) {
    const lacking = drift.features.filter((v) => v.value !== '');
    drift.sentences.push(
      `Feature drift: cilium-config enables features some kernels cannot provide: ${describe(lacking, (v) => `missing ${v.value.split(',').join(' + ')}`)}.`,
    );
  }
  return drift;
}
