// Vendor kernel numbering on strings quoted in public threads (each row says where), not on strings written for the
// matcher: scheme, whether the patch is upstream's, the upstream version used and where it came from.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { resolveKernel, upstreamText, verdictFor, type HostKernelReading } from '../../../runbooks/engine/kernel-resolved.ts';
import type { KernelTriple } from '../../../runbooks/engine/kernel-version.ts';

/** /proc/version as Debian 10 builds it: the uname -v part (quoted) after the builder and compiler. */
const debianProc = (release: string, unameV: string): HostKernelReading =>
  ({ procVersion: `Linux version ${release} (debian-kernel@lists.debian.org) (gcc version 8.3.0 (Debian 8.3.0-6)) ${unameV}` });

type Row = [uname: string, osImage: string, host: HostKernelReading | null, scheme: string, exact: boolean, version: KernelTriple, seen: string];

const ROWS: Row[] = [
  // Debian 10: uname -r is an ABI number; the upstream patch follows "Debian" in uname -v (/proc/version).
  ['4.19.0-21-amd64', 'Debian GNU/Linux 10 (buster)', null, 'debian', false, [4, 19, 0], 'issue 15 report (Debian 10 node, Cilium 1.14)'],
  ['4.19.0-21-amd64', 'Debian GNU/Linux 10 (buster)', debianProc('4.19.0-21-amd64', '#1 SMP Debian 4.19.249-2 (2022-06-30)'), 'debian', true, [4, 19, 249], 'issue 15 report'],
  ['4.19.0-22-amd64', '', debianProc('4.19.0-22-amd64', '#1 SMP Debian 4.19.260-1 (2022-09-29)'), 'debian', true, [4, 19, 260], "libbpf get_debian_kernel_version() comment (utsname release/version pair)"],
  ['4.19.0-20-amd64', '', debianProc('4.19.0-20-amd64', '#1 SMP Debian 4.19.235-1 (2022-03-17)'), 'debian', true, [4, 19, 235], 'uname -a in a public write-up: "Linux trick 4.19.0-20-amd64 #1 SMP Debian 4.19.235-1 (2022-03-17) x86_64"'],
  ['4.19.0-5-amd64', '', debianProc('4.19.0-5-amd64', '#1 SMP Debian 4.19.37-5+deb10u1 (2019-07-19)'), 'debian', true, [4, 19, 37], 'uname -a in a public write-up: "Linux dawn 4.19.0-5-amd64 #1 SMP Debian 4.19.37-5+deb10u1 (2019-07-19)"'],
  ['4.19.0-18-cloud-amd64', 'Debian GNU/Linux 10 (buster)', null, 'debian', false, [4, 19, 0], 'cilium#18047 (Debian 10 cloud kernel)'],
  // Ubuntu: x.y.0-ABI-flavour; the upstream version is last in /proc/version_signature.
  ['5.4.0-1045-aws', 'Ubuntu 20.04.6 LTS', null, 'ubuntu', false, [5, 4, 0], 'issue 4 example document (EKS Ubuntu 20.04)'],
  ['5.15.0-1073-azure', 'Ubuntu 22.04.5 LTS', null, 'ubuntu', false, [5, 15, 0], 'cilium#35600 (AKS, uname -a "5.15.0-1073-azure #82-Ubuntu")'],
  ['5.11.0-1018-gcp', 'Ubuntu 20.04.3 LTS', null, 'ubuntu', false, [5, 11, 0], 'Dart SDK Platform.operatingSystemVersion doc example "Linux 5.11.0-1018-gcp #20~20.04.2-Ubuntu"'],
  ['4.15.0-167-generic', 'Ubuntu 18.04.6 LTS', null, 'ubuntu', false, [4, 15, 0], 'bottlerocket-os/bottlerocket PR #1936 (kubectl get nodes -o wide)'],
  ['5.15.0-57-generic', 'Ubuntu 22.04.1 LTS', { procVersion: 'Linux version 5.15.0-57-generic (buildd@bos02-arm64-057) #63-Ubuntu SMP Thu Nov 24 13:48:31 UTC 2022', versionSignature: 'Ubuntu 5.15.0-57.63-generic 5.15.74' }, 'ubuntu', true, [5, 15, 74], 'Ubuntu 22.04 boot log "(Ubuntu 5.15.0-57.63-generic 5.15.74)" in a public syslog'],
  ['5.15.0-75-generic', 'Ubuntu 20.04.6 LTS', { procVersion: 'Linux version 5.15.0-75-generic (buildd@lcy02-amd64-101) (gcc (Ubuntu 9.4.0-1ubuntu1~20.04.1) 9.4.0, GNU ld (GNU Binutils for Ubuntu) 2.34) #82~20.04.1-Ubuntu SMP Wed Jun 7 19:37:37 UTC 2023 (Ubuntu 5.15.0-75.82~20.04.1-generic 5.15.99)' }, 'ubuntu', true, [5, 15, 99], 'Ubuntu 20.04 HWE boot banner quoted in a public forensics note'],
  ['5.0.21-050021-generic', 'Ubuntu 18.04.3 LTS', null, 'upstream', true, [5, 0, 21], 'kernel.ubuntu.com mainline build naming (existing fixture, blog correction)'],
  // RHEL family: the base stays, features are backported; RHEL 8 counts as the docs say.
  ['4.18.0-553.el8_10.x86_64', 'Red Hat Enterprise Linux 8.10 (Ootpa)', null, 'rhel', true, [5, 10, 0], 'system_requirements.rst@00c88111b78b ("4.18 on RHEL 8.10")'],
  ['4.18.0-425.19.2.el8_7.x86_64', 'Oracle Linux Server 8.7', null, 'rhel', true, [5, 4, 0], 'Oracle Linux RHCK package "kernel-4.18.0-425.19.2.el8_7" in a public dnf log'],
  ['5.14.0-427.13.1.el9_4.x86_64', 'Rocky Linux 9.4 (Blue Onyx)', null, 'rhel', false, [5, 14, 0], 'Rocky Linux 9.4 host table in a public migration note'],
  ['5.14.0-427.26.1.el9_4.x86_64', 'Red Hat Enterprise Linux 9.4 (Plow)', null, 'rhel', false, [5, 14, 0], 'RHEL 9 image console "Kernel 5.14.0-427.26.1.el9_4.x86_64"'],
  ['5.14.0-427.13.1.el9_4.x86_64+debug', 'AlmaLinux 9.4 (Seafoam Ocelot)', null, 'rhel', false, [5, 14, 0], 'AlmaLinux 9 kernel-debug string quoted in a public bug reproduction'],
  ['4.9.86-30.el7.x86_64', 'CentOS Linux 7 (Core)', null, 'upstream', true, [4, 9, 86], 'kubernetes-sigs/kubespray#9412 (a 4.9 kernel on CentOS 7.9 is not RHEL\'s 3.10 build)'],
  // Oracle UEK: the upstream base UEK forked from.
  ['5.4.17-2136.311.6.1.el7uek.x86_64', 'Oracle Linux Server 7.9', null, 'oracle-uek', false, [5, 4, 17], 'cilium#21829'],
  ['5.15.0-206.153.7.1.el8uek.x86_64', 'Oracle Linux Server 8.10', null, 'oracle-uek', false, [5, 15, 0], 'OCNE node list (kubectl get nodes -o wide) in public docs'],
  // Upstream-numbered vendors.
  ['4.14.165-133.209.amzn2.x86_64', 'Amazon Linux 2', null, 'amazon-linux', true, [4, 14, 165], 'cilium#10462'],
  ['5.10.235-227.919.amzn2.x86_64', 'Amazon Linux 2', null, 'amazon-linux', true, [5, 10, 235], 'uname -a quoted in a public EKS sample'],
  ['6.1.115-126.197.amzn2023.x86_64', 'Amazon Linux 2023.6.20241111', null, 'amazon-linux', true, [6, 1, 115], 'uname -a quoted in a public AL2023 note'],
  ['5.10.93', 'Bottlerocket OS 1.5.3 (vmware-k8s-1.21)', null, 'bottlerocket', true, [5, 10, 93], 'bottlerocket-os/bottlerocket PR #1936'],
  ['4.14.91+', 'Container-Optimized OS from Google', null, 'cos', true, [4, 14, 91], 'cilium#7594'],
  ['5.15.133+', 'Container-Optimized OS from Google', null, 'cos', true, [5, 15, 133], 'issue 15 (COS on GKE)'],
  ['5.4.83-flatcar', 'Flatcar Container Linux by Kinvolk 2605.10.0 (Oklo)', null, 'flatcar', true, [5, 4, 83], 'uname -a in a public Kubernetes issue body'],
  ['6.1.69-talos', 'Talos (v1.6.1)', null, 'talos', true, [6, 1, 69], 'cilium#30093 (Talos 1.6.1, kernel 6.1.69)'],
  ['5.15.107.1-2.cm2', 'CBL-Mariner/Linux', null, 'azure-linux', true, [5, 15, 107], 'cilium#26471'],
  ['6.6.130.1-3.azl3', 'Microsoft Azure Linux 3.0', null, 'azure-linux', true, [6, 6, 130], 'cilium#46023'],
  ['5.15.80.mshv2-hvl1.m2', 'CBL-Mariner/Linux', null, 'azure-linux', true, [5, 15, 80], 'AKS pod sandboxing docs (uname -r in the pod sandbox VM)'],
  ['5.14.21-150400.24.11-default', 'SUSE Linux Enterprise Server 15 SP4', null, 'suse', false, [5, 14, 21], 'rancher/rke2#4000'],
];

