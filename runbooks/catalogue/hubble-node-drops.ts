// hubble-node-drops: what Hubble saw dropped on this node in the last N minutes (read from Relay by the collector,
// jobs/hubble/node-flows.ts), grouped by drop reason and direction. Policy drops are `info` here because
// policy-default-deny explains them; any other drop reason is the datapath itself dropping (flow.proto DropReason,
// pkg/monitor/api/drop.go) and is a `warning`. Only Relay-read flows count: a paste says nothing about a window.
import type { EvidenceQuote, Finding, Runbook } from '../engine/contract.ts';
import type { Evidence, Flow } from '../engine/evidence.ts';
import { isL7Denial, isPolicyDrop } from '../engine/evidence.ts';
import { computeBlastRadius } from '../engine/blast-radius.ts';
import { ciliumDoc } from '../engine/runbook-kit.ts';
import { endpoint } from '../engine/policy-drops.ts';

const ID = 'hubble-node-drops';

const podOnly = (s: string): string => endpoint(s).replace(/:\d+$/, '');
const isDrop = (f: Flow): boolean => f.verdict === 'DROPPED' || f.verdict === 'ERROR' || (f.verdict === 'DENIED' && f.reason.startsWith('policy-verdict'));

interface Group { reason: string; direction: string; policy: boolean; flows: Flow[] }

/** Drop notifications, or a policy-verdict event when no drop notification of that packet came (cilium/hubble#745). */
function groupsOf(flows: Flow[]): Group[] {
  const notifications = flows.filter((f) => isDrop(f) && !f.reason.startsWith('policy-verdict'));
  const counted = notifications.length > 0 ? notifications : flows.filter(isDrop);
  const groups = new Map<string, Group>();
  for (const f of counted) {
    const reason = f.dropReason ?? (isPolicyDrop(f) ? 'POLICY_DENIED' : f.reason);
    const direction = f.direction ?? 'unknown direction';
    const key = `${reason}|${direction}`;
    const g = groups.get(key) ?? { reason, direction, policy: isPolicyDrop(f) || reason === 'POLICY_DENY' || isL7Denial(f), flows: [] };
    g.flows.push(f);
    groups.set(key, g);
  }
  return [...groups.values()].sort((a, b) => b.flows.length - a.flows.length);
}

function topPairs(flows: Flow[]): string[] {
  const count = new Map<string, number>();
  for (const f of flows) {
    const pair = `${podOnly(f.source)} → ${endpoint(f.destination)}`;
    count.set(pair, (count.get(pair) ?? 0) + 1);
  }
  return [...count.entries()].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([p, n]) => `${p} (${n})`);
}

/** `/cilium why-dropped` for the busiest policy-dropped pair whose two ends are pods. */
function whyDroppedCommand(flows: Flow[]): string | null {
  const f = flows.find((x) => /^[a-z0-9-]+\/[a-z0-9.-]+/.test(podOnly(x.source)) && /^[a-z0-9-]+\/[a-z0-9.-]+/.test(podOnly(x.destination)));
  if (f === undefined) return null;
  const port = f.port === undefined ? '' : `:${f.port}`;
  return `/cilium why-dropped ${podOnly(f.source)} ${podOnly(f.destination)}${port}`;
}

export const hubbleNodeDrops: Runbook = {
  id: ID,
  title: 'Dropped on this node (Hubble)',
  severity: 'warning',
  rank: 85,
  // Flows are read only with HUBBLE_RELAY_ADDR or in-cluster; when they were not even tried, what is known is
  // whether Hubble is on (hubble-disabled reports it), so that is what the check needs.
  needs: (e) => (!e.flows.ok && e.flows.detail.startsWith('not collected') ? ['hubble'] : ['flows']),
  match(e: Evidence): Finding | null {
    if (!e.flows.ok || e.flows.value.source !== 'hubble-relay') return null;
    const groups = groupsOf(e.flows.value.flows);
    if (groups.length === 0) return null;
    const minutes = e.flows.value.windowMinutes;
    const window = minutes === undefined ? 'recently' : `in the last ${minutes} minute${minutes === 1 ? '' : 's'}`;
    const total = groups.reduce((n, g) => n + g.flows.length, 0);
    const datapath = groups.filter((g) => !g.policy);
    const missed = (e.flows.value.coverage?.unavailableNodes ?? []).some((n) => n === e.nodeName || n.endsWith(`/${e.nodeName}`));
    const evidence: EvidenceQuote[] = groups.slice(0, 6).map((g) => ({
      kind: 'fact',
      text: `${g.flows.length} × ${g.reason} (${g.direction}): ${topPairs(g.flows).join('; ')}`,
      source: `Hubble Relay, node ${e.nodeName}, ${window}`,
    }));
    for (const g of groups.slice(0, 3)) {
      const sample = g.flows[0];
      if (sample !== undefined) evidence.push({ kind: 'log', text: sample.raw.slice(0, 400), source: 'hubble observe (hubble-relay)' });
    }
    const command = whyDroppedCommand(groups.filter((g) => g.policy).flatMap((g) => g.flows));
    return {
      runbookId: ID,
      title: `Dropped on ${e.nodeName} ${window}: ${total} flow${total === 1 ? '' : 's'}${e.flows.value.truncated ? '+' : ''}`,
      severity: datapath.length > 0 ? 'warning' : 'info',
      summary: `Hubble saw ${total} dropped flow${total === 1 ? '' : 's'} on ${e.nodeName} ${window}: ${groups.slice(0, 4).map((g) => `${g.flows.length} × ${g.reason} at ${g.direction}`).join(', ')}${groups.length > 4 ? ', …' : ''}.` +
        (datapath.length > 0 ? ` ${datapath.map((g) => g.reason).join(', ')} ${datapath.length === 1 ? 'is' : 'are'} the datapath dropping, not policy.` : ' All are policy decisions.') +
        (missed ? ' Relay reported this node unavailable during the read: the list may be incomplete.' : ''),
      evidence,
      blastRadius: computeBlastRadius(e),
      fixSteps: [
        ...(command === null ? [] : [{ title: 'Ask why a pair is dropped', detail: 'Groups the drops between two pods by reason and direction, names the missing allow and, for DNS, the rule to add.', commands: [command] }]),
        { title: 'Watch the drops live', detail: 'The same view from a terminal with the hubble CLI (after `cilium hubble port-forward`).', commands: [`hubble observe --node ${e.nodeName} --verdict DROPPED --since ${minutes ?? 15}m`] },
      ],
      docs: [ciliumDoc(e, 'Inspecting network flows with the CLI', 'observability/hubble/hubble-cli/')],
      proposals: [],
      confidence: 'certain',
      basis: 'observed',
      explainsAgentCrash: false,
    };
  },
};
