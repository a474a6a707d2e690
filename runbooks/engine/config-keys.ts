// cilium-config keys and values as releases spelled them, so a runbook asks for today's key and gets the answer from
// whichever spelling the agent's release used: `tunnel` (≤1.14) vs `routing-mode` + `tunnel-protocol` (1.14+),
// `enable-host-reachable-services` (≤1.12) vs `bpf-lb-sock`, kube-proxy-replacement's `strict`/`partial` vs
// `true`/`false`. Pure data and lookups; the sources are named per entry.

export interface ConfigKeyAlias {
  /** The key a runbook asks for. */
  key: string;
  /** Another key that answers it when `key` is absent. */
  from: string;
  /** `from`'s value (trimmed, lower-case) in `key`'s terms; null when it has none. */
  translate: (value: string) => string | null;
  /** The release that introduced `key` (null: unknown) and the one that removed `from` (null: not removed or unknown). */
  since: string | null;
  removedIn: string | null;
  source: string;
}

const TUNNEL_PROTOCOLS = new Set(['vxlan', 'geneve']);

export const configKeyAliases: readonly ConfigKeyAlias[] = [
  // `--tunnel` split into `--routing-mode` and `--tunnel-protocol` (PR #24561, 1.14); `tunnel` removed (PR #29053, 1.15).
  {
    key: 'routing-mode', from: 'tunnel', since: '1.14', removedIn: '1.15', source: 'cilium/cilium PR #24561, PR #29053',
    translate: (v) => (v === 'disabled' ? 'native' : TUNNEL_PROTOCOLS.has(v) ? 'tunnel' : null),
  },
  {
    key: 'tunnel-protocol', from: 'tunnel', since: '1.14', removedIn: '1.15', source: 'cilium/cilium PR #24561, PR #29053',
    translate: (v) => (TUNNEL_PROTOCOLS.has(v) ? v : null),
  },
  // No alias fills the old keys from the new ones: a config holding both `tunnel` and `routing-mode` is itself a
  // finding (known-issues/kernel-combinations.ts 'tunnel-and-routing-mode'), so `tunnel` must only ever be what the user wrote.
  // "host-reachable services" renamed socket LB (PR #20369, 1.12); the old option removed in 1.13 (PR #22083, #22077).
  {
    key: 'bpf-lb-sock', from: 'enable-host-reachable-services', since: '1.12', removedIn: '1.13', source: 'cilium/cilium PR #20369, PR #22083',
    translate: (v) => (v === 'true' || v === 'false' ? v : null),
  },
  // The legacy inverse option (pkg/option/config.go@0001a69b: LegacyDisableIPv4Name = "disable-ipv4").
  {
    key: 'enable-ipv4', from: 'disable-ipv4', since: null, removedIn: null, source: 'cilium/cilium pkg/option/config.go@0001a69b',
    translate: (v) => (v === 'true' ? 'false' : v === 'false' ? 'true' : null),
  },
];

/**
 * Old values of a key in today's terms. kube-proxy-replacement: `true` replaced `strict`, `false` replaced `partial`
 * and `disabled` (PR #26577, 1.14; old values removed in 1.16, PR #31286). `probe` (removed in 1.13, PR #22083)
 * enabled whatever the kernel supported, so it has no boolean equivalent: unknown.
 */
export const configValueAliases: Readonly<Record<string, Readonly<Record<string, string | null>>>> = {
  'kube-proxy-replacement': { strict: 'true', partial: 'false', disabled: 'false', probe: null },
};

/** The trimmed value of `key`, or null when absent or empty (an empty value means the agent's default). */
function present(config: Readonly<Record<string, string>>, key: string): string | null {
  const v = Object.hasOwn(config, key) ? config[key]?.trim() : undefined;
  return v === undefined || v === '' ? null : v;
}

function inTodaysTerms(key: string, value: string): string | null {
  const aliases = Object.hasOwn(configValueAliases, key) ? configValueAliases[key] : undefined;
  const lower = value.toLowerCase();
  return aliases !== undefined && Object.hasOwn(aliases, lower) ? (aliases[lower] ?? null) : value;
}

/**
 * The value a release's agent runs with for `key`, read from whichever spelling the config holds (`key` itself
 * first), in today's terms; null when no spelling is set or the old value has no equivalent.
 */
export function effectiveConfigValue(config: Readonly<Record<string, string>>, key: string): string | null {
  const own = present(config, key);
  if (own !== null) return inTodaysTerms(key, own);
  for (const alias of configKeyAliases) {
    if (alias.key !== key) continue;
    const old = present(config, alias.from);
    const translated = old === null ? null : alias.translate(old.toLowerCase());
    if (translated !== null) return inTodaysTerms(key, translated);
  }
  return null;
}

/**
 * The config with every aliased key it lacks filled in from another spelling (values already there are kept as
 * written, so findings quote what the user set).
 */
export function withEffectiveKeys(config: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = { ...config };
  for (const { key } of configKeyAliases) {
    if (present(out, key) !== null) continue;
    const v = effectiveConfigValue(config, key);
    if (v !== null) out[key] = v;
  }
  return out;
}
