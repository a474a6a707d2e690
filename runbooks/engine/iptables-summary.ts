// Turns `iptables-save` text into the `iptables` fact, so collectors and tests count the same way. Engineers also paste
// the listing form, `iptables [-t nat] -L [-n] [-v]` (`Chain KUBE-SERVICES (2 references)`, a column header, then one
// row per rule; iptables/iptables.c print_header/print_firewall): a row under `Chain X` is the rule `-A X …`.
// Fact sheet §5: kube-proxy chains (kubernetes pkg/proxy/iptables/proxier.go, pkg/proxy/ipvs/proxier.go) vs kubelet's
// own chains (pkg/kubelet/kubelet_network_linux.go; #22164) vs Cilium's (cilium pkg/datapath/iptables/iptables.go).
import type { IptablesInfo } from './evidence.ts';

/** Chains kubelet creates itself; present on kube-proxy-free nodes too, so never proof of kube-proxy. */
export const KUBELET_CHAINS = [
  'KUBE-KUBELET-CANARY',
  'KUBE-FIREWALL',
  'KUBE-MARK-DROP',
  'KUBE-MARK-MASQ',
  'KUBE-POSTROUTING',
] as const;

const IPVS_ONLY_CHAINS = new Set(['KUBE-LOAD-BALANCER', 'KUBE-IPVS-FILTER', 'KUBE-SOURCE-RANGES-FIREWALL', 'KUBE-NODE-PORT']);
const KUBELET_SET = new Set<string>(KUBELET_CHAINS);

export interface IptablesSaveOptions {
  source: IptablesInfo['source'];
  /** From `iptables --version` ("(nf_tables)" / "(legacy)") when the collector ran it. */
  versionText?: string;
}

/** A listing's chain header: `Chain KUBE-SERVICES (2 references)`, `Chain PREROUTING (policy ACCEPT 0 packets, 0 bytes)`. */
export const IPTABLES_LISTING_HEADER = /^Chain [A-Za-z0-9_.-]+ \((?:policy [A-Z]+[^)]*|\d+ references?)\)/;
/** The listing's column header, with or without -v counters. */
const LISTING_COLUMNS = /^(?:pkts\s+bytes\s+)?target\s+prot\s+opt\b/;

/** Index after a listing that starts at line i: chains and their rows, blank lines between chains included. */
export function iptablesListingEnd(lines: readonly string[], i: number): number {
  let end = i + 1;
  while (end < lines.length) {
    const l = (lines[end] ?? '').trim();
    if (l !== '') { end++; continue; }
    if (IPTABLES_LISTING_HEADER.test((lines[end + 1] ?? '').trim())) { end++; continue; }
    break;
  }
  return end;
}

/** Counts signals in `iptables-save` output, or the `-L` listing (any tables; nat and mangle are what matter). Never throws. */
export function summarizeIptablesSave(text: string, options: IptablesSaveOptions): IptablesInfo {
  const chains = { svc: 0, sep: 0, ext: 0, nodeports: 0, services: 0, ipvs: false, proxyCanary: false };
  const kubelet = new Set<string>();
  let natRuleCount = 0;
  let ciliumChains = 0;
  let table = '';
  /** The chain a listing is showing rows of; null outside a listing. */
  let listing: string | null = null;
  let start = 0;
  while (start <= text.length) {
    const end = text.indexOf('\n', start);
    const line = text.slice(start, end === -1 ? text.length : end).trim();
    start = end === -1 ? text.length + 1 : end + 1;
    if (line.startsWith('*')) {
      table = line.slice(1);
      continue;
    }
    const header = /^Chain ([A-Za-z0-9_.-]+)/.exec(line);
    if (header !== null) listing = header[1] ?? null;
    const listed = header === null && listing !== null && line !== '' && !LISTING_COLUMNS.test(line) && !/^[-:*#]/.test(line) ? listing : null;
    const declared = header?.[1] ?? (line.startsWith(':') ? (line.slice(1).split(' ')[0] ?? '') : null);
    const appended = listed ?? (line.startsWith('-A ') ? (line.slice(3).split(' ')[0] ?? '') : null);
    const chain = declared ?? appended;
    if (chain === null || chain === '') continue;
    if (appended !== null && table === 'nat') natRuleCount++;
    if (chain.startsWith('CILIUM_') || chain.startsWith('OLD_CILIUM_')) {
      ciliumChains++;
      continue;
    }
    if (!chain.startsWith('KUBE-')) continue;
    if (KUBELET_SET.has(chain)) {
      kubelet.add(chain);
      continue;
    }
    if (IPVS_ONLY_CHAINS.has(chain)) chains.ipvs = true;
    if (chain === 'KUBE-PROXY-CANARY') chains.proxyCanary = true;
    if (appended === null) continue;
    if (chain.startsWith('KUBE-SVC-') || chain.startsWith('KUBE-SVL-')) chains.svc++;
    else if (chain.startsWith('KUBE-SEP-')) chains.sep++;
    else if (chain.startsWith('KUBE-EXT-') || chain.startsWith('KUBE-FW-') || chain.startsWith('KUBE-XLB-')) chains.ext++;
    else if (chain === 'KUBE-NODEPORTS' || chain === 'KUBE-NODE-PORT') chains.nodeports++;
    else if (chain === 'KUBE-SERVICES') chains.services++;
  }
  return {
    natRuleCount,
    kubeProxyChains: chains,
    kubeletChains: [...kubelet].sort(),
    ciliumChains,
    backend: backendOf(options.versionText),
    source: options.source,
  };
}

function backendOf(versionText: string | undefined): IptablesInfo['backend'] {
  if (versionText === undefined) return 'unknown';
  if (/nf_tables/i.test(versionText)) return 'nft';
  if (/legacy/i.test(versionText)) return 'legacy';
  return 'unknown';
}

/** True when any counted signal belongs to kube-proxy (kubelet's chains excluded by construction). */
export function hasKubeProxyRules(info: IptablesInfo): boolean {
  const c = info.kubeProxyChains;
  return c.svc + c.sep + c.ext + c.nodeports + c.services > 0 || c.ipvs || c.proxyCanary;
}
