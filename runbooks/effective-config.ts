// The configuration the agent runs with on this node: cilium-config with the node's CiliumNodeConfig overrides on
// top (the `config` init container's `cilium-dbg build-config` merges them the same way; docs.cilium.io
// configuration/per-node-config). analyze() hands runbooks this view, so a per-node `kube-proxy-replacement` or
// `enable-bandwidth-manager` is judged as the agent sees it; configSource() says where a value came from.
import type { Evidence } from './evidence.ts';

export function withEffectiveConfig(e: Evidence): Evidence {
  if (!e.ciliumConfig.ok || !e.configOverrides.ok || e.configOverrides.value.length === 0) return e;
  const merged: Record<string, string> = { ...e.ciliumConfig.value };
  for (const o of e.configOverrides.value) Object.assign(merged, o.defaults);
  return { ...e, ciliumConfig: { ok: true, value: merged } };
}

/** "CiliumNodeConfig kube-system/kpr-rollout" when an override sets the key for this node, else the ConfigMap. */
export function configSource(e: Evidence, key: string): string {
  const o = e.configOverrides.ok ? [...e.configOverrides.value].reverse().find((c) => key in c.defaults) : undefined;
  return o === undefined ? 'cilium-config ConfigMap' : `${o.kind} ${o.namespace}/${o.name} (overrides cilium-config on this node)`;
}
