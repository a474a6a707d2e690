// The Cilium version from wherever it shows, shared by collectors and runbooks: the agent image's tag (upstream,
// mirrors, vendor builds) or, when the image is pinned by digest only (OLM ships `quay.io/cilium/cilium@sha256:…`),
// the agent's startup banner; which in-pod CLI that version ships; and boolean config flag reading.
import semver from 'semver';
import { iterateLines, parseLogLine } from './log-parser.ts';

/**
 * Pre-release suffixes of upstream tags (`v1.18.0-rc.1`, `v1.16.0-pre.3`, `v1.14.0-snapshot.4`, the older
 * `v1.12.0-rc2` of cilium/cilium#19816). Any other suffix is a vendor's build of the upstream release, e.g. AKS
 * `v1.17.15-260529` → `v1.17.17-260701` (Azure/azure-container-networking PR #4568) and the older `1.14.10-1`
 * style, or a `-gke.N` build: the runbooks' version ranges are upstream ones, so those suffixes are dropped.
 */
const UPSTREAM_PRERELEASE = /^-(?:rc|pre|snapshot|alpha|beta)\.?\d+/i;
const VERSION = /^v?(\d+\.\d+\.\d+)(-[0-9A-Za-z.-]+)?/;

/** "v1.17.15-260529" → "1.17.15"; "v1.18.0-rc.1" → "1.18.0-rc.1"; null when the text does not start with a version. */
export function upstreamVersion(text: string): string | null {
  const m = VERSION.exec(text);
  if (m === null) return null;
  const pre = UPSTREAM_PRERELEASE.exec(m[2] ?? '');
  return `${m[1] ?? ''}${pre?.[0] ?? ''}`;
}

/** The tag of an image reference (after the last `/`, so a registry port is not one); null when it has none. */
export function imageTag(image: string): string | null {
  const noDigest = image.split('@')[0] ?? '';
  const colon = noDigest.indexOf(':', noDigest.lastIndexOf('/') + 1);
  return colon === -1 ? null : noDigest.slice(colon + 1);
}

/**
 * "quay.io/cilium/cilium:v1.15.6@sha256:…" → "1.15.6"; vendor builds → their upstream release (see above);
 * null for digest-only references and tags that are not versions ("latest"): ask ciliumVersionFromLogs then.
 */
export function ciliumVersionFromImage(image: string): string | null {
  const tag = imageTag(image);
  return tag === null ? null : upstreamVersion(tag);
}

/**
 * The agent's startup banner: `Cilium <version> <revision> <date> go version <go> <os>/<arch>` (daemon/cmd
 * daemon_main.go `log.Infof("Cilium %s", version.Version)`, slog in 1.18: `logger.Info(fmt.Sprintf("Cilium %s", …))`;
 * pkg/version/version.go appends `go version %s %s/%s`). Read from msg, so every log format works. The operator's
 * `Cilium Operator …` does not match (a version must follow "Cilium").
 */
const BANNER = /^Cilium (v?\d+\.\d+\.\d+\S*) [0-9a-f]{6,40} .*\bgo version go\d/;

/** The version in the last startup banner of an agent log (the latest start), or null when there is none. */
export function ciliumVersionFromLogs(text: string): string | null {
  let found: string | null = null;
  for (const { lineNumber, raw } of iterateLines(text)) {
    if (!raw.includes('go version')) continue; // cheap: the banner ends with it
    const m = BANNER.exec(parseLogLine(raw, lineNumber).msg ?? '');
    if (m !== null) found = upstreamVersion(m[1] ?? '') ?? found;
  }
  return found;
}

/**
 * The CLI inside the agent image: `cilium` before 1.15, `cilium-dbg` from 1.15 (cilium/cilium PR #28085, "The
 * per-node `cilium` command was renamed to `cilium-dbg` for the upcoming Cilium v1.15 release": cilium-cli#1676;
 * 1.15.0-dev images no longer had `cilium`: PR #28613). An unknown version gets `cilium-dbg`: every release still
 * supported ships it, and a fix step that names it fails loudly ("executable file not found") on an older agent
 * rather than running something else.
 */
export function ciliumCliName(version: string | null): 'cilium' | 'cilium-dbg' {
  const v = version === null ? null : ciliumMinor(version);
  if (v === null) return 'cilium-dbg';
  return v.major < 1 || (v.major === 1 && v.minor < 15) ? 'cilium' : 'cilium-dbg';
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
 * Whether kube-proxy replacement is on: `true` (1.14+) or the pre-1.16 `strict` (PR #26577, removed by PR #31286).
 * `partial`/`probe`/`disabled`/`false` and absence mean kube-proxy is still expected (effectiveConfigValue in
 * config-keys.ts gives the value in today's spelling).
 */
export function kubeProxyReplacementEnabled(config: Record<string, string>): boolean {
  const raw = config['kube-proxy-replacement']?.trim().toLowerCase();
  return raw === 'true' || raw === 'strict';
}
