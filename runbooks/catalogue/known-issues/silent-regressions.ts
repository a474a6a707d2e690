// Regressions that print nothing specific: reported on version (× config) alone, as info or warning, never
// critical. Each names the thread that concluded it and, where upstream says so, the release with the fix.
import type { KnownIssue } from './schema.ts';
import { allOf, configIn, configOn, configSet, kernelBetween, platformIs } from './constraints.ts';

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
  {
    id: '1.11.15-ipsec-upgrade-drops',
    title: 'Upgrading to 1.11.15 with IPsec drops connections between nodes',
    // PR #24632 ("Add IPSec remark for upgrade to v1.11.15"); PR #24974: "The IPsec upgrade issue ... is fixed in
    // v1.11.16", a few packet drops during the upgrade remaining.
    cilium: '1.11.15',
    fixedIn: ['1.11.16'],
    when: configOn('enable-ipsec'),
    versionOnly: 'warning',
    explainsCrash: false,
    links: { issue: `${CILIUM}/pull/24632`, fix: [`${CILIUM}/pull/24974`] },
    fix: 'Upgrade to 1.11.16 or later; the upgrade guide of 1.11 documents the XFRM state/policy flush that mitigates it meanwhile.',
  },
  {
    id: '1.12.8-ipsec-upgrade-drops',
    title: 'Upgrading to 1.12.8 with IPsec drops connections (stale XFRM state and policies)',
    // "Add IPSec remark for upgrade to v1.12.8" (PR #24630) and its corrected mitigation, PR #24702 ("The XFRM policies
    // also need to be flushed"); pchaigno on #27119: v1.12.8+ have IPsec bugs that drop packets. No fixed release named.
    cilium: '1.12.8',
    when: configOn('enable-ipsec'),
    versionOnly: 'warning',
    explainsCrash: false,
    links: { issue: `${CILIUM}/issues/27119`, fix: [`${CILIUM}/pull/24630`, `${CILIUM}/pull/24702`] },
    fix: 'Flush the XFRM states and policies on affected nodes as the 1.12 upgrade notes say (PR #24702), or replace the nodes; then move to a later 1.12 patch.',
  },
  {
    id: '1.13.1-ipsec-state-not-refreshed',
    title: 'Upgrading to 1.13.1 with IPsec leaves the IPsec state stale and drops connections in the cluster',
    // Documentation/operations/upgrade.rst, "1.13.1 Upgrade Notes" (PR #24705): "In upgrades to Cilium v1.13.1 with
    // IPsec enabled, the IPsec state is not refreshed, which causes dropped connections in the cluster."
    cilium: '1.13.1',
    when: configOn('enable-ipsec'),
    versionOnly: 'warning',
    explainsCrash: false,
    links: { issue: `${CILIUM}/pull/24705`, fix: [`${CILIUM}/issues/27119`] },
    fix: 'Replace the workload nodes (fresh IPsec state) or flush the current state on each node as the 1.13.1 upgrade notes describe; then take a later 1.13 patch.',
  },
  {
    id: '1.13-wireguard-pubkey-annotation-dropped',
    title: 'After a node restart its new WireGuard public key never reaches the other nodes (CiliumNode annotation update dropped)',
    // #25492: the agent discarded CiliumNode updates whose spec/status/labels were unchanged, but the wg public key
    // travels in an annotation; PR #25465 ("Compare annotations before discarding CiliumNode updates") is in the
    // v1.13.4 release notes as Backport PR #25588. Other branches' backports are not named.
    cilium: '>=1.13.0 <1.13.4',
    fixedIn: ['1.13.4'],
    when: configOn('enable-wireguard'),
    versionOnly: 'warning',
    explainsCrash: false,
    links: { issue: `${CILIUM}/issues/25492`, fix: [`${CILIUM}/pull/25465`, `${CILIUM}/pull/25588`] },
    fix: 'Upgrade to 1.13.4 or later; meanwhile restarting the agents on the other nodes makes them read the new key.',
  },
  {
    id: '1.16-wireguard-allowed-ips-after-key-change',
    title: 'WireGuard peers lose their node IPs from allowed-ips after a node restart changes its public key',
    // #35644 (affects/v1.16; "not for v1.15"): bisected to 3ebfa4d ("wireguard: Use dummy peer for allowed IP
    // removal", PR #34612); jrife's PR #35750 ("wireguard: Reinitialize peer when public key changes") fixes it. The
    // threads name no release; 1.17.0 was branched after #35750 merged.
    cilium: '>=1.16.0 <1.17.0',
    when: configOn('enable-wireguard'),
    versionOnly: 'info',
    explainsCrash: false,
    links: { issue: `${CILIUM}/issues/35644`, fix: [`${CILIUM}/pull/35750`, `${CILIUM}/pull/34612`] },
    fix: 'Take the 1.16 patch release carrying PR #35750 (check the release notes; none is named) or 1.17; restarting the agents on the peers re-syncs allowed-ips meanwhile.',
  },
  {
    id: 'wireguard-kvstore-stale-peer-gc-on-restart',
    title: 'WireGuard + kvstore: peers are garbage-collected before kvstore sync on agent restart, briefly cutting node-to-node traffic',
    // #31985 (giorio94): in kvstore mode the stale-peer GC does not wait for the kvstore node list; PR #34062
    // ("wireguard: wait for kvstore synchronization before stale peers GC", Fixes: #31985). No release named.
    cilium: '>=1.15.0 <1.17.0',
    when: allOf(configOn('enable-wireguard'), configSet('kvstore')),
    versionOnly: 'info',
    explainsCrash: false,
    links: { issue: `${CILIUM}/issues/31985`, fix: [`${CILIUM}/pull/34062`] },
    fix: 'Take a release carrying PR #34062; the disruption is temporary (peers return when the kvstore node events arrive).',
  },
  {
    id: '1.14.0-cidr-identities-released-after-restart',
    title: 'Cilium 1.14.0 releases valid CIDR identities 10 minutes after an agent restart, so fromCIDR/toCIDR policies start dropping',
    // #27210 (host firewall + fromCIDR CCNP): restored CIDR identities are dropped after identity-restore-grace-period;
    // joestringer's fix (PR #27255, then the narrower PR #27327) was built on the v1.14 branch "including all other
    // fixes slated for the v1.14.1 release"; the thread does not name the release that shipped it.
    cilium: '1.14.0',
    versionOnly: 'info',
    explainsCrash: false,
    links: { issue: `${CILIUM}/issues/27210`, fix: [`${CILIUM}/pull/27327`, `${CILIUM}/pull/27255`] },
    fix: 'Move to a later 1.14 patch release carrying PR #27327; a longer identity-restore-grace-period only postpones the drops.',
  },
  {
    id: '1.12-eks-apiserver-scale-down-outage',
    title: 'On EKS, a kube-apiserver scale-down leaves the agents talking to a removed apiserver (401 Unauthorized) and cuts pod networking',
    // #20915: not present in 1.11, seen on 1.12; christarazi tied #22623 to it; fixes PR #21629 ("Fix agent deadlock
    // caused by frequent kube-apiserver IP recycling") and the 1.13.1 release note "[EKS] Fix deadlock causing network
    // connectivity outages when kube-apiservers scale down" (Upstream PR #23836). A 1.12 release is not named.
    cilium: '>=1.12.0 <1.13.1',
    when: platformIs('eks'),
    versionOnly: 'info',
    explainsCrash: false,
    links: { issue: `${CILIUM}/issues/20915`, fix: [`${CILIUM}/pull/21629`, `${CILIUM}/pull/23836`] },
    fix: 'Upgrade to 1.13.1 or later (or the 1.12 patch carrying PR #21629); restarting the agent and operator reconnects them to a live apiserver meanwhile.',
  },
  {
    id: '1.17-lb-ipam-reallocates-on-slow-apiserver',
    title: 'LB-IPAM reallocates existing LoadBalancer IPs when the operator restarts while the apiserver is slow',
    // #43131 (reported on 1.17.10+): "This issue is resolved starting from v1.18.2, which includes the following PRs":
    // #41147 (validate existing LBs before new allocations) and #41122 (handle unsatisfied LBs first).
    cilium: '>=1.17.0 <1.18.2',
    fixedIn: ['1.18.2'],
    versionOnly: 'info',
    explainsCrash: false,
    links: { issue: `${CILIUM}/issues/43131`, fix: [`${CILIUM}/pull/41147`, `${CILIUM}/pull/41122`] },
    fix: 'Upgrade to 1.18.2 or later; until then avoid creating LoadBalancer Services while cilium-operator restarts.',
  },
  {
    id: 'ipsec-vxlan-4.19-xfrm-out-state-mode-error',
    title: 'IPsec with VXLAN on 4.19-era kernels drops packets with XfrmOutStateModeError (kernel bug, fixed in newer kernels)',
    // #32192 (julianwiedmann): seen in ipsec-e2e only with VXLAN, on 4.19 and RHEL 8.6 kernels, not on RHEL 8.9 or
    // latest 5.4-stable: "a kernel bug that was fixed in newer versions".
    cilium: '>=1.14.0',
    kernel: kernelBetween([4, 19, 0], [4, 20, 0]),
    when: allOf(configOn('enable-ipsec'), configIn('tunnel-protocol', ['vxlan'])),
    versionOnly: 'info',
    explainsCrash: false,
    links: { issue: `${CILIUM}/issues/32192` },
    fix: 'Move the nodes to a newer kernel (RHEL 8.9+, a current 5.4/5.10 stable), or use GENEVE instead of VXLAN with IPsec.',
  },
  {
    id: 'ghsa-24m5-r6hv-ccgp-proxy-visibility-segfault',
    title: 'With the L7 proxy disabled, a workload carrying a proxy-visibility annotation makes the agent segfault (GHSA-24m5-r6hv-ccgp)',
    // Advisory GHSA-24m5-r6hv-ccgp: affects <= 1.14.1, <= 1.13.6, <= 1.12.13 (policy.cilium.io/proxy-visibility from
    // 1.13, io.cilium.proxy-visibility before); resolved in 1.14.2, 1.13.7 and 1.12.14; workaround: enable the L7 proxy.
    cilium: '>=1.12.0 <1.12.14 || >=1.13.0 <1.13.7 || >=1.14.0 <1.14.2',
    fixedIn: ['1.12.14', '1.13.7', '1.14.2'],
    when: configIn('enable-l7-proxy', ['false']),
    versionOnly: 'info',
    explainsCrash: false,
    links: { issue: 'https://github.com/advisories/GHSA-24m5-r6hv-ccgp' },
    fix: 'Upgrade to 1.12.14 / 1.13.7 / 1.14.2 or later, or enable the L7 proxy (the advisory\'s workaround); meanwhile remove proxy-visibility annotations from workloads on affected nodes.',
  },
];
