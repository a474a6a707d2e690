// What is wrong at L7, from Hubble flows and the CiliumNetworkPolicies in evidence. Pure. Three failure modes:
// - HTTP requests the proxy denied (`http-request DROPPED`, answered 403 "Access denied"): which rules.http entry came
//   closest and which of its fields (method, path, host) did not match, and the narrowest rule to add;
// - HTTPS sent to a port where an HTTP rule waits: the proxy parses HTTP, so a TLS client gets no HTTP answer
//   (`curl: (35) … wrong version number`, cilium/cilium#32567; "Layer 7 inspection only works when the Envoy proxy
//   … can inspect the stream - which requires an unencrypted HTTP stream", maintainer in cilium/cilium#36039) unless
//   the port uses TLS interception (terminatingTLS/originatingTLS, docs security/tls-visibility);
// - the proxy cannot take the traffic: drops PROXY_REDIRECTION_NOT_SUPPORTED_FOR_PROTOCOL (180) or
//   FAILED_TO_INSERT_INTO_PROXYMAP (161) (flow.proto DropReason), or HTTP rules while `enable-l7-proxy` is false
//   (the policy is then rejected: "L7 policy is not supported since L7 proxy is not enabled", cilium/cilium PR #40549).
import type { Evidence, Flow } from './evidence.ts';
import type { Tri } from './policy-selector.ts';
import { configValue } from './runbook-kit.ts';
import { httpExchange, isProxyDrop, l7Denials, labelMap, podOf, serverPort, type L7Denial } from './l7-http-flows.ts';
import { closestEntry, coversPort, httpRuleSites, judgeEntries, siteApplies, type EntryVerdict, type FieldMismatch, type HttpRuleSite } from './l7-http-rules.ts';
import { l7RuleDiff, type L7RuleDiff } from './l7-rule-diff.ts';

export interface DenialDiagnosis {
  denial: L7Denial;
  /** The policies were read: a missing site then means no rules.http applies that we could see. */
  policiesRead: boolean;
  /** The sites (toPorts entries with rules.http) that apply to the request, with how sure that is. */
  sites: { site: HttpRuleSite; applies: Tri }[];
  /** The closest entry over all applying sites, and its site. */
  closest: { site: HttpRuleSite; verdict: EntryVerdict } | null;
  /** An entry matches method, path and host: the denial is about something the flow does not show (headers). */
  matchedAnEntry: boolean;
  diff: L7RuleDiff | null;
}

export interface TlsOnHttpRule { site: HttpRuleSite; port: string; flows: Flow[] }

export interface L7Diagnosis {
  denials: DenialDiagnosis[];
  tlsOnHttpRules: TlsOnHttpRule[];
  proxyDrops: Flow[];
  /** HTTP rules exist while the L7 proxy is turned off (`enable-l7-proxy: false`). */
  l7ProxyDisabled: HttpRuleSite[];
}

/** Ports on which clients speak TLS by convention (IANA https 443; 8443 the common alternative). */
const TLS_PORTS = new Set(['443', '8443']);

export function mismatchText(m: FieldMismatch): string {
  return `${m.field} ${JSON.stringify(m.rule)} does not match ${m.request}${m.note === undefined ? '' : ` (${m.note})`}`;
}

const nsOf = (pod: string): string => pod.split('/')[0] ?? '';

function diagnoseDenial(d: L7Denial, sites: HttpRuleSite[], policiesRead: boolean): DenialDiagnosis {
  const client = { namespace: nsOf(d.client), labels: labelMap(d.clientLabels) };
  const server = { namespace: nsOf(d.server), labels: labelMap(d.serverLabels) };
  const applying = sites
    .filter((s) => d.direction === null || s.direction === d.direction)
    .filter((s) => coversPort(s, d.port) !== false)
    .map((site) => ({ site, applies: siteApplies(site, client, server) }))
    .filter((x) => x.applies !== false);
  // Entries of every applying site are alternatives (Cilium merges the rules of a port), so judge them together.
  const judged = applying.flatMap(({ site }) => judgeEntries(site.http, d).map((verdict) => ({ site, verdict })));
  const best = closestEntry(judged.map((j) => j.verdict));
  const closest = best === undefined ? null : judged.find((j) => j.verdict === best) ?? null;
  const matchedAnEntry = judged.some((j) => j.verdict.mismatches.length === 0);
  const diff = closest === null || matchedAnEntry ? null : l7RuleDiff(closest.site, closest.verdict, d);
  return { denial: d, policiesRead, sites: applying, closest, matchedAnEntry, diff };
}

function tlsOnHttpRules(sites: HttpRuleSite[], flows: Flow[]): TlsOnHttpRule[] {
  const out: TlsOnHttpRule[] = [];
  // Servers with any HTTP record: the proxy parsed something there.
  const http = new Set(flows.filter((f) => httpExchange(f) !== null).map((f) => podOf(f.destination)));
  for (const site of sites) {
    if (site.tlsInterception) continue;
    for (const p of site.ports.filter((x) => TLS_PORTS.has(x.port))) {
      // Flows to that port that reached the proxy without any HTTP record: what a TLS client looks like there.
      const seen = flows.filter((f) => String(serverPort(f)) === p.port && /^to-proxy/.test(f.reason) && !http.has(podOf(f.destination)));
      out.push({ site, port: p.port, flows: seen });
    }
  }
  return out;
}

export function diagnoseL7(e: Evidence): L7Diagnosis {
  const flows = e.flows.ok ? e.flows.value.flows : [];
  const sites = e.policies.ok ? httpRuleSites(e.policies.value) : [];
  const proxyOff = (configValue(e, 'enable-l7-proxy') ?? '').toLowerCase() === 'false';
  return {
    denials: l7Denials(flows).map((d) => diagnoseDenial(d, sites, e.policies.ok)),
    tlsOnHttpRules: tlsOnHttpRules(sites, flows),
    proxyDrops: flows.filter(isProxyDrop),
    l7ProxyDisabled: proxyOff ? sites : [],
  };
}
