// fqdn-dns-proxy: toFQDNs policies that cannot work, and a struggling DNS proxy. toFQDNs IPs are learned only from
// DNS answers the proxy sees, which needs `enable-l7-proxy=true` and an L7 DNS rule (docs security/policy/language
// "DNS Proxy": the interception "is, itself, a separate policy rule governing the DNS requests, and must be specified
// separately"; #11767, #13144, #32567 maintainer: "there are no port 53 rules to trigger DNS interception, which is
// also required for ToFQDN rules to work"). Which pods lack it, the confirming drops to world and the rule to add:
// engine/fqdn-visibility.ts. §2.9: with the L7 proxy off the policy is rejected, `Unable to add
// CiliumNetworkPolicy … L7 policy is not supported since L7 proxy is not enabled` (PR #40549); proxy forward
// timeouts `Timeout waiting for response to forwarded proxied DNS lookup` (slog module=agent.controlplane.fqdn.dns-proxy
// #43643; logfmt subsys=fqdn/dnsproxy #24844, #12503) — one is routine upstream slowness, repeated is a finding.
import type { EvidenceQuote, Finding, FixStep, Runbook } from '../engine/contract.ts';
import { computeBlastRadius } from '../engine/blast-radius.ts';
import { findAgentLines, quoteLogLine, type LogQuery } from '../engine/agent-logs.ts';
import { allPolicies, policyRef } from '../engine/policy-selector.ts';
import type { Flow } from '../engine/evidence.ts';
import { policyDrops } from '../engine/policy-drops.ts';
import { dnsVisibilityPatch, fqdnConfirmingDrops, fqdnVisibilityGaps, proxiedLookupsOf } from '../engine/fqdn-visibility.ts';
import { ciliumDoc, configValue } from '../engine/runbook-kit.ts';
import { agentCli, helmUpgrade } from '../engine/install-commands.ts';
import { configSource } from '../engine/effective-config.ts';
import { isEmptySelector } from '../engine/default-deny-problems.ts';

const ID = 'fqdn-dns-proxy';
const L7_REJECTED = /L7 policy is not supported since L7 proxy is not enabled/i;
const TIMEOUT = /Timeout waiting for response to forwarded proxied DNS lookup/i;
const L7_REJECTED_LINES: LogQuery = { text: [L7_REJECTED] };
const TIMEOUT_LINES: LogQuery = { text: [TIMEOUT] };
const TIMEOUT_THRESHOLD = 5;
// The proxy holds each DNS answer until the policy maps carry the IPs it names; past tofqdns-proxy-response-max-delay
// it answers anyway and logs this (error before PR #32333, warning after): the app may connect before its IP is
// allowed. #29846: lock contention from a needless endpoint regeneration on the FQDN path caused it.
const DATAPATH_DELAY = /Timed out waiting for datapath updates of FQDN IP information/i;
const DATAPATH_DELAY_LINES: LogQuery = { text: [DATAPATH_DELAY] };
// The proxy serialises the answers for one name (in older releases, one of --dnsproxy-lock-count response locks) and
// warns when a lookup waited past --dnsproxy-lock-timeout for that lock (the line's `expected=`): "Lock acquisition time
// took longer than expected. Potentially too many parallel DNS requests being processed, consider adjusting
// --dnsproxy-lock-count and/or --dnsproxy-lock-timeout" (pkg/fqdn/dnsproxy; "Name lock acquisition …" since the
// per-name lock). The app's resolver gives up after 5 s by default (resolv.conf(5) `timeout`), so one wait that long
// is a failed lookup; shorter waits count when they repeat (#25877: 6.4 s waits from many large TCP queries).
const LOCK_WAIT = /lock acquisition time took longer than expected/i;
const LOCK_WAIT_LINES: LogQuery = { text: [LOCK_WAIT] };
const RESOLVER_TIMEOUT_S = 5;
const LOCK_WAIT_REPEATS = 5;

/** The wait a lock-contention line reports (`duration=6.444839747s`, slog `duration=1m2.5s`), in seconds; null if none. */
export function lockWaitSeconds(fields: Record<string, string>): number | null {
  const m = /^(?:(\d+)h)?(?:(\d+)m(?!s))?(?:([\d.]+)s)?$|^([\d.]+)ms$/.exec((fields['duration'] ?? '').trim());
  if (m === null || (fields['duration'] ?? '') === '') return null;
  if (m[4] !== undefined) return Number(m[4]) / 1000;
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
}