describe('resolveKernel: vendor schemes on quoted strings', () => {
  it.each(ROWS)('%s (%s) → %s', (uname, osImage, host, scheme, exact, version, seen) => {
    const k = resolveKernel(uname, osImage, host);
    expect(seen).not.toBe('');
    expect(k?.scheme.id).toBe(scheme);
    expect(k?.exact).toBe(exact);
    expect(k?.version).toEqual(version);
  });

  it('says which number it used and where it came from', () => {
    const withProc = resolveKernel('4.19.0-21-amd64', 'Debian GNU/Linux 10 (buster)', debianProc('4.19.0-21-amd64', '#1 SMP Debian 4.19.249-2 (2022-06-30)'));
    expect(withProc?.basis).toBe("upstream 4.19.249 from /proc/version (Debian's uname -r carries an ABI number)");
    const without = resolveKernel('4.19.0-21-amd64', 'Debian GNU/Linux 10 (buster)');
    expect(without?.basis).toContain('only in /proc/version');
    expect(without?.readPatchWith).toBe('cat /proc/version');
    expect(resolveKernel('5.4.0-1045-aws', 'Ubuntu 20.04.6 LTS')?.readPatchWith).toBe('cat /proc/version_signature');
    expect(resolveKernel('5.14.21-150400.24.11-default', 'SUSE Linux Enterprise Server 15 SP4')?.readPatchWith).toBeNull();
    expect(resolveKernel('4.14.165-133.209.amzn2.x86_64', 'Amazon Linux 2')?.basis).toBe('upstream 4.14.165 from uname -r');
  });

  it('ignores a /proc/version of another kernel (the node rebooted between reads) and the compiler\'s "Debian" version', () => {
    const other = resolveKernel('4.19.0-21-amd64', 'Debian GNU/Linux 10 (buster)', debianProc('4.19.0-22-amd64', '#1 SMP Debian 4.19.260-1 (2022-09-29)'));
    expect(other?.exact).toBe(false);
    // Debian 12's line: "(gcc-12 (Debian 12.2.0-14) 12.2.0 …) #1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1": 6.1.76, not 12.2.0.
    const d12 = resolveKernel('6.1.0-18-cloud-amd64', 'Debian GNU/Linux 12 (bookworm)', {
      procVersion: 'Linux version 6.1.0-18-cloud-amd64 (debian-kernel@lists.debian.org) (gcc-12 (Debian 12.2.0-14) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40) #1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01)',
    });
    expect(d12?.version).toEqual([6, 1, 76]);
    // A signature without the upstream field (as 2009's "Ubuntu 2.6.24-23.52-server") leaves the patch unknown.
    const cut = resolveKernel('5.15.0-57-generic', 'Ubuntu 22.04.1 LTS', { procVersion: 'Linux version 5.15.0-57-generic (buildd@x) #63-Ubuntu SMP', versionSignature: 'Ubuntu 5.15.0-57.63-generic' });
    expect(cut?.exact).toBe(false);
  });

  it('never throws and never reads more than uname says for the series', () => {
    fc.assert(fc.property(fc.string(), fc.string(), fc.string(), (uname, os, proc) => {
      const k = resolveKernel(uname, os, { procVersion: proc });
      if (k !== null) expect([k.version[0], k.version[1]]).toEqual(k.docsEquivalent ? [k.version[0], k.version[1]] : [k.parsed.major, k.parsed.minor]);
    }));
  });
});

