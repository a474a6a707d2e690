// Cilium startup failures where the agent's own probe or program load is wrong for a kernel that is fine (or where
// a Cilium change made a program depend on a kernel feature it did not need before), each with the line that tells
// it apart from a genuinely missing kernel feature. Each quote is copied verbatim from the thread in `quotedAt`.
import type { KnownIssue } from './schema.ts';
import { kernelBetween } from './constraints.ts';

const CILIUM = 'https://github.com/cilium/cilium';

export const PROBE_REGRESSIONS: readonly KnownIssue[] = [
  {
    id: 'lrp-pre-5.7-sock-netns-cookie',
    title: 'With LocalRedirectPolicy on, bpf_sock fails to load on pre-5.7 kernels ("invalid func unknown#122") after upgrading to 1.16',
    // #40457: 1.15.18 → 1.16.11 on 5.4.0-214-generic, agent fatal on cil_sock6_sendmsg; labels affects/v1.16,
    // affects/v1.17, area/lrp. The v1.16 backport PR #41457 of #35291 and #41449 carries the release note "Fix a bug
    // that caused the kernel verifier on pre-v5.7 kernels to reject the bpf_sock program with "invalid func
    // unknown#122" when the LocalRedirectPolicy feature is enabled." No release is named.
    cilium: '>=1.16.0',
    signature: { source: 'agent-log', pattern: /program cil_sock[46]_\w+: load program: invalid argument: invalid func unknown#122/, quote: 'time="2025-07-10T01:40:57Z" level=fatal msg="failed to start: daemon creation failed: error while initializing daemon: failed while reinitializing datapath: failed loading eBPF collection into the kernel: program cil_sock6_sendmsg: load program: invalid argument: invalid func unknown#122 (352 line(s) omitted)" subsys=daem', quotedAt: `${CILIUM}/issues/40457` },
    explainsCrash: true,
    supersedes: ['bpf-program-load-denied'],
    links: { issue: `${CILIUM}/issues/40457`, fix: [`${CILIUM}/pull/35291`, `${CILIUM}/pull/41449`, `${CILIUM}/pull/41457`] },
    fix: 'Take the patch release of your branch carrying PRs #35291/#41449 (v1.16 backport #41457; no release named upstream), or turn localRedirectPolicy off, or move the node to a 5.7+ kernel.',
  },
  {
    id: '1.11.0-well-known-identities-max-id',
    title: 'Cilium 1.11.0 dies initialising the CRD identity allocator with enable-well-known-identities=true',
    // #18436 (kind/regression, backport-done/1.11): 1.10.4 → 1.11.0 on EKS; disabling enable-well-known-identities
    // avoids it. The thread names no fixed release, so only 1.11.0 (the reported release) is in the range.
    cilium: '1.11.0',
    signature: { source: 'agent-log', pattern: /maximum ID must be greater than minimum ID: configured max 65535, min 65536/, quote: '"error": "maximum ID must be greater than minimum ID: configured max 65535, min 65536",', quotedAt: `${CILIUM}/issues/18436` },
    explainsCrash: true,
    links: { issue: `${CILIUM}/issues/18436` },
    fix: 'Set enable-well-known-identities: "false" (the workaround in #18436) or take a later 1.11 patch release (the fix was backported to 1.11; the thread names no release).',
  },
  {
    id: 'ipsec-tunnel-xfrm-probe-ifid',
    title: 'IPsec in tunnel mode refuses to start on 5.4.176+/5.10.94+ kernels: the xfrm output-mask probe fails although the kernel has it',
    // #18826 (1.11.1, kernel 5.4.176, "clang (10.0.0) and kernel (5.4.176) versions: OK!") and flatcar/Flatcar#626
    // (1.11.0 on Flatcar 3033.2.2; pothos: the Linux 5.10.94 xfrm changes). The probe creates a dummy xfrm state with
    // interface ID 0, which the new kernels reject; PR #18789 ("ipsec: set interface ID different from 0") fixes the
    // probe. On a kernel that really is below 4.19 the same line is the true cause, so the entry needs a 5.4+ kernel.
    cilium: '>=1.10.0 <1.12.0',
    kernel: kernelBetween([5, 4, 0], [99, 0, 0]),
    signature: { source: 'agent-log', pattern: /IPSec with tunneling requires support for xfrm state output masks/, quote: 'level=fatal msg="IPSec with tunneling requires support for xfrm state output masks (Linux 4.19 or later)." error="invalid argument" subsys=daemon', quotedAt: `${CILIUM}/issues/18826` },
    explainsCrash: true,
    supersedes: ['kernel-too-old', 'kernel-config-missing'],
    links: { issue: `${CILIUM}/issues/18826`, fix: [`${CILIUM}/pull/18789`, 'https://github.com/flatcar/Flatcar/issues/626'] },
    fix: 'The kernel is fine: take the 1.11 patch release carrying PR #18789 (the thread names none), or roll the node back to the previous kernel (Flatcar 3033.2.1 worked) until then.',
  },
  {
    id: '1.20.2-sock-programs-need-btf',
    title: 'From 1.20.2 the cil_sock* programs need kernel BTF: "no BTF found for kernel version" on kernels without /sys/kernel/btf',
    // sholdee/home-ops PR #3837: 1.20.2 backported b73ca6e8d6 ("bpf: use bpf_core_enum_value_exists() for
    // HAVE_SET_RETVAL"), so the socket programs carry a CO-RE relocation; on a Raspberry Pi kernel without BTF every
    // agent loops on it and new pods get no endpoint. Upstream cilium#48778; rolling back to 1.20.1 restored it.
    cilium: '>=1.20.2',
    signature: { source: 'agent-log', pattern: /program cil_sock\w+: apply CO-RE relocations: load kernel spec: no BTF found for kernel version/, quote: 'failed loading eBPF collection ... program cil_sock4_connect: apply CO-RE relocations: load kernel spec: no BTF found for kernel version 6.18.39+rpt-rpi-2712', quotedAt: 'https://github.com/sholdee/home-ops/pull/3837' },
    explainsCrash: false,
    links: { issue: `${CILIUM}/issues/48778`, fix: ['https://github.com/sholdee/home-ops/pull/3837'] },
    fix: 'Use a kernel built with CONFIG_DEBUG_INFO_BTF (Cilium lists it as required), or stay on 1.20.1 until then; upstream has not promised a revert.',
  },
];