export const fqdnDnsProxy: Runbook = {
  id: ID,
  title: 'toFQDNs policy cannot learn IPs / DNS proxy failing',
  severity: 'warning',
  rank: 50,
  needs: ['policies', 'ciliumConfig', 'agentLogs'],
  match(e) {
    const evidence: EvidenceQuote[] = [];
    const problems: string[] = [];
    const steps: FixStep[] = [];
    const fqdn = e.policies.ok ? allPolicies(e.policies.value).filter(({ policy }) => policy.hasToFQDNs) : [];
    const l7Off = configValue(e, 'enable-l7-proxy')?.toLowerCase() === 'false';
    const rejected = findAgentLines(e, L7_REJECTED_LINES, 3);
    if ((fqdn.length > 0 && l7Off) || rejected.length > 0) {
      problems.push(`the L7 proxy is off (enable-l7-proxy=false), so ${fqdn.length > 0 ? fqdn.map((f) => policyRef(f.policy, f.kind)).slice(0, 3).join(', ') : 'L7/DNS policies'} ${fqdn.length === 1 ? 'is' : 'are'} rejected`);
      if (l7Off) evidence.push({ kind: 'fact', text: 'enable-l7-proxy=false', source: configSource(e, 'enable-l7-proxy') });
      evidence.push(...rejected.map((s) => quoteLogLine(s.source, s.line)));
      steps.push({ title: 'Turn the L7 proxy back on', detail: 'toFQDNs and DNS rules need it (it is on by default).', commands: [helmUpgrade(e, 'cilium-l7.yaml')], helmValues: 'l7Proxy: true' });
    }
    const confirmed: Flow[] = [];
    if (e.policies.ok && !l7Off) {
      // Which pods' lookups the DNS proxy never sees (engine/fqdn-visibility.ts); with Hubble flows, the egress
      // policy drops to world from those pods confirm it, and DNS flows the proxy did see from a pod rule it out.
      const pods = e.workloads.ok ? e.workloads.value.filter((w) => !w.hostNetwork).map((w) => ({ namespace: w.namespace, name: w.name, labels: w.labels ?? {} })) : null;
      const flows = e.flows.ok ? e.flows.value.flows : [];
      // A policy with an empty selector that allows no DNS at all default-denies the egress of every endpoint in its
      // scope (DNS, the API server, in-cluster traffic): that outage is policy-default-deny's finding, whose fix adds
      // the DNS rule toFQDNs also needs (cilium/cilium#41894); the FQDN names are the least of it.
      const gaps = fqdnVisibilityGaps(e.policies.value, pods)
        .filter((g) => !(g.dns === 'not-allowed' && isEmptySelector(g.policy.endpointSelector)))
        .map((g) => ({ ...g, pods: g.pods.filter((p) => proxiedLookupsOf(flows, p) === 0) }))
        .filter((g) => pods === null || g.pods.length > 0);
      const confirming = fqdnConfirmingDrops(flows, gaps);
      confirmed.push(...confirming);
      for (const gap of gaps) {
        const names = gap.names.length > 0 ? ` (${gap.names.slice(0, 3).join(', ')})` : '';
        const how = gap.dns === 'l4-only' ? 'port 53 is allowed without one, so the lookups pass but the DNS proxy never sees them' : gap.dns === 'not-allowed' ? 'no egress rule allows DNS at all, so the lookups are dropped before the DNS proxy could see them' : 'the DNS proxy never sees their lookups';
        problems.push(`${gap.ref} uses toFQDNs${names} but no DNS rule (toPorts … rules.dns) covers its pods${gap.pods.length > 0 ? ` (${gap.pods.slice(0, 3).join(', ')})` : ''}: ${how}, so the FQDN allow matches no IP`);
        evidence.push({ kind: 'fact', text: `${gap.ref}: toFQDNs without an L7 DNS rule on port 53${gap.dns === 'l4-only' ? ' (port 53 allowed at L4 only)' : ''}`, source: 'CiliumNetworkPolicy spec' });
      }
      if (confirming.length > 0) {
        problems.push(`Hubble confirms it: ${confirming.length} egress connection${confirming.length === 1 ? '' : 's'} to world IPs dropped by policy (POLICY_DENIED to reserved:world, no FQDN identity)`);
        evidence.push(...confirming.slice(0, 3).map((f) => ({ kind: 'log' as const, text: f.raw.slice(0, 400), source: `hubble observe (${e.flows.ok ? e.flows.value.source : 'flows'})` })));
      }
      const first = gaps[0];
      if (first !== undefined && steps.length === 0) {
        const patch = dnsVisibilityPatch(first);
        steps.push({
          title: 'Add a DNS rule next to toFQDNs',
          detail: `Let the DNS proxy see the lookups (matchPattern "*" allows every name and records its IPs); ${patch.change === 'dns-rules-on-port-53' ? `give ${first.ref}'s port-53 rule` : `add to ${first.ref}'s egress`}:\n\n${patch.added}\n\nThe policy with the rule added:\n\n${patch.policyYaml}`,
          commands: [`kubectl apply -f ${first.policy.name}.yaml   # the policy above`, ...(first.pods[0] !== undefined ? [`hubble observe --pod ${first.pods[0]} --protocol dns --last 20   # dns-request proxy FORWARDED once the rule applies`] : [])],
        });
      }
    }
    const timeouts = findAgentLines(e, TIMEOUT_LINES, 50);
    // Every policy drop Hubble saw is a connection the FQDN allow should have let out: this is their cause, and
    // policy-default-deny would only say "no rule allows these flows".
    const policyDropped = policyDrops(e);
    const explainsDrops = confirmed.length > 0 && policyDropped.every((f) => confirmed.includes(f));
    if (timeouts.length >= TIMEOUT_THRESHOLD) {
      problems.push(`the DNS proxy timed out forwarding ${timeouts.length} lookups to the upstream DNS server`);
      const last = timeouts[timeouts.length - 1];
      if (last !== undefined) evidence.push(quoteLogLine(last.source, last.line));
      steps.push({ title: 'Check the upstream DNS server', detail: 'Timeouts forwarding from the proxy mean CoreDNS (or the upstream it asks) is slow or unreachable from this node.', commands: ['kubectl -n kube-system get pods -l k8s-app=kube-dns -o wide', `hubble observe --node ${e.nodeName} --protocol dns --last 50`] });
    }
    const delayed = findAgentLines(e, DATAPATH_DELAY_LINES, 50);
    if (delayed.length > 0) {
      problems.push(`the DNS proxy released ${delayed.length === 1 ? 'a DNS answer' : `${delayed.length} DNS answers`} before the datapath knew the IPs in ${delayed.length === 1 ? 'it' : 'them'}, so the first connections to those names can be dropped`);
      const last = delayed[delayed.length - 1];
      if (last !== undefined) evidence.push(quoteLogLine(last.source, last.line));
      steps.push({ title: 'Find what slows policy updates on the node', detail: 'The agent could not program the resolved IPs within tofqdns-proxy-response-max-delay: look for endpoint regenerations and policy recomputation at the same time, and upgrade to the latest patch release (#29846 was lock contention). Raising the delay only hides it.', commands: [agentCli(e, 'endpoint list'), `${agentCli(e, 'config')} | grep -i tofqdns`] });
    }
    const lockWaits = findAgentLines(e, LOCK_WAIT_LINES, 200);
    const longest = Math.max(0, ...lockWaits.map((l) => lockWaitSeconds(l.line.fields) ?? 0));
    const contended = lockWaits.length >= LOCK_WAIT_REPEATS || longest >= RESOLVER_TIMEOUT_S;
    if (contended) {
      problems.push(`the DNS proxy held ${lockWaits.length === 1 ? 'a lookup' : `${lockWaits.length} lookups`} waiting for its locks${longest > 0 ? ` (up to ${longest.toFixed(1)} s)` : ''}: too many parallel DNS requests for the proxy, so clients time out`);
      const last = lockWaits[lockWaits.length - 1];
      if (last !== undefined) evidence.push(quoteLogLine(last.source, last.line));
      steps.push({ title: 'Relieve the DNS proxy', detail: 'Find the clients sending the burst of lookups (large or TCP queries, search-path expansion from ndots:5) and cut it, or raise --dnsproxy-lock-count on releases before per-name locks; upgrading to the latest patch release also helps (lock scope was narrowed over time).', commands: [`hubble observe --node ${e.nodeName} --protocol dns --last 200`, `${agentCli(e, 'config')} | grep -i dnsproxy`] });
    }
    if (problems.length === 0) return null;
    return {
      runbookId: ID,
      title: 'FQDN policy / DNS proxy problem',
      severity: 'warning',
      summary: `On ${e.nodeName}, ${problems.join('; and ')}.`,
      evidence,
      blastRadius: computeBlastRadius(e),
      fixSteps: steps,
      docs: [ciliumDoc(e, 'DNS-based policies (toFQDNs)', 'security/policy/language/#dns-based'), ciliumDoc(e, 'DNS proxy', 'security/dns/')],
      proposals: [],
      // One delayed answer can be a passing burst; several, or another problem beside it, is the state of the node.
      confidence: problems.length === 1 && delayed.length > 0 && delayed.length < 3 ? 'medium' : 'certain',
      basis: rejected.length > 0 || timeouts.length >= TIMEOUT_THRESHOLD || delayed.length > 0 || contended ? 'explicit' : 'observed',
      explainsAgentCrash: false,
      ...(explainsDrops && { supersedes: ['policy-default-deny'] }),
    } satisfies Finding;
  },
};
