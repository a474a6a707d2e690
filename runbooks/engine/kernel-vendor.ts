// Vendor kernel numbering: which scheme a `uname -r` string follows, and whether its third number is the upstream
// patch level. Cilium's own agent never reads these numbers as a floor: it only compares `uname -r` with 4.8.0 and
// otherwise probes (cilium/cilium pkg/datapath/linux/requirements.go@25972d8e8c67), so a report must not turn a
// vendor's build counter into "cannot start". Sources per scheme are next to each rule below.
import type { KernelVersion } from './kernel-version.ts';

/**
 * What the third number of `uname -r` means:
 * - `upstream`: the upstream stable patch level (Amazon Linux, Bottlerocket, COS, Flatcar, Talos, Azure Linux, plain builds);
 * - `base`: the upstream release the vendor branched from; later fixes are backported without raising it (SUSE, Oracle UEK, RHEL);
 * - `abi`: always 0, the number after the dash is an ABI/build counter (Debian, Ubuntu).
 * `base` and `abi` make the patch a lower bound only.
 */
export type PatchMeaning = 'upstream' | 'base' | 'abi';

export type KernelSchemeId =
  | 'debian' | 'ubuntu' | 'rhel' | 'oracle-uek' | 'amazon-linux' | 'bottlerocket' | 'cos' | 'flatcar' | 'talos'
  | 'azure-linux' | 'suse' | 'upstream';

export interface KernelScheme {
  id: KernelSchemeId;
  /** For sentences: "Debian", "Ubuntu", "Oracle UEK", … */
  label: string;
  patch: PatchMeaning;
  /** Where the real upstream patch level can be read when `patch` is not `upstream`; null when nowhere. */
  realPatchFrom: '/proc/version' | '/proc/version_signature' | null;
}

const scheme = (id: KernelSchemeId, label: string, patch: PatchMeaning, realPatchFrom: KernelScheme['realPatchFrom'] = null): KernelScheme =>
  ({ id, label, patch, realPatchFrom });

// Debian: "4.19.0-21-amd64", "6.1.0-18-cloud-amd64", backports "5.10.0-0.deb10.16-amd64" — the upstream version is in uname -v / /proc/version after
// "Debian" ("#1 SMP Debian 4.19.260-1 (2022-09-29)"), as libbpf's get_debian_kernel_version() reads it.
const DEBIAN_FLAVOUR = /^-\d+(?:-\d+|\.deb\d+\.\d+)?-(?:cloud-|rt-)?(?:amd64|arm64|686|686-pae|armmp|armmp-lpae|powerpc64le|s390x|rpi|marvell|octeon|loongson-3|4kc-malta|5kc-malta|mips32r2el|mips64r2el)$/;
// Ubuntu: "5.4.0-1045-aws", "5.15.0-127-generic", "5.11.0-1018-gcp" — the upstream version is only in
// /proc/version_signature ("Ubuntu 5.4.0-12.15-generic 5.4.8", libbpf's get_ubuntu_kernel_version()).
const ABI_FLAVOUR = /^-\d+-[a-z][a-z0-9-]*$/;
// RHEL and rebuilds (Rocky, Alma, CentOS, Oracle RHCK): "4.18.0-553.el8_10.x86_64", "5.14.0-427.13.1.el9_4.x86_64";
// the version stays at the RHEL base for the whole major release while features are backported.
const RHEL_BUILD = /^-\d+(?:\.\d+)*\.el(\d+)(?:_\d+)?(?:\.|$)/;
const RHEL_BASES = new Set(['3.10.0', '4.18.0', '5.14.0', '6.12.0']);
// Oracle UEK: "5.4.17-2136.311.6.1.el7uek.x86_64" (cilium#21829), "5.15.0-206.153.7.1.el8uek.x86_64": UEK R6/R7
// keep the upstream base they forked from.
const UEK_BUILD = /\.el\d+uek\b/;
// Amazon Linux: "4.14.165-133.209.amzn2.x86_64" (cilium#10462), "6.1.115-126.197.amzn2023.x86_64": upstream stable
// numbers (a Cilium maintainer reads "4.19.84-33.70.amzn2" as 4.19.84 in cilium#10462).
const AMAZON_BUILD = /\.amzn(?:1|2|2023)\b/;
// SUSE: "5.14.21-150400.24.11-default" (SLES 15 SP4, rancher/rke2#4000), "5.14.21-150500.55.19.1": the 1N0M00
// codestream number marks SLE's frozen base.
const SUSE_BUILD = /^-1[0-9]0[0-9]00\.[\d.]+(?:-[a-z0-9]+)?$/;
// Azure Linux / CBL-Mariner: "5.15.107.1-2.cm2" (cilium#26471), "6.6.130.1-3.azl3" (cilium#46023), MSHV hosts
// "5.15.80.mshv2-hvl1.m2" (AKS pod sandboxing docs): upstream x.y.z plus an Azure build number.
const AZURE_BUILD = /\.(?:cm[12]|azl\d)\b|\.mshv\d*|-hvl\d/;

