// fqdn-dns-proxy: toFQDNs policies that cannot work, and a struggling DNS proxy. Fact sheet §6: toFQDNs IPs are
// learned only from DNS answers the proxy sees, which needs `enable-l7-proxy=true` and an L7 DNS rule (docs note from
// PR #26180; #7109; #32567 maintainer: "there are no port 53 rules to trigger DNS interception, which is also
// required for ToFQDN rules to work"). §2.9: with the L7 proxy off the policy is rejected, `Unable to add
// CiliumNetworkPolicy … L7 policy is not supported since L7 proxy is not enabled` (PR #40549); proxy forward
// timeouts `Timeout waiting for response to forwarded proxied DNS lookup` (slog module=agent.controlplane.fqdn.dns-proxy
// #43643; logfmt subsys=fqdn/dnsproxy #24844, #12503) — one is routine upstream slowness, repeated is a finding.
import type { EvidenceQuote, Finding, FixStep, Runbook } from '../engine/contract.ts';
import { computeBlastRadius } from '../engine/blast-radius.ts';
import { findAgentLines, quoteLogLine, type LogQuery } from '../engine/agent-logs.ts';
import { allPolicies, policyRef, policySelects } from '../engine/policy-selector.ts';
import { ciliumDoc, configValue } from '../engine/runbook-kit.ts';
import { agentCli, helmUpgrade } from '../engine/install-commands.ts';
import { configSource } from '../engine/effective-config.ts';

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
    if (e.policies.ok && !l7Off) {
      const all = allPolicies(e.policies.value);
      const pods = e.workloads.ok ? e.workloads.value.filter((w) => !w.hostNetwork) : null;
      for (const { policy, kind } of fqdn) {
        if (policy.hasDnsRule === true) continue;
        // With the node's pods, check what really selects them; without, any DNS rule in scope counts.
        const covered = pods === null
          ? all.some(({ policy: o, kind: ok }) => o.hasDnsRule === true && (ok === 'ccnp' || o.namespace === policy.namespace))
          : pods.filter((p) => policySelects(policy, kind, { namespace: p.namespace, labels: p.labels ?? {} }) === true)
            .every((p) => all.some(({ policy: o, kind: ok }) => o.hasDnsRule === true && policySelects(o, ok, { namespace: p.namespace, labels: p.labels ?? {} }) !== false));
        if (covered) continue;
        problems.push(`${policyRef(policy, kind)} uses toFQDNs but no DNS rule (toPorts … rules.dns) covers its pods, so the DNS proxy never sees their lookups and the FQDN allow matches no IP`);
        evidence.push({ kind: 'fact', text: `${policyRef(policy, kind)}: toFQDNs without an L7 DNS rule`, source: 'CiliumNetworkPolicy spec' });
      }
      if (problems.length > 0 && steps.length === 0) {
        steps.push({
          title: 'Add a DNS rule next to toFQDNs',
          detail: 'Add to the same policy\'s egress:\n\n- toEndpoints:\n    - matchLabels:\n        k8s:io.kubernetes.pod.namespace: kube-system\n        k8s-app: kube-dns\n  toPorts:\n    - ports: [{port: "53", protocol: ANY}]\n      rules:\n        dns: [{matchPattern: "*"}]',
          commands: ['kubectl get cnp,ccnp -A -o yaml | grep -n -A3 toFQDNs'],
        });
      }
    }
    const timeouts = findAgentLines(e, TIMEOUT_LINES, 50);
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
      basis: rejected.length > 0 || timeouts.length >= TIMEOUT_THRESHOLD || delayed.length > 0 ? 'explicit' : 'observed',
      explainsAgentCrash: false,
    } satisfies Finding;
  },
};
