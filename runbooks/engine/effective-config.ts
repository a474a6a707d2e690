// The configuration the agent runs with on this node: cilium-config with the node's CiliumNodeConfig overrides on
// top (the `config` init container's `cilium-dbg build-config` merges them the same way; docs.cilium.io
// configuration/per-node-config). analyze() hands runbooks this view, so a per-node `kube-proxy-replacement` or
// `enable-bandwidth-manager` is judged as the agent sees it; configSource() says where a value came from.
// When cilium-config cannot be read, the agent's own startup flag dump (`--key='value'` lines) stands in for it.
// Old key spellings are answered under today's names (config-keys.ts: `tunnel` → routing-mode/tunnel-protocol, …).
import type { Evidence } from './evidence.ts';
import { agentFlagsFromLogs } from './agent-flags.ts';
import { withEffectiveKeys } from './config-keys.ts';

const FROM_FLAGS = Symbol('config from the agent flag dump');
type MarkedEvidence = Evidence & { [FROM_FLAGS]?: true };

export function withEffectiveConfig(e: Evidence): Evidence {
  let base: Record<string, string> | null = e.ciliumConfig.ok ? e.ciliumConfig.value : null;
  let fromFlags = false;
  if (base === null && e.agentLogs.ok) {
    const flags = agentFlagsFromLogs(`${e.agentLogs.value.previous?.text ?? ''}\n${e.agentLogs.value.current.text}`);
    if (Object.keys(flags).length > 0) {
      base = flags;
      fromFlags = true;
    }
  }
  if (base === null) return e;
  const merged: Record<string, string> = { ...base };
  if (e.configOverrides.ok) for (const o of e.configOverrides.value) Object.assign(merged, o.defaults);
  const out: MarkedEvidence = { ...e, ciliumConfig: { ok: true, value: withEffectiveKeys(merged) } };
  if (fromFlags) out[FROM_FLAGS] = true;
  return out;
}

/**
 * "CiliumNodeConfig kube-system/kpr-rollout" when an override sets the key for this node, the agent's flag dump when
 * the ConfigMap could not be read, else the ConfigMap.
 */
export function configSource(e: Evidence, key: string): string {
  const o = e.configOverrides.ok ? [...e.configOverrides.value].reverse().find((c) => key in c.defaults) : undefined;
  if (o !== undefined) return `${o.kind} ${o.namespace}/${o.name} (overrides cilium-config on this node)`;
  return (e as MarkedEvidence)[FROM_FLAGS] === true ? 'the agent\'s startup flags (cilium-config could not be read)' : 'cilium-config ConfigMap';
}
