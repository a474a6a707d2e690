// Small builders for the kernel and config constraints the known-issue tables use, so each entry reads as data.
import type { Evidence, Platform } from '../../engine/evidence.ts';
import { compareTriples, type KernelTriple } from '../../engine/kernel-version.ts';
import type { EvidenceConstraint, KernelConstraint } from './schema.ts';

const fmt = (t: KernelTriple): string => t.join('.');

/** Upstream kernel in [lo, hi). */
export function kernelBetween(lo: KernelTriple, hi: KernelTriple): KernelConstraint {
  return { describe: `${fmt(lo)} ≤ kernel < ${fmt(hi)}`, test: (_raw, k) => compareTriples(k, lo) >= 0 && compareTriples(k, hi) < 0 };
}

/** `uname -r` starts with this build string (vendor point releases whose numbering says nothing upstream). */
export function unameStartsWith(prefix: string): KernelConstraint {
  return { describe: `uname -r ${prefix}*`, test: (raw) => raw.startsWith(prefix) };
}

/** `uname -r` matches (distribution flavours: -raspi, WSL2, el8_10). */
export function unameMatches(re: RegExp, describe: string): KernelConstraint {
  return { describe, test: (raw) => re.test(raw) };
}

function configOf(e: Evidence, key: string): string | null | undefined {
  if (!e.ciliumConfig.ok) return undefined;
  const v = e.ciliumConfig.value[key];
  return v === undefined ? null : v.trim().toLowerCase();
}

/** cilium-config `key` is "true"; null when cilium-config could not be read. */
export function configOn(key: string): EvidenceConstraint {
  return { describe: `${key}=true`, test: (e) => { const v = configOf(e, key); return v === undefined ? null : v === 'true'; } };
}

/** cilium-config `key` is one of `values` (lower-case). */
export function configIn(key: string, values: readonly string[]): EvidenceConstraint {
  return { describe: `${key} ∈ {${values.join(', ')}}`, test: (e) => { const v = configOf(e, key); return v === undefined ? null : v !== null && values.includes(v); } };
}

/** Both keys are set in cilium-config. */
export function configBothSet(a: string, b: string): EvidenceConstraint {
  return { describe: `both ${a} and ${b} set`, test: (e) => { const x = configOf(e, a); const y = configOf(e, b); return x === undefined ? null : x !== null && y !== null && y !== undefined; } };
}

/** cilium-config `key` is set to any non-empty value (e.g. `kvstore`). */
export function configSet(key: string): EvidenceConstraint {
  return { describe: `${key} set`, test: (e) => { const v = configOf(e, key); return v === undefined ? null : v !== null && v !== ''; } };
}

/** The collector recognised this managed platform (node labels, DaemonSet name); null when the install was not read. */
export function platformIs(platform: Platform): EvidenceConstraint {
  return { describe: `platform ${platform}`, test: (e) => (e.install.ok ? e.install.value.platform === platform : null) };
}

/** kube-proxy runs in this mode on the node. */
export function kubeProxyMode(mode: 'iptables' | 'ipvs' | 'nftables'): EvidenceConstraint {
  return { describe: `kube-proxy in ${mode} mode`, test: (e) => (e.kubeProxy.ok ? e.kubeProxy.value.mode === mode : null) };
}

/** Every constraint holds (null if none is false and one is unknown). */
export function allOf(...cs: EvidenceConstraint[]): EvidenceConstraint {
  return {
    describe: cs.map((c) => c.describe).join(' and '),
    test: (e) => {
      let unknown = false;
      for (const c of cs) { const r = c.test(e); if (r === false) return false; if (r === null) unknown = true; }
      return unknown ? null : true;
    },
  };
}
