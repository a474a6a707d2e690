// CiliumNodeConfig: per-node overrides of cilium-config, applied by the agent's `config` init container
// (`cilium-dbg build-config`, source `cilium-node-config:<namespace>`). Objects live in Cilium's namespace and select
// nodes with a label selector; an empty selector selects every node (docs.cilium.io/en/stable/configuration/per-node-config/).
// API version cilium.io/v2 from 1.16, v2alpha1 before (the reader tries v2 first).
import type { ConfigOverride } from '../../runbooks/engine/evidence.ts';
import { selectorMatches } from '../../runbooks/engine/policy-selector.ts';

type Json = Record<string, unknown>;
const rec = (v: unknown): Json | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined);

/** The CiliumNodeConfigs that select a node with these labels, sorted by name; values kept as strings. */
export function overridesForNode(items: unknown[], nodeLabels: Record<string, string>): ConfigOverride[] {
  const out: ConfigOverride[] = [];
  for (const item of items) {
    const o = rec(item);
    const meta = rec(o?.metadata);
    const spec = rec(o?.spec);
    if (typeof meta?.name !== 'string' || spec === undefined) continue;
    const selector = spec.nodeSelector ?? {};
    // Node labels carry no namespace; a malformed selector (null) is not counted as selecting the node.
    if (selectorMatches(selector, { namespace: '', labels: nodeLabels }) !== true) continue;
    const defaults = Object.fromEntries(Object.entries(rec(spec.defaults) ?? {}).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
    out.push({ kind: typeof o?.kind === 'string' ? o.kind : 'CiliumNodeConfig', namespace: typeof meta.namespace === 'string' ? meta.namespace : '', name: meta.name, defaults });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}
