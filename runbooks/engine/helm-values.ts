// Renders a Helm values diff from dotted paths, so several fixes touching one block (bandwidthManager.enabled,
// bandwidthManager.bbr) merge into valid YAML instead of repeating keys.
import { stringify } from 'yaml';

export type HelmValuePaths = Record<string, string | number | boolean>;

export function renderHelmValues(...sets: HelmValuePaths[]): string {
  const root: Record<string, unknown> = {};
  for (const set of sets) {
    for (const [path, value] of Object.entries(set)) {
      const keys = path.split('.');
      let node = root;
      keys.forEach((key, i) => {
        if (i === keys.length - 1) {
          node[key] = value;
          return;
        }
        const next = node[key];
        if (typeof next === 'object' && next !== null) node = next as Record<string, unknown>;
        else {
          const created: Record<string, unknown> = {};
          node[key] = created;
          node = created;
        }
      });
    }
  }
  return stringify(root).trimEnd();
}
