// Regressions that print nothing specific: reported on version (× config) alone, as info or warning, never
// critical. Each names the thread that concluded it and, where upstream says so, the release with the fix.
import type { KnownIssue } from './schema.ts';
import { configIn } from './constraints.ts';

const CILIUM = 'https://github.com/cilium/cilium';

export const SILENT_REGRESSIONS: readonly KnownIssue[] = [
  {
    id: '1.11-cluster-pool-duplicate-podcidr',
    title: 'cluster-pool IPAM hands out duplicate PodCIDRs when nodes join while the operator is down',
    // dylandreimerink on #21482: v1.10 is not affected, a queue added in v1.11 causes it. Release notes of v1.11.11
    // and v1.12.4: "Fix overlapping/duplicate PodCIDR allocation when nodes are added while operator is down".
    cilium: '>=1.11.0 <1.11.11 || >=1.12.0 <1.12.4',
    fixedIn: ['1.11.11', '1.12.4'],
    when: configIn('ipam', ['cluster-pool']),
    versionOnly: 'info',
    explainsCrash: false,
    links: { issue: `${CILIUM}/issues/21482`, fix: [`${CILIUM}/pull/21526`, `${CILIUM}/pull/22073`, `${CILIUM}/pull/22028`] },
    fix: 'Upgrade to 1.11.11 / 1.12.4 or later; until then keep cilium-operator running while nodes join, and check CiliumNodes for overlapping podCIDRs.',
  },
  {
    id: '1.14-agent-high-cpu',
    title: 'Cilium 1.14 agents burn CPU (possible memory leak) until the December patch releases',
    // #29382 closed as a duplicate of #29175; aanm: "the fix will be made available in the mid-December patch
    // releases"; deckhouse bumped to 1.14.5 for it (deckhouse PR #6877).
    cilium: '>=1.14.0 <1.14.5',
    fixedIn: ['1.14.5'],
    versionOnly: 'info',
    explainsCrash: false,
    links: { issue: `${CILIUM}/issues/29175`, fix: [`${CILIUM}/issues/29382`, 'https://github.com/deckhouse/deckhouse/pull/6877'] },
    fix: 'Upgrade to 1.14.5 or later.',
  },
  {
    id: '1.10.0-ipam-crd-start',
    title: 'Agent does not start with ipam: crd on Cilium 1.10.0',
    cilium: '1.10.0',
    when: configIn('ipam', ['crd']),
    versionOnly: 'warning',
    explainsCrash: false,
    links: { issue: `${CILIUM}/issues/16492`, fix: [`${CILIUM}/pull/16493`] },
    fix: 'Move to a 1.10 patch release carrying PR #16493 ("ipam: fix crd mode"); the thread names no release.',
  },
  {
    id: '1.19-stale-lb-backends-after-reconnect',
    title: 'Stale Service backends kept after an API-server reconnect until the EndpointSlice changes again',
    // #48050: the reporter on v1.19.2 found it fixed in v1.19.3 by PR #45198.
    cilium: '>=1.19.0 <1.19.3',
    fixedIn: ['1.19.3'],
    versionOnly: 'info',
    explainsCrash: false,
    links: { issue: `${CILIUM}/issues/48050`, fix: [`${CILIUM}/pull/45198`] },
    fix: 'Upgrade to 1.19.3 or later; meanwhile touching the affected EndpointSlice or restarting the agent resynchronises the backends.',
  },
];
