// Known-bad Cilium × kernel/OS/config combinations, as data: fact sheet §7 (each row's source kept with it).
// A row applies when every predicate it declares holds; `symptom` is the log text that confirms it on this node.
import semver from 'semver';
import type { Evidence } from '../engine/evidence.ts';
import { configTrue, configValue, nodeKernel } from '../engine/runbook-kit.ts';
import { compareTriples, type KernelTriple } from '../engine/kernel-version.ts';

export interface Advisory {
  id: string;
  /** semver range of Cilium versions. */
  cilium: string;
  /** Kernel predicate on `uname -r` and the vendor-adjusted triple; absent = any kernel. */
  kernel?: (raw: string, effective: KernelTriple) => boolean;
  /** Other conditions from config/kube-proxy; absent = none. */
  when?: (e: Evidence) => boolean;
  symptom: string;
  /** Matches the agent line that confirms it. */
  symptomRe?: RegExp;
  fix: string;
  source: string;
  severity: 'warning' | 'info';
}

const between = (lo: KernelTriple, hi: KernelTriple) => (_: string, k: KernelTriple): boolean => compareTriples(k, lo) >= 0 && compareTriples(k, hi) < 0;
const TOO_LARGE = /BPF program is too large|argument list too long/i;

export const ADVISORIES: readonly Advisory[] = [
  { id: 'ubuntu-5.0.0-31-map-eperm', cilium: '~1.6.0', kernel: (raw) => raw.startsWith('5.0.0-31-'), symptom: 'BPF map creation fails with EPERM', symptomRe: /Unable to create map(?:(?!Unable to create map).)*operation not permitted/i, fix: 'Upgrade the kernel (5.2.4 fixed it).', source: '#9402', severity: 'warning' },
  { id: 'debian10-4.19-program-too-large', cilium: '~1.11.0', kernel: between([4, 19, 0], [4, 20, 0]), symptom: '"BPF program is too large. Processed 131073 insn"', symptomRe: TOO_LARGE, fix: 'Move to a 5.10 kernel (5.10.120 fixed it) or a newer Cilium.', source: '#17647, #18047', severity: 'warning' },
  { id: 'uek-5.4.17-2136-verifier', cilium: '>=1.12.2 <1.12.4', kernel: (raw) => raw.startsWith('5.4.17-2136.311.6.1.el7uek'), symptom: 'verifier complexity, crash-loop on some nodes', symptomRe: TOO_LARGE, fix: 'Upgrade Cilium past 1.12.3 or the UEK kernel.', source: '#21829', severity: 'warning' },
  { id: 'ubuntu-5.15.0-72-program-too-large', cilium: '~1.11.15', kernel: (raw) => raw.startsWith('5.15.0-72-'), symptom: '"BPF program is too large. Processed 1000001 insn"', symptomRe: TOO_LARGE, fix: 'Pin the previous kernel (5.15.0-71) or upgrade Cilium.', source: '#25500', severity: 'warning' },
  { id: 'kernel-5.16-cilium-1.10.6', cilium: '~1.10.6', kernel: between([5, 16, 0], [5, 17, 0]), symptom: 'BPF program too large', symptomRe: TOO_LARGE, fix: 'Upgrade Cilium.', source: '#18591', severity: 'warning' },
  { id: 'talos-6.1.69-bpf-masquerade', cilium: '>=1.15.0-rc.0 <1.15.0', kernel: (raw) => raw.startsWith('6.1.69'), when: (e) => configTrue(e, 'enable-bpf-masquerade'), symptom: 'tail_nodeport_nat_ingress_ipv4 too large', symptomRe: TOO_LARGE, fix: 'Use a released 1.15 patch or turn bpf.masquerade off.', source: '#30093', severity: 'warning' },
  { id: '1.17-host-firewall-too-large', cilium: '~1.17.0', when: (e) => configTrue(e, 'enable-host-firewall'), symptom: 'tail_nodeport_nat_ingress_ipv4 too large with the host firewall', symptomRe: TOO_LARGE, fix: 'Upgrade to a fixed 1.17 patch or newer, or disable hostFirewall.', source: '#38967', severity: 'warning' },
  { id: '1.17.4-wireguard-5.x', cilium: '1.17.4', kernel: between([5, 0, 0], [6, 0, 0]), when: (e) => configTrue(e, 'enable-wireguard'), symptom: '"BPF program is too large" with WireGuard', symptomRe: TOO_LARGE, fix: 'Kernel ≥ 6.8 (deckhouse gates rollouts on it) or another Cilium patch.', source: 'deckhouse PR #15228', severity: 'warning' },
  { id: '1.18.8-dce-probe', cilium: '1.18.8', kernel: between([6, 18, 0], [99, 0, 0]), symptom: '"Require support for dead code elimination" false negative', symptomRe: /Require support for dead code elimination/i, fix: 'Stay on 1.18.7 or take the patch release that fixes #44967.', source: '#44967; deckhouse#22619', severity: 'warning' },
  { id: 'kernel-7.2-fnsetretval', cilium: '>=1.18.4', kernel: between([7, 2, 0], [7, 3, 0]), symptom: '`failed to probe helper … FnSetRetval … R1 is not a scalar` fatal', symptomRe: /FnSetRetval/i, fix: 'Roll the kernel back to 7.1.x until Cilium ships the fix.', source: '#48016; poseidon/typhoon#1680', severity: 'warning' },
  { id: '1.19.0-upgrade-map-enomem', cilium: '1.19.0', symptom: 'map ENOMEM after upgrading from 1.18.6 (not on fresh installs; open)', symptomRe: /creating map(?:(?!creating map).)*cannot allocate memory/i, fix: 'Roll back to 1.18.x or follow #44221.', source: '#44221', severity: 'warning' },
  { id: '1.19-ipvs-init-stuck', cilium: '>=1.19.0 <1.19.2', when: (e) => e.kubeProxy.ok && e.kubeProxy.value.mode === 'ipvs', symptom: 'agents stuck Init:0/6, the config init container cannot reach the API server', fix: 'Set k8sServiceHost/k8sServicePort, or wait for a later 1.19 patch.', source: '#44464', severity: 'warning' },
  { id: 'tunnel-and-routing-mode', cilium: '>=1.14.0', when: (e) => configValue(e, 'tunnel') !== null && configValue(e, 'routing-mode') !== null, symptom: '"Option --routing-mode cannot be used in combination with --tunnel" (operator fatal)', symptomRe: /cannot be used in combination with --tunnel/i, fix: 'Remove the old `tunnel` key; use routing-mode + tunnel-protocol.', source: '#27213; PR #24561, PR #29053', severity: 'warning' },
  { id: 'kpr-strict-1.16', cilium: '>=1.16.0', when: (e) => ['strict', 'partial', 'probe', 'disabled'].includes(configValue(e, 'kube-proxy-replacement')?.toLowerCase() ?? ''), symptom: '"Invalid value for --kube-proxy-replacement" (old values removed in 1.16)', symptomRe: /Invalid value for --kube-proxy-replacement/i, fix: 'Use kubeProxyReplacement: true (or false).', source: '#36131, PR #31286', severity: 'warning' },
  { id: 'rhel-8.10-kpr-iptables-cleanup', cilium: '>=1.0.0', kernel: (raw) => /el8_10/.test(raw), when: (e) => ['true', 'strict'].includes(configValue(e, 'kube-proxy-replacement')?.toLowerCase() ?? ''), symptom: 'stripping KUBE-* iptables rules cut SSH until reboot', fix: 'Reboot to clean kube-proxy rules instead of `iptables-save | grep -v KUBE | iptables-restore`.', source: '#39204', severity: 'info' },
  { id: 'raspi-modules-extra', cilium: '>=1.0.0', kernel: (raw) => /-raspi\b/.test(raw), symptom: '`error="protocol not supported"` without linux-modules-extra-raspi', symptomRe: /protocol not supported/i, fix: 'sudo apt-get install -y linux-modules-extra-raspi && reboot', source: 'system_requirements.rst; #20901', severity: 'warning' },
  { id: 'wsl2-ipv6-multiple-tables', cilium: '~1.15.0', kernel: (raw) => /microsoft-standard-WSL2/i.test(raw), symptom: '"removing ipv6 proxy routing rule: address family not supported by protocol"', symptomRe: /address family not supported by protocol/i, fix: 'Build the WSL2 kernel with CONFIG_IPV6_MULTIPLE_TABLES.', source: '#29302', severity: 'warning' },
  { id: 'policymap-overflow-silent', cilium: '>=1.17.0 <1.20.0', symptom: 'policymap overflow on startup is swallowed: no error, no metric', fix: 'Watch policy map sizes (`cilium-dbg map list`) until fixed; see #45788.', source: '#45788', severity: 'info' },
];

/** Advisories whose predicates hold for this evidence (version known; kernel only when the row needs it). */
export function matchingAdvisories(e: Evidence, version: string): Advisory[] {
  const v = semver.coerce(version, { includePrerelease: true }) ?? null;
  const exact = semver.valid(version);
  const k = nodeKernel(e);
  return ADVISORIES.filter((a) => {
    const inRange = (exact !== null && semver.satisfies(exact, a.cilium, { includePrerelease: true })) || (v !== null && semver.satisfies(v, a.cilium));
    if (!inRange) return false;
    if (a.kernel !== undefined && (k === null || !a.kernel(k.parsed.raw, k.effective))) return false;
    return a.when === undefined || a.when(e);
  });
}
