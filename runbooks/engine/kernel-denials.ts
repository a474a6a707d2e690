// Refusals of bpf() the kernel logs but the agent only sees as EPERM, read from the kernelLog fact:
//  - SELinux AVC records: `avc:  denied  { prog_load } for pid=… comm="…" … tclass=bpf permissive=0` (cilium/cilium
//    #6358, rancher/rke2#1273); `{ bpf }` / `{ perfmon }` with tclass=capability2 are CAP_BPF / CAP_PERFMON checks
//    (Linux ≥ 5.8, security/selinux/include/classmap.h). permissive=1 only logs: not a refusal. Only prog_load and
//    map_create stop the agent loading its datapath: a capability2 check may still pass through the CAP_SYS_ADMIN
//    fallback of bpf_capable()/perfmon_capable() (include/linux/capability.h), and map_read/map_write/prog_run
//    denials are usually another reader's (bpftool, systemd), so those alone are weak.
//  - AppArmor: `apparmor="DENIED" operation="capable" … capname="bpf"` (or "perfmon").
//  - lockdown (security/lockdown/lockdown.c): `Lockdown: <comm>: use of bpf to read kernel RAM is restricted; see man
//    kernel_lockdown.7`. Weak alone: in siderolabs/talos#8117 it was bpftool's and not the cause.
import type { Evidence } from './evidence.ts';

export interface KernelDenial {
  lsm: 'selinux' | 'apparmor' | 'lockdown';
  /** prog_load, map_create, bpf, perfmon, "use of bpf to read kernel RAM", … */
  permission: string;
  comm: string | null;
  /** false for SELinux permissive=1 (logged, allowed). */
  enforced: boolean;
  /** Refuses what loading the datapath needs: an enforced prog_load/map_create denial. */
  blocksLoad: boolean;
  line: string;
}

const AVC = /avc:\s+denied\s+\{\s*([^}]+?)\s*\}.*?tclass=(\w+)/;
// Each attempt stops at the next record's start, so a line repeating it costs linear time.
const APPARMOR = /apparmor="DENIED"(?:(?!apparmor="DENIED").)*?capname="(bpf|perfmon)"/;
const LOCKDOWN = /Lockdown: ([^:]+): ((?:(?!Lockdown: ).)*?bpf(?:(?!Lockdown: ).)*?) is restricted/;
const BPF_PERMS = /\b(prog_load|prog_run|map_create|map_read|map_write|bpf|perfmon)\b/;

export function kernelDenial(line: string): KernelDenial | null {
  const comm = /comm="([^"]*)"/.exec(line)?.[1] ?? null;
  const avc = AVC.exec(line);
  if (avc?.[1] !== undefined && (avc[2] === 'bpf' || (avc[2] === 'capability2' && BPF_PERMS.test(avc[1])))) {
    const enforced = !/permissive=1\b/.test(line);
    return { lsm: 'selinux', permission: avc[1], comm, enforced, blocksLoad: enforced && avc[2] === 'bpf' && /\b(prog_load|map_create)\b/.test(avc[1]), line };
  }
  const aa = APPARMOR.exec(line);
  if (aa?.[1] !== undefined) return { lsm: 'apparmor', permission: aa[1], comm, enforced: true, blocksLoad: false, line };
  const ld = LOCKDOWN.exec(line);
  if (ld?.[2] !== undefined) return { lsm: 'lockdown', permission: ld[2], comm: ld[1] ?? null, enforced: true, blocksLoad: false, line };
  return null;
}

export function kernelDenials(e: Pick<Evidence, 'kernelLog'>): KernelDenial[] {
  if (!e.kernelLog.ok) return [];
  return e.kernelLog.value.lines.map(kernelDenial).filter((d): d is KernelDenial => d !== null);
}
