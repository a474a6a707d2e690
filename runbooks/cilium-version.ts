// Cilium version from the agent image and config flag reading, shared by collectors and runbooks.
// Image names: quay.io/cilium/cilium:v1.15.6@sha256:… (fact sheet §3.2); vendor mirrors keep the tag.
import semver from 'semver';

/** "quay.io/cilium/cilium:v1.15.6@sha256:…" → "1.15.6"; null for digest-only or non-version tags ("latest"). */
export function ciliumVersionFromImage(image: string): string | null {
  const noDigest = image.split('@')[0] ?? '';
  const lastSlash = noDigest.lastIndexOf('/');
  const colon = noDigest.indexOf(':', lastSlash + 1);
  if (colon === -1) return null;
  const tag = noDigest.slice(colon + 1);
  const m = /^v?(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)/.exec(tag);
  return m?.[1] ?? null;
}

/** "1.15.6" → {major: 1, minor: 15}; null when unparseable. */
export function ciliumMinor(version: string): { major: number; minor: number } | null {
  const v = semver.coerce(version);
  return v === null ? null : { major: v.major, minor: v.minor };
}

/** Reads a boolean cilium-config key: true/false, or null when absent or not a boolean. */
export function configFlag(config: Record<string, string>, key: string): boolean | null {
  const raw = config[key]?.trim().toLowerCase();
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  return null;
}

/**
 * Whether kube-proxy replacement is on (fact sheet §3.1): `true` (1.14+) or the pre-1.16 `strict`.
 * `partial`/`probe`/`disabled`/`false` and absence mean kube-proxy is still expected.
 */
export function kubeProxyReplacementEnabled(config: Record<string, string>): boolean {
  const raw = config['kube-proxy-replacement']?.trim().toLowerCase();
  return raw === 'true' || raw === 'strict';
}
