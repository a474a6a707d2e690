// Cilium regressions whose user-visible sign is a specific agent log line (or event / status text): the release
// range they affect, the fix PR and, where the maintainers named it, the release that carries the fix. Each quote is
// copied verbatim from the thread in `quotedAt`.
import type { KnownIssue } from './schema.ts';
import { configIn } from './constraints.ts';

const CILIUM = 'https://github.com/cilium/cilium';

export const AGENT_REGRESSIONS: readonly KnownIssue[] = [
  {
    id: '1.6.6-ipv6-sysctl-fatal',
    title: '1.6.6 sets IPv6 sysctls although enable-ipv6=false and dies on hosts without IPv6',
    cilium: '>=1.6.6 <1.7.0',
    when: configIn('enable-ipv6', ['false']),
    signature: { source: 'agent-log', pattern: /Error when enabling sysctl parameters(?:(?!Error when enabling sysctl parameters).)*\/proc\/sys\/net\/ipv6\//, quote: 'level=fatal msg="Error when enabling sysctl parameters" error="could not open the sysctl file /proc/sys/net/ipv6/conf/all/forwarding: open /proc/sys/net/ipv6/conf/all/forwarding: no such file or directory" subsys=daemon', quotedAt: `${CILIUM}/issues/10074` },
    explainsCrash: true,
    links: { issue: `${CILIUM}/issues/10074`, fix: [`${CILIUM}/pull/10135`] },
    fix: 'Take the 1.6 patch release carrying the backport in PR #10135, or stay on 1.6.5 (the regression came with 1.6.6).',
  },
  {
    id: '1.15.4-ipv6-routing-rules',
    title: '1.15.4 fails to start on kernels without IPv6 policy routing (listing routing rules: EAFNOSUPPORT)',
    cilium: '1.15.4',
    fixedIn: ['1.15.5'],
    signature: { source: 'agent-log', pattern: /listing routing rules: address family not supported by protocol/, quote: 'failed to start: daemon creation failed: error while initializing daemon: failed while reinitializing datapath: listing routing rules: address family not supported by protocol', quotedAt: `${CILIUM}/issues/31944` },
    explainsCrash: true,
    supersedes: ['kernel-config-missing'],
    links: { issue: `${CILIUM}/issues/31944`, fix: [`${CILIUM}/pull/32007`] },
    fix: 'Upgrade to 1.15.5 (maintainers: fixed there by PR #32007); until then l7Proxy=false works around it.',
  },
  {
    id: '1.18-detach-foreign-cgroup-programs',
    title: 'Agent tries to detach another application\'s cgroup BPF programs and keeps retrying datapath init',
    cilium: '>=1.18.0',
    signature: { source: 'agent-log', pattern: /detach cgroup: detach programs from cgroup (?:(?!detach cgroup: ).)*can't detach program/, quote: 'level=warn source=/go/src/github.com/cilium/cilium/pkg/datapath/orchestrator/orchestrator.go:220 msg="Failed to initialize datapath, retrying later" module=agent.datapath.orchestrator error="detach cgroup: detach programs from cgroup /run/cilium/cgroupv2 attach type CGroupInet4Connect: can\'t detach program: no such file or directory" retryDelay=10s', quotedAt: `${CILIUM}/issues/43877` },
    explainsCrash: false,
    links: { issue: `${CILIUM}/issues/43877`, fix: [`${CILIUM}/pull/44066`] },
    fix: 'Take a release carrying PR #44066 (detaches only Cilium-owned programs); the thread names no release, so check the release notes of your branch for it.',
  },
  {
    id: '1.20-pre-multipool-prefix-exhausted',
    title: 'Multi-pool IPAM reports "all CIDR ranges are exhausted" while attached ENI prefixes are unused',
    cilium: '>=1.20.0-pre.3 <1.20.0',
    signature: { source: 'events', pattern: /all CIDR ranges are exhausted/, quote: '[POST /ipam][502] postIpamFailure "all CIDR ranges are exhausted"', quotedAt: `${CILIUM}/issues/46598` },
    explainsCrash: false,
    // The thread found the pool not exhausted (prefixes attached, unused by the agent): pinned on an affected
    // release, the bug replaces ipam-exhausted's "every address is in use" reading of the same event.
    supersedes: ['ipam-exhausted'],
    links: { issue: `${CILIUM}/issues/46598`, fix: [`${CILIUM}/pull/46674`, `${CILIUM}/pull/46678`] },
    fix: 'Restart the agent on the node (it then uses the attached prefixes); move to a release with PRs #46674 and #46678.',
  },
  {
    id: '1.11.14-stale-cep-panic',
    title: 'Agent panics in cleanStaleCEPs with disable-endpoint-crd after upgrading to 1.11.14',
    cilium: '1.11.14',
    fixedIn: ['1.11.15'],
    signature: { source: 'agent-log', pattern: /daemon\/cmd\.\(\*Daemon\)\.cleanStaleCEPs/, quote: 'github.com/cilium/cilium/daemon/cmd.(*Daemon).cleanStaleCEPs(0xc0000e4c80, {0x2f8e088, 0xc00007c020}, {0x2f2b040, 0xc0003a40e0}, {0x2fcf838, 0xc0007fc3a0}, 0x0)', quotedAt: `${CILIUM}/issues/24366` },
    explainsCrash: true,
    links: { issue: `${CILIUM}/issues/24366`, fix: [`${CILIUM}/pull/24085`, `${CILIUM}/pull/24385`] },
    fix: 'Upgrade to 1.11.15 ("daemon: fix panic when running with etcd with endpoint crd disabled", PR #24085, backport #24385).',
  },
  {
    id: 'btf-vmlinux-snat-subprogram',
    title: 'SNAT programs fail to load on kernels without vmlinux BTF ("btf_vmlinux is malformed")',
    // PR #45007 made snat_v6_nat a global subprogram; v1.19.x requires CONFIG_DEBUG_INFO_BTF since v1.19.3 (#46511).
    cilium: '>=1.19.3',
    signature: { source: 'agent-log', pattern: /Caller passes invalid args into func#\d+ \('_{0,2}snat_v[46]_/, quote: "\tCaller passes invalid args into func#1 ('__snat_v6_nat')", quotedAt: `${CILIUM}/issues/46511` },
    explainsCrash: false,
    links: { issue: `${CILIUM}/issues/46511`, fix: [`${CILIUM}/issues/45224`, `${CILIUM}/pull/46063`] },
    fix: 'Build or choose a kernel with CONFIG_DEBUG_INFO_BTF=y (Cilium now requires it; Raspberry Pi OS kernels lack it), or turn off the IPv6 masquerading path until then.',
  },
  {
    id: '1.16.4-envoy-version-check',
    title: '1.16.4 logs "Envoy: Version check failed" because the required Envoy SHA was not bumped',
    cilium: '1.16.4',
    signature: { source: 'agent-log', pattern: /Envoy: Version check failed|does not match with required version/, quote: 'time="2024-11-22T14:13:13Z" level=error msg="Envoy: Version check failed" error="envoy version 97edc2815e2c6a174d3d12e71731d54f5d32ea16/1.30.7/Distribution/RELEASE/BoringSSL does not match with required version 39a2a56bbd5b3a591f69dbca51d3e30ef97e0e51" subsys=envoy-proxy', quotedAt: `${CILIUM}/issues/36114` },
    explainsCrash: false,
    links: { issue: `${CILIUM}/issues/36114` },
    fix: 'Harmless release bug (the build passed a stale required Envoy SHA): the node is not broken. Ignore this error on 1.16.4; the thread names no fixed release.',
  },
  {
    id: 'netlink-xfrm-required',
    title: 'Agent fails without CONFIG_XFRM although IPsec is off ("creating netlink handle: protocol not supported")',
    // #36600 reports it on 1.16.1; PR #37123 ("Allow cilium agent to start on linux kernels that don't have
    // CONFIG_XFRM") is listed in the 1.17.0 release notes (backport PR #37247); whether a 1.16 patch carries it
    // the thread does not say, so 1.16 stays in the range.
    cilium: '>=1.16.0 <1.17.0',
    fixedIn: ['1.17.0'],
    signature: { source: 'agent-log', pattern: /creating netlink handle: protocol not supported/, quote: 'creating netlink handle: protocol not supported', quotedAt: `${CILIUM}/issues/36600` },
    explainsCrash: true,
    links: { issue: `${CILIUM}/issues/36600`, fix: [`${CILIUM}/pull/37123`, `${CILIUM}/pull/37247`] },
    fix: 'Upgrade to 1.17.0 or later (PR #37123 stops requesting the XFRM netlink family), or build the kernel with CONFIG_XFRM.',
  },
  {
    id: '1.6.0-cos-xt-socket',
    title: 'Cilium 1.6.0 cannot install its transparent-proxy iptables rule on GKE COS (xt_socket missing)',
    cilium: '1.6.0',
    fixedIn: ['1.6.1'],
    // #8982: the failing rule is in the cmd= field, so the whole line is matched.
    signature: { source: 'agent-log', wholeLine: true, pattern: /CILIUM_PRE_mangle -m socket --transparent --nowildcard/, quote: 'level=error msg="Command execution failed" cmd="[iptables -w 5 -t mangle -A CILIUM_PRE_mangle -m socket --transparent --nowildcard -m comment --comment cilium: mark transparent proxy traffic to be routed locally -j MARK --set-mark 0x00000200]" error="exit status 1" subsys=iptables', quotedAt: `${CILIUM}/issues/8982` },
    explainsCrash: true,
    links: { issue: `${CILIUM}/issues/8982` },
    fix: 'Upgrade to 1.6.1 (the maintainers: "This will be addressed in v1.6.1").',
  },
  {
    id: '1.12.0-notrack-rule-delete',
    title: 'Cilium 1.12.0 fails deleting its old NOTRACK iptables rules (iptables 1.8.4 nf_tables in the image)',
    cilium: '1.12.0',
    fixedIn: ['1.12.1'],
    // #20714: "due to resent change #19693 cause cilium agent failed to start"; #20963: aanm, fixed by PR #20885 in v1.12.1.
    signature: { source: 'agent-log', pattern: /OLD_CILIUM_OUTPUT_raw (?:(?!OLD_CILIUM_OUTPUT_raw |NOTRACK).)*NOTRACK(?:(?!OLD_CILIUM_OUTPUT_raw ).)*Bad rule/, quote: 'level=warning msg="Failed to install iptables rules" error="unable to run \'iptables -t raw -D OLD_CILIUM_OUTPUT_raw -o eth0 -m mark --mark 0xa00/0xfffffeff -m comment --comment cilium: NOTRACK for proxy return traffic -j NOTRACK\' iptables command: iptables: Bad rule (does a matching rule exist in that chain?).\\n (exit status 1)" subsys=iptables', quotedAt: `${CILIUM}/issues/20714` },
    explainsCrash: true,
    links: { issue: `${CILIUM}/issues/20714`, fix: [`${CILIUM}/pull/20885`, `${CILIUM}/issues/20963`] },
    fix: 'Upgrade to 1.12.1 (maintainers: fixed by PR #20885, available in v1.12.1).',
  },
  {
    id: '1.17.1-policy-apply-notification',
    title: 'Agent does not finish starting after the update to 1.17.1: "BUG: failed to deliver policy apply update notification"',
    cilium: '>=1.17.1 <1.18.0',
    signature: { source: 'agent-log', pattern: /BUG: failed to deliver policy apply update notification/, quote: 'BUG: failed to deliver policy apply update notification', quotedAt: `${CILIUM}/issues/38070` },
    explainsCrash: false,
    links: { issue: `${CILIUM}/issues/38070` },
    fix: 'Take the 1.17 patch release that carries the backport of the fix (the thread closes once it merged and names no release); 1.17.0 did not show it.',
  },
  {
    id: '1.7.6-perf-ring-offline-cpu',
    title: 'Agent dies creating perf rings for offline CPUs ("can\'t create perf event: no such device")',
    // PR #12068 (cilium/ebpf#81); gandro: #12363 made the panic reach 1.7.6, backport planned for 1.7.7.
    cilium: '>=1.7.6 <1.8.0',
    signature: { source: 'agent-log', pattern: /failed to create perf ring for CPU \d+: can't create perf event: .*no such device/, quote: 'level=fatal msg="Cannot initialise BPF perf ring buffer sockets" error="failed to create perf ring for CPU 2: can\'t create perf event: can\'t create perf event: no such device" startTime="2020-06-15 12:15:09.153912253 +0000 UTC m=+129.850487215" subsys=monitor-agent', quotedAt: `${CILIUM}/pull/12068` },
    explainsCrash: true,
    supersedes: ['memlock-rlimit'],
    links: { issue: `${CILIUM}/pull/12068`, fix: [`${CILIUM}/pull/12068`] },
    fix: 'Take the 1.7 patch carrying the backport of PR #12068 (planned for 1.7.7) or 1.8; bringing the offline CPUs online avoids it meanwhile.',
  },
  {
    id: '1.19-podippool-crd-wait',
    title: 'Agent waits for the CiliumPodIPPool CRD even when IPAM is not multi-pool (1.19+)',
    cilium: '>=1.19.0',
    // #48533 (open): the informer is registered for every IPAM mode and gates readiness.
    signature: { source: 'agent-log', wholeLine: true, pattern: /Still waiting for Cilium Operator to register CRDs(?:(?!Still waiting for Cilium Operator).)*ciliumpodippools\.cilium\.io/, quote: 'level=info msg="Still waiting for Cilium Operator to register CRDs" module=agent.infra.k8s-synced-crdsync CRDs=[crd:ciliumpodippools.cilium.io]', quotedAt: `${CILIUM}/issues/48533` },
    explainsCrash: false,
    links: { issue: `${CILIUM}/issues/48533` },
    fix: 'Install the ciliumpodippools.cilium.io CRD (let cilium-operator create CRDs, or apply it with the others when CRDs are managed out-of-band); open upstream, no fixed release yet.',
  },
  {
    id: '1.8.5-lb-source-range-restore-panic',
    title: 'Agent panics at startup restoring LB source-range maps (SourceRangeKey4 is not SourceRangeKey)',
    cilium: '1.8.5',
    signature: { source: 'agent-log', pattern: /lbmap\.SourceRangeKey4? is not lbmap\.SourceRangeKey: missing method|lbmap\.\(\*LBBPFMap\)\.DumpSourceRanges/, quote: 'panic: interface conversion: *lbmap.SourceRangeKey4 is not lbmap.SourceRangeKey: missing method ToHost', quotedAt: `${CILIUM}/issues/13824` },
    explainsCrash: true,
    links: { issue: `${CILIUM}/issues/13824`, fix: [`${CILIUM}/pull/13842`] },
    fix: 'Take a 1.8 patch release carrying PR #13842 ("Fix panic on cilium-agent startup when restoring LB source range maps"); the thread names no release, so check your branch\'s release notes for it.',
  },
  {
    id: '1.5-legacy-services-lb-map-e2big',
    title: 'With legacy services enabled, inserting services into the LB map fails with "argument list too long"',
    cilium: '>=1.5.0 <1.5.4',
    fixedIn: ['1.5.4'],
    when: configIn('enable-legacy-services', ['true']),
    signature: { source: 'agent-log', pattern: /Error while inserting service in LB map(?:(?!Error while inserting service in LB map).)*argument list too long/, quote: 'level=error msg="Error while inserting service in LB map" error="unable to update service w.x.y.z:443 with the value a.b.c.d:443 (991): Unable to update element for map with file descriptor 16: argument list too long" k8sNamespace=default k8sSvcName=XXX subsys=daemon', quotedAt: `${CILIUM}/issues/8587` },
    explainsCrash: false,
    supersedes: ['map-full'],
    links: { issue: `${CILIUM}/issues/8587` },
    fix: 'Upgrade to Cilium 1.5.4 or newer, set enable-legacy-services: "false" in cilium-config and restart the agents (the remediation in #8587).',
  },
  {
    id: '1.15-lo-direct-routing-device-ignored',
    title: 'Cilium 1.15 ignores lo as the direct routing device ("unable to determine direct routing device" although direct-routing-device=lo)',
    // #30889 (kind/regression, 1.14.4 → 1.15.1): the node IP lives on lo; 1.14 picked lo, 1.15's device controller
    // force-excludes it, and setting --direct-routing-device='lo' "had no affect". bimmlerd's PR #30996 ("linux:
    // devices: don't force exclude 'lo'") with the v1.15 backport #31206. No release is named, so the whole 1.15 line
    // stays in range; the config pin keeps the common misconfiguration (#33527) out of it.
    cilium: '>=1.15.0 <1.16.0',
    when: configIn('direct-routing-device', ['lo']),
    signature: { source: 'agent-log', pattern: /unable to determine direct routing device/, quote: 'level=fatal msg="failed to start: daemon creation failed: failed to detect devices: unable to determine direct routing device. Use --direct-routing-device to specify it" subsys=daemon', quotedAt: `${CILIUM}/issues/30889` },
    explainsCrash: true,
    links: { issue: `${CILIUM}/issues/30889`, fix: [`${CILIUM}/pull/30996`, `${CILIUM}/pull/31206`] },
    fix: 'Take the 1.15 patch release carrying the backport PR #31206 (check the release notes; none is named in the thread), or move the node IP to a non-loopback device such as dummy0.',
  },
];