/** Recognises the scheme from `uname -r` first (it is what the numbers mean) and the node's osImage second. */
export function recogniseScheme(k: KernelVersion, osImage = ''): KernelScheme {
  const s = k.suffix;
  if (UEK_BUILD.test(s)) return scheme('oracle-uek', 'Oracle UEK', 'base');
  const rhel = RHEL_BUILD.exec(s);
  if (rhel !== null && RHEL_BASES.has(`${k.major}.${k.minor}.${k.patch}`)) return scheme('rhel', rhelLabel(osImage, rhel[1] ?? ''), 'base');
  if (AMAZON_BUILD.test(s)) return scheme('amazon-linux', /amzn2023/.test(s) ? 'Amazon Linux 2023' : 'Amazon Linux', 'upstream');
  if (AZURE_BUILD.test(s) || /CBL-Mariner|Azure Linux/i.test(osImage)) return scheme('azure-linux', 'Azure Linux', 'upstream');
  // Flatcar "5.4.83-flatcar"; its kernel bumps follow upstream stable (flatcar/scripts PR #4025: 6.6.127 → 6.6.140).
  if (/-flatcar$/.test(s) || /Flatcar/i.test(osImage)) return scheme('flatcar', 'Flatcar', 'upstream');
  // Talos "6.1.69-talos" (Talos 1.6.1, cilium#30093): a plain upstream stable build.
  if (/-talos$/.test(s) || /^Talos\b/i.test(osImage)) return scheme('talos', 'Talos', 'upstream');
  // Bottlerocket reports plain "5.10.93" (bottlerocket-os/bottlerocket PR #1936) built from Amazon Linux's kernels.
  if (/Bottlerocket/i.test(osImage)) return scheme('bottlerocket', 'Bottlerocket', 'upstream');
  // Container-Optimized OS "4.14.91+" (cilium#7594): upstream LTS with a "+" for the unreleased tree.
  if (s === '+' || /Container-Optimized OS/i.test(osImage)) return scheme('cos', 'Container-Optimized OS', 'upstream');
  if (SUSE_BUILD.test(s) || /SUSE|SLES/i.test(osImage)) return scheme('suse', 'SUSE', 'base');
  if (k.patch === 0 && (DEBIAN_FLAVOUR.test(s) || (/Debian/i.test(osImage) && /^-\d+/.test(s)))) {
    return scheme('debian', 'Debian', 'abi', '/proc/version');
  }
  // Ubuntu mainline builds ("5.0.21-050021-generic") carry a real patch; only x.y.0-N-flavour is an ABI number.
  if (k.patch === 0 && ABI_FLAVOUR.test(s)) {
    return scheme('ubuntu', /Ubuntu/i.test(osImage) ? 'Ubuntu' : 'Ubuntu-style', 'abi', '/proc/version_signature');
  }
  return scheme('upstream', 'upstream-numbered', 'upstream');
}

function rhelLabel(osImage: string, major: string): string {
  const distro = /(Rocky Linux|AlmaLinux|CentOS(?: Stream)?|Oracle Linux|Red Hat Enterprise Linux)/i.exec(osImage)?.[1];
  return distro === undefined ? `RHEL ${major}` : `${distro} ${major}`;
}
