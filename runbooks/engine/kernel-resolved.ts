// The upstream version a node's kernel stands for, from `uname -r`, the osImage and (when read) /proc/version, and a
// three-way comparison with a minimum: meets, below, or unknown when the vendor's number hides the patch level.
import { compareTriples, effectiveKernel, formatTriple, parseKernelVersion, type KernelTriple, type KernelVersion } from './kernel-version.ts';
import { recogniseScheme, type KernelScheme } from './kernel-vendor.ts';

/** What the agent exec read from procfs (evidence `hostKernel`). */
export interface HostKernelReading {
  procVersion: string;
  versionSignature?: string | undefined;
}

export interface ResolvedKernel {
  parsed: KernelVersion;
  scheme: KernelScheme;
  /** The lowest upstream version this kernel can be; the exact one when `exact`. */
  version: KernelTriple;
  /** False: the real patch level may be higher within the same major.minor (an ABI or base number). */
  exact: boolean;
  /** Counted as this version because Cilium's docs say so (RHEL 8.x): comparisons are likely, not certain. */
  docsEquivalent: boolean;
  /** Which number was used and where it came from, for evidence quotes. */
  basis: string;
  /** When the real patch level exists but was not read: where to read it. */
  readPatchWith: string | null;
}

export type KernelVerdict = 'meets' | 'below' | 'unknown';

const UNBOUNDED = Number.MAX_SAFE_INTEGER;

/** Resolves `uname -r` (+ osImage, + /proc/version read inside the agent); null when it is not a kernel version. */
export function resolveKernel(kernelVersion: string, osImage = '', host: HostKernelReading | null = null): ResolvedKernel | null {
  const parsed = parseKernelVersion(kernelVersion);
  if (parsed === null) return null;
  const scheme = recogniseScheme(parsed, osImage);
  const base = { parsed, scheme, docsEquivalent: false, readPatchWith: null };
  const rhel = effectiveKernel(parsed);
  if (rhel.vendorNote !== null) return { ...base, version: rhel.version, exact: true, docsEquivalent: true, basis: rhel.vendorNote };
  const uname: KernelTriple = [parsed.major, parsed.minor, parsed.patch];
  if (scheme.patch === 'upstream') return { ...base, version: uname, exact: true, basis: `upstream ${formatTriple(uname)} from uname -r` };
  const real = host === null ? null : realPatchLevel(parsed, scheme, host);
  if (real !== null) {
    return { ...base, version: real.version, exact: true, basis: `upstream ${formatTriple(real.version)} from ${real.source} (${scheme.label}'s uname -r carries an ABI number)` };
  }
  if (scheme.patch === 'base') {
    return { ...base, version: uname, exact: false, basis: `${scheme.label} base ${formatTriple(uname)}: fixes are backported without raising the patch level` };
  }
  const where = scheme.realPatchFrom ?? '/proc/version';
  return {
    ...base, version: uname, exact: false, readPatchWith: `cat ${where}`,
    basis: `${scheme.label} ABI number: uname -r says ${formatTriple(uname)}, the upstream ${parsed.major}.${parsed.minor} patch level is only in ${where}`,
  };
}

/**
 * The upstream patch level the vendor wrote into procfs, if this reading belongs to this kernel: Debian after the
 * build number in /proc/version ("#1 SMP Debian 4.19.249-2 (2022-06-30)"; the gcc part before it also says
 * "Debian"), Ubuntu in /proc/version_signature ("Ubuntu 5.15.0-57.63-generic 5.15.74") or the boot banner's copy.
 */
function realPatchLevel(k: KernelVersion, scheme: KernelScheme, host: HostKernelReading): { version: KernelTriple; source: string } | null {
  if (!host.procVersion.startsWith(`Linux version ${k.raw} `)) return null;
  const candidates: [RegExpExecArray | null, string][] = scheme.id === 'debian'
    ? [[/#\d+\S*\s.*?\bDebian (\d+)\.(\d+)\.(\d+)/.exec(host.procVersion), '/proc/version']]
    : [[/^Ubuntu \S+ (\d+)\.(\d+)\.(\d+)/.exec(host.versionSignature?.trim() ?? ''), '/proc/version_signature'],
      [/\(Ubuntu \S+ (\d+)\.(\d+)\.(\d+)\)/.exec(host.procVersion), '/proc/version']];
  for (const [m, source] of candidates) {
    if (m === null) continue;
    const version: KernelTriple = [Number(m[1]), Number(m[2]), Number(m[3])];
    // A different series is not this kernel's number (a package version, a misread line): ignore it.
    if (version[0] === k.major && version[1] === k.minor) return { version, source };
  }
  return null;
}

/** Lowest and highest upstream versions the kernel can be. */
export function kernelRange(k: ResolvedKernel): { low: KernelTriple; high: KernelTriple } {
  return { low: k.version, high: k.exact ? k.version : [k.version[0], k.version[1], UNBOUNDED] };
}

/** Below `min` for certain, at or above it, or unknown (same major.minor, patch hidden by the vendor's numbering). */
export function verdictFor(k: ResolvedKernel, min: KernelTriple): KernelVerdict {
  const { low, high } = kernelRange(k);
  if (compareTriples(low, min) >= 0) return 'meets';
  return compareTriples(high, min) < 0 ? 'below' : 'unknown';
}

/** "4.19.249", or "4.19.x" / "5.14.21 or later" when the patch level is hidden. */
export function upstreamText(k: ResolvedKernel): string {
  if (k.exact) return formatTriple(k.version);
  return k.scheme.patch === 'abi' ? `${k.version[0]}.${k.version[1]}.x` : `${formatTriple(k.version)} or later`;
}