type FloorRow = [uname: string, osImage: string, host: HostKernelReading | null, minimum: KernelTriple, verdict: string];

describe('verdictFor: meets, below, or unknown', () => {
  const MIN_114: KernelTriple = [4, 19, 57];
  it.each<FloorRow>([
    // Debian 10 floor cases under Cilium 1.13–1.15 (4.19.57).
    ['4.19.0-21-amd64', 'Debian GNU/Linux 10 (buster)', null, MIN_114, 'unknown'],
    ['4.19.0-21-amd64', 'Debian GNU/Linux 10 (buster)', debianProc('4.19.0-21-amd64', '#1 SMP Debian 4.19.249-2 (2022-06-30)'), MIN_114, 'meets'],
    ['4.19.0-5-amd64', 'Debian GNU/Linux 10 (buster)', debianProc('4.19.0-5-amd64', '#1 SMP Debian 4.19.37-5+deb10u1 (2019-07-19)'), MIN_114, 'below'],
    ['4.19.0-21-amd64', 'Debian GNU/Linux 10 (buster)', null, [5, 4, 0], 'below'],
    // Ubuntu: 5.4.0-ABI meets 5.4 (1.16), is below 5.10 (1.18) whatever its patch.
    ['5.4.0-1045-aws', 'Ubuntu 20.04.6 LTS', null, [5, 4, 0], 'meets'],
    ['5.4.0-1045-aws', 'Ubuntu 20.04.6 LTS', null, [5, 10, 0], 'below'],
    ['5.15.0-1073-azure', 'Ubuntu 22.04.5 LTS', null, [5, 10, 0], 'meets'],
    ['4.15.0-167-generic', 'Ubuntu 18.04.6 LTS', null, MIN_114, 'below'],
    // Amazon Linux numbers are upstream's: AL2 4.14 stays below for certain.
    ['4.14.352-268.568.amzn2.x86_64', 'Amazon Linux 2', null, MIN_114, 'below'],
    ['5.10.235-227.919.amzn2.x86_64', 'Amazon Linux 2', null, [5, 10, 0], 'meets'],
    // Base numbers are lower bounds: SUSE 5.14.21 meets 5.10; RHEL 9's 5.14.0 vs a 5.14.x minimum is unknown.
    ['5.14.21-150400.24.11-default', 'SUSE Linux Enterprise Server 15 SP4', null, [5, 10, 0], 'meets'],
    ['5.14.0-427.13.1.el9_4.x86_64', 'Rocky Linux 9.4 (Blue Onyx)', null, [5, 14, 21], 'unknown'],
    ['5.4.17-2136.311.6.1.el7uek.x86_64', 'Oracle Linux Server 7.9', null, [5, 4, 16], 'meets'],
  ])('%s (%s) vs %j → %s', (uname, osImage, host, minimum, verdict) => {
    const k = resolveKernel(uname, osImage, host);
    if (k === null) throw new Error('unparsed');
    expect(verdictFor(k, minimum)).toBe(verdict);
  });

  it('names the upstream number as known: exact, "x" for an ABI number, "or later" for a base', () => {
    const text = (u: string, os: string) => { const k = resolveKernel(u, os); return k === null ? null : upstreamText(k); };
    expect(text('4.19.0-21-amd64', 'Debian GNU/Linux 10 (buster)')).toBe('4.19.x');
    expect(text('5.14.21-150400.24.11-default', 'SUSE Linux Enterprise Server 15 SP4')).toBe('5.14.21 or later');
    expect(text('6.1.69-talos', 'Talos (v1.6.1)')).toBe('6.1.69');
  });
});
