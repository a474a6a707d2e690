// Cilium bugs whose sign is a Go panic: the frame (function in the stack) or the panic message that only this bug
// prints, the releases it affects and the fix. A frame inside Cilium's own tree is specific by nature: it appears
// only when that code path crashed, so these entries stay signature-only (never reported on version alone). Each
// quote is copied verbatim from the thread in `quotedAt`.
import type { KnownIssue } from './schema.ts';

const CILIUM = 'https://github.com/cilium/cilium';

export const PANICS: readonly KnownIssue[] = [
  {
    id: '1.13-fqdn-lookupip-invalid-ip-panic',
    title: 'Agent panics "addr is not a valid IP address" looking up an L7 flow\'s IP in the FQDN cache (Hubble)',
    // #22949 on v1.13.0-rc2 (DNSCache.LookupIP via ip.MustAddrFromIP); gandro's PR #22994 ("hubble: Fix panic if IP
    // address cannot be parsed", Fixes: #22949) moved the conversion into Hubble. The thread names no release.
    cilium: '>=1.13.0-pre.0 <1.14.0',
    signature: { source: 'agent-log', pattern: /addr is not a valid IP address|pkg\/fqdn\.\(\*DNSCache\)\.LookupIP\(/, quote: 'panic: addr is not a valid IP address', quotedAt: `${CILIUM}/issues/22949` },
    explainsCrash: true,
    links: { issue: `${CILIUM}/issues/22949`, fix: [`${CILIUM}/pull/22994`] },
    fix: 'Take a 1.13 release carrying PR #22994; until then turning Hubble L7 visibility (or Hubble) off stops the crashes.',
  },
  {
    id: '1.18.0-hubble-rule-origin-segfault',
    title: 'Agent segfaults in policy.ruleOrigin.Value after upgrading to 1.18.0 with Hubble enabled',
    // #40804 (1.18.0, "Regression: 1.18.0-rc.1") and the ARM64 report #41466; squeed's PR #40824 ("policy / hubble:
    // fix segfault on startup when hubble enabled"): a failed regeneration re-populated the MapState without the rule
    // origin. The thread names no release.
    cilium: '>=1.18.0 <1.19.0',
    signature: { source: 'agent-log', pattern: /pkg\/policy\.ruleOrigin\.Value\(/, quote: 'github.com/cilium/cilium/pkg/policy.ruleOrigin.Value(...)', quotedAt: `${CILIUM}/issues/40804` },
    explainsCrash: true,
    links: { issue: `${CILIUM}/issues/40804`, fix: [`${CILIUM}/pull/40824`, `${CILIUM}/issues/41466`] },
    fix: 'Take the 1.18 patch release carrying PR #40824; until then hubble.enabled=false keeps the agent up (the workaround in #41466).',
  },
  {
    id: '1.17-operator-bgp-secrets-namespace-panic',
    title: 'cilium-operator crash-loops in the BGP peer-config status reconciler when bgp-secrets-namespace is not set',
    // #42408: operator/pkg/bgpv2/peer.go:85 dereferences the nil Secret resource; rastislavs' PR #42425 ("oper/bgp:
    // Disable PeerConfigStatusReconciler with empty bgp-secrets-namespace", Fixes: #42408). The reconciler came with
    // the MissingAuthSecret condition (PR #35650, 1.17 cycle). The thread names no release.
    cilium: '>=1.17.0',
    signature: { source: 'agent-log', pattern: /operator\/pkg\/bgpv2\.\(\*peerConfigStatusReconciler\)\.reconcileStatus\(/, quote: 'github.com/cilium/cilium/operator/pkg/bgpv2.(*peerConfigStatusReconciler).reconcileStatus(0xc001792d20, {0x447c978, 0xc000620ae0}, {0xc0017ffd78?, 0x4b37b3?})', quotedAt: `${CILIUM}/issues/42408` },
    explainsCrash: false,
    links: { issue: `${CILIUM}/issues/42408`, fix: [`${CILIUM}/pull/42425`] },
    fix: 'Operator only: set bgpControlPlane.secretsNamespace (bgp-secrets-namespace; the Helm chart defaults it) or take a release carrying PR #42425.',
  },
  {
    id: '1.15-local-node-store-panic-after-failed-start',
    title: 'A failed agent start ends in a second, misleading panic in LocalNodeStore.Observe (cleanup skipped)',
    // PR #32673 ("daemon: Cleanup after a failed start", fixes #32647): when newDaemon/startDaemon fail, the hive stops
    // the local node store while the DNS proxy still uses it, so the agent panics after its real error. Merged in the
    // 1.16 cycle; the 1.15 backport (PR #36801) was closed without merging, so 1.15 keeps it.
    cilium: '>=1.15.0 <1.16.0',
    signature: { source: 'agent-log', pattern: /pkg\/node\.\(\*LocalNodeStore\)\.Observe\(/, quote: 'github.com/cilium/cilium/pkg/node.(*LocalNodeStore).Observe(0x3f4cfb0? ...', quotedAt: `${CILIUM}/pull/32673` },
    explainsCrash: false,
    links: { issue: `${CILIUM}/issues/32647`, fix: [`${CILIUM}/pull/32673`, `${CILIUM}/pull/36801`] },
    fix: 'The panic is a consequence, not the cause: fix the error logged just before it ("failed to start: daemon creation failed: …"). Cilium 1.16 runs the cleanup and no longer panics there.',
  },
  {
    id: '1.15-auth-gc-concurrent-map-iteration',
    title: 'Agent dies with "concurrent map iteration and map write" in the auth map garbage collector',
    // #33468 on 1.15.6 (authmap_gc.go:446); fixed by PR #33634 ("auth: fix fatal error: concurrent map iteration and
    // map write"). The auth map GC came with mutual authentication in 1.14; the thread names no fixed release.
    cilium: '>=1.14.0 <1.17.0',
    signature: { source: 'agent-log', pattern: /pkg\/auth\.\(\*authMapGarbageCollector\)\.cleanupEndpoints/, quote: '2024-06-26T09:23:08.880685482Z stderr F github.com/cilium/cilium/pkg/auth.(*authMapGarbageCollector).cleanupEndpoints(0x4000894000, {0x40011a0780?, 0x4001a105a0?})', quotedAt: `${CILIUM}/issues/33468` },
    explainsCrash: true,
    links: { issue: `${CILIUM}/issues/33468`, fix: [`${CILIUM}/pull/33634`] },
    fix: 'Take a release carrying PR #33634 (merged July 2024; the thread names no release, so check your branch\'s release notes); the agent restarts on its own meanwhile, under pod churn it may crash again.',
  },
  {
    id: '1.17.14-operator-identitygc-nil-manager',
    title: 'cilium-operator panics on shutdown in identitygc (nil controller manager) when the CRD identity GC never started',
    // #45087 (reporter on 1.17.14): with disable-endpoint-crd and the CiliumEndpoint CRD missing, startCRDModeGC
    // returns early and OnStop calls RemoveAllAndWait on a nil manager; the nil check went into the v1.17 backports of
    // 2026-04-08 (PR #45238), which names no release.
    cilium: '>=1.17.14 <1.18.0',
    signature: { source: 'agent-log', pattern: /operator\/identitygc\.registerGC\.func\d+\(/, quote: 'ERROR 2026-03-26T17:33:44.180718824Z github.com/cilium/cilium/operator/identitygc.registerGC.func2({0x14e21b68b4b8?, 0x5b7834?})', quotedAt: `${CILIUM}/issues/45087` },
    explainsCrash: false,
    links: { issue: `${CILIUM}/issues/45087`, fix: [`${CILIUM}/pull/45238`] },
    fix: 'Operator only, at shutdown: the agents are not affected. Take the 1.17 patch release carrying the v1.17 backports of PR #45238; until then the panic only ends an operator that was already stopping.',
  },
  {
    id: '1.13-operator-cep-crd-disabled-panic',
    title: 'cilium-operator panics in endpointUpdated when the CiliumEndpoint CRD is disabled (CES on, kvstore identities)',
    // #24396 (v1.13.0, priority/high): the CES controller is nil with disable-endpoint-crd, yet the endpoint watcher
    // calls it; reproduced on main in May 2023. The thread names no fixed release.
    cilium: '>=1.13.0',
    signature: { source: 'agent-log', pattern: /operator\/watchers\.endpointUpdated\(/, quote: '196 2023-03-15T16:37:15.328137988Z github.com/cilium/cilium/operator/watchers.endpointUpdated(0x4000886ea0)', quotedAt: `${CILIUM}/issues/24396` },
    explainsCrash: false,
    links: { issue: `${CILIUM}/issues/24396` },
    fix: 'Operator only (another replica takes the lead after each panic): turn CiliumEndpointSlice off while disableEndpointCRD is true, or re-enable the CiliumEndpoint CRD; check your release notes for the fix of #24396.',
  },
  {
    id: '1.13-bgp-lb-service-announcements-nil-map',
    title: 'Agent panics "assignment to entry in nil map" in the BGP LB service reconciler after the BGP server is re-initialised',
    // #24975 (upgrade 1.13.1 → 1.13.2, BGP control plane): a change to global BGP parameters (router-id) re-created the
    // server config without its ServiceAnnouncements map; harsimran-pabla's PR #24985 ("bgpv1: initialize service
    // announcement map on reinit", Fixes: #24975), marked for backport to 1.13. The thread names no release.
    cilium: '>=1.13.0 <1.14.0',
    signature: { source: 'agent-log', pattern: /pkg\/bgpv1\/gobgp\.\(\*LBServiceReconciler\)\.reconcileService\(/, quote: 'cilium-agent github.com/cilium/cilium/pkg/bgpv1/gobgp.(*LBServiceReconciler).reconcileService(0x0?, {0x3888e58, 0xc000b72000}, 0xc000de7e00, 0x9?, 0x0?)', quotedAt: `${CILIUM}/issues/24975` },
    explainsCrash: true,
    links: { issue: `${CILIUM}/issues/24975`, fix: [`${CILIUM}/pull/24985`] },
    fix: 'Take the 1.13 patch release carrying PR #24985; until then avoid changing the BGP router-id / global parameters of a running peering policy.',
  },
  {
    id: '1.16-dns-history-device-names-panic',
    title: 'Agent panics in LocalNodeConfiguration.DeviceNames when a restored endpoint writes its header before the datapath is ready',
    // #34019 ("I still encounter this daily", 2024-08); joamaki's PR #34059 ("endpoint: Init DNS history trigger only
    // when datapath is ready for it") shows the same stack: a restored endpoint doing DNS requests while the first
    // loader Reinitialize() is still pending. The threads name no release.
    cilium: '>=1.16.0 <1.17.0',
    signature: { source: 'agent-log', pattern: /pkg\/datapath\/types\.\(\*LocalNodeConfiguration\)\.DeviceNames\(/, quote: 'github.com/cilium/cilium/pkg/datapath/types.(*LocalNodeConfiguration).DeviceNames(...)', quotedAt: `${CILIUM}/issues/34019` },
    explainsCrash: true,
    links: { issue: `${CILIUM}/issues/34019`, fix: [`${CILIUM}/pull/34059`] },
    fix: 'Take the 1.16 patch release carrying PR #34059; the crash is a startup race, so the agent usually comes up on a later restart.',
  },
  {
    id: 'operator-identity-gc-limiter-after-stop',
    title: 'cilium-operator panics "limiter misuse" in the kvstore identity GC while shutting down',
    // HadrienPatte's PR #42217 ("operator: Prevent panic when GCing identities"): the OnStop hook stops the rate
    // limiter before the worker pool, so runAuthGC can still call Wait on it. Auth-identity GC came with mutual
    // authentication (1.14). The PR names no release.
    cilium: '>=1.14.0',
    signature: { source: 'agent-log', pattern: /limiter misuse: Allow \/ Wait \/ WaitN called concurrently after Stop/, quote: 'panic: limiter misuse: Allow / Wait / WaitN called concurrently after Stop', quotedAt: `${CILIUM}/pull/42217` },
    explainsCrash: false,
    links: { issue: `${CILIUM}/pull/42217`, fix: [`${CILIUM}/pull/42217`] },
    fix: 'Operator only, at shutdown (kvstore identity mode): harmless for the datapath; take a release carrying PR #42217.',
  },
  {
    id: '1.16-cec-headless-service-segfault',
    title: 'Agent segfaults syncing a CiliumEnvoyConfig headless Service (cecManager.getEndpoint on a nil endpoint)',
    // #37187 (segfaults on 1.16.2 and 1.16.5, stack through ciliumEnvoyConfigReconciler.syncHeadlessService and
    // cecManager.syncCiliumEnvoyConfigService); fix PR #37188 ("agent: defend against null pointer refs in
    // cecManager.getEndpoint()"), listed in the 1.17.1 release notes as Backport PR #37375. A 1.16 backport is not named.
    cilium: '>=1.16.0 <1.17.1',
    fixedIn: ['1.17.1'],
    signature: { source: 'agent-log', pattern: /pkg\/ciliumenvoyconfig\.\(\*(?:cecManager\)\.getEndpoint|ciliumEnvoyConfigReconciler\)\.syncHeadlessService)\(/, quote: 'github.com/cilium/cilium/pkg/ciliumenvoyconfig.(*ciliumEnvoyConfigReconciler).syncHeadlessService(0xc002464000, {0xc011f67d78?, 0x49ef6f?})', quotedAt: `${CILIUM}/issues/37187` },
    explainsCrash: true,
    links: { issue: `${CILIUM}/issues/37187`, fix: [`${CILIUM}/pull/37188`, `${CILIUM}/pull/37375`] },
    fix: 'Upgrade to 1.17.1 or later (PR #37188, backport #37375); on 1.16 check the release notes for a backport of #37188.',
  },
];
