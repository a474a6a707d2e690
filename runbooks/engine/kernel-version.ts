// Parsing and comparing `uname -r` strings, including vendor kernels whose number understates their features.
// Fact sheet §1.1: 1.13–1.15 accept "4.18 on RHEL8"; 1.16–1.17 need "5.4 or RHEL 8.6"; 1.18+ "4.18 on RHEL 8.10"
// (cilium/cilium Documentation/operations/system_requirements.rst@fee7215c5f87 and @00c88111b78b; CFP #30456).

export interface KernelVersion {
  major: number;
  minor: number;
  patch: number;
  /** Everything after the numeric part, e.g. "-553.el8_10.x86_64", "-1051-azure". */
  suffix: string;
  raw: string;
  /** RHEL-family 8 minor release (8.6 → 6) deduced from the 4.18.0-NNN build number; null otherwise. */
  rhel8Minor: number | null;
}

export type KernelTriple = readonly [number, number, number];

/**
 * RHEL 8 point releases by the first 4.18.0-NNN build they shipped (Red Hat's "RHEL release dates" table).
 * Rocky, Alma, Oracle RHCK and CentOS Stream 8 use the same builds.
 */
const RHEL8_BUILDS: readonly (readonly [build: number, minor: number])[] = [
  [553, 10], [513, 9], [477, 8], [425, 7], [372, 6], [348, 5], [305, 4], [240, 3], [193, 2], [147, 1], [80, 0],
];

/** Parses "4.14.336-257.566.amzn2.x86_64", "5.15.0-1051-azure", "6.1.0-18-cloud-amd64", "6.18"; null if not a kernel. */
export function parseKernelVersion(raw: string): KernelVersion | null {
  const m = /^\s*v?(\d{1,3})\.(\d{1,4})(?:\.(\d{1,6}))?(.*)$/s.exec(raw);
  if (m === null) return null;
  const major = Number(m[1]);
  const minor = Number(m[2]);
  const patch = m[3] === undefined ? 0 : Number(m[3]);
  const suffix = (m[4] ?? '').trim();
  if (suffix !== '' && !/^[-+_.~]/.test(suffix)) return null;
  return { major, minor, patch, suffix, raw: raw.trim(), rhel8Minor: rhel8MinorOf(major, minor, patch, suffix) };
}

function rhel8MinorOf(major: number, minor: number, patch: number, suffix: string): number | null {
  if (major !== 4 || minor !== 18 || patch !== 0) return null;
  const m = /^-(\d+)[.\w-]*\.el8(?:_(\d+))?/.exec(suffix);
  if (m === null) return null;
  // The `el8_N` suffix names the release directly; otherwise deduce it from the build number.
  if (m[2] !== undefined) return Number(m[2]);
  const build = Number(m[1]);
  for (const [first, rhelMinor] of RHEL8_BUILDS) if (build >= first) return rhelMinor;
  return 0;
}

/** Parses "5.10", "4.19.57", "5.1.0" into a triple; null otherwise. */
export function parseTriple(text: string): KernelTriple | null {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (m === null) return null;
  return [Number(m[1]), Number(m[2]), m[3] === undefined ? 0 : Number(m[3])];
}

export function compareTriples(a: KernelTriple, b: KernelTriple): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

export function formatTriple(t: KernelTriple): string {
  return `${t[0]}.${t[1]}.${t[2]}`;
}

export function tripleOf(k: KernelVersion): KernelTriple {
  return [k.major, k.minor, k.patch];
}

/**
 * The upstream version a kernel counts as for Cilium's requirements, with why. RHEL 8.10 counts as 5.10 and
 * RHEL 8.6 as 5.4 because Cilium's docs say so; any other RHEL 8 build counts as 4.19.57 (the 1.13–1.15 wording).
 */
export function effectiveKernel(k: KernelVersion): { version: KernelTriple; vendorNote: string | null } {
  if (k.rhel8Minor === null) return { version: tripleOf(k), vendorNote: null };
  const release = `RHEL 8.${k.rhel8Minor}`;
  if (k.rhel8Minor >= 10) return { version: [5, 10, 0], vendorNote: `${release} kernel, treated as 5.10 per Cilium's system requirements` };
  if (k.rhel8Minor >= 6) return { version: [5, 4, 0], vendorNote: `${release} kernel, treated as 5.4 per Cilium's system requirements` };
  return { version: [4, 19, 57], vendorNote: `${release} kernel, treated as 4.19.57 ("4.18 on RHEL8") per Cilium's system requirements` };
}

/** "4.14.336-257.566.amzn2.x86_64" → "4.14": how peers are grouped ("run kernel 4.14"). */
export function kernelSeries(k: KernelVersion): string {
  return `${k.major}.${k.minor}`;
}
