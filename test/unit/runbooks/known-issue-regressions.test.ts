// Issue #16, the second batch of known bugs: a probe that is wrong for a kernel that is fine (and the same line on a
// kernel that really lacks the feature, which stays the kernel's fault), crash signatures that outrank the crash-loop
// fallback, and the silent regressions reported on version × config × platform alone. Quotes come from threads other
// than the entry's own where one was at hand (Flatcar#626, #15962).
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../runbooks/engine/analyze.ts';
import { versionAdvisory } from '../../../runbooks/catalogue/version-advisory.ts';
import { KNOWN_ISSUES, matchKnownIssues } from '../../../runbooks/catalogue/known-issues/index.ts';
import type { EvidenceInput } from '../../../runbooks/engine/evidence.ts';
import { agentLogs, crashingPod, exampleEvidence, healthyInput, missing, ok, withNode } from './fixtures.ts';

const cilium = (version: string) => ({ cilium: ok({ version, image: `quay.io/cilium/cilium:v${version}` }) });
const ids = (e: ReturnType<typeof exampleEvidence>) => matchKnownIssues(e, KNOWN_ISSUES).map((m) => m.issue.id);

/** flatcar/Flatcar#626 (Cilium 1.11.0 on Flatcar 3033.2.2, the Linux 5.10.94 xfrm change). */
const XFRM_PROBE_FLATCAR = 'level=fatal msg="IPSec with tunneling requires support for xfrm state output masks (Linux 4.19 or later)." error="invalid argument" subsys=daemon';
/** #15962: minikube's 4.19.114 really lacks the output-mask support — the same message, and no Cilium bug. */
const XFRM_PROBE_MINIKUBE = 'level=fatal msg="IPSec with tunneling requires support for xfrm state output masks (Linux 4.19 or later)." error="protocol not supported" subsys=daemon';

describe('IPsec xfrm output-mask probe on kernels that have it (#18826, Flatcar#626)', () => {
  it('1.11.0 on a 5.10.96 Flatcar kernel: the known probe bug, critical, explains the crash and corrects kernel-too-old', () => {
    const e = exampleEvidence({ ...withNode({ kernelVersion: '5.10.96-flatcar', osImage: 'Flatcar Container Linux by Kinvolk 3033.2.2 (Oklo)' }), ...cilium('1.11.0'),
      ciliumConfig: ok({ 'enable-ipsec': 'true', tunnel: 'vxlan' }), agentPod: crashingPod(), ...agentLogs([XFRM_PROBE_FLATCAR]) });
    const f = versionAdvisory.match(e);
    expect(f).toMatchObject({ severity: 'critical', explainsAgentCrash: true, basis: 'explicit' });
    expect(f?.title).toContain('xfrm output-mask probe');
    expect(f?.supersedes).toEqual(['kernel-too-old', 'kernel-config-missing']);
    expect(analyze(e).findings[0]?.runbookId).toBe('version-advisory');
  });

  it('near miss: the line on minikube 4.19.114 is not pinned on the probe bug (that kernel really lacks it)', () => {
    const e = exampleEvidence({ ...withNode({ kernelVersion: '4.19.114' }), ...cilium('1.10.0'), ...agentLogs([XFRM_PROBE_MINIKUBE]) });
    expect(ids(e)).not.toContain('ipsec-tunnel-xfrm-probe-ifid');
  });

  it('an unread kernel rules it out too', () => {
    const e = exampleEvidence({ node: missing('forbidden', 'nodes is forbidden'), ...cilium('1.11.1'), ...agentLogs([XFRM_PROBE_FLATCAR]) });
    expect(ids(e)).not.toContain('ipsec-tunnel-xfrm-probe-ifid');
  });
});

describe('crash signatures of the batch', () => {
  it('#40457 on 1.16.11 / 5.4: the LRP bpf_sock bug outranks the verifier reading of the same load failure', () => {
    const line = 'time="2025-07-10T01:40:57Z" level=fatal msg="failed to start: daemon creation failed: error while initializing daemon: failed while reinitializing datapath: failed loading eBPF collection into the kernel: program cil_sock6_sendmsg: load program: invalid argument: invalid func unknown#122 (352 line(s) omitted)" subsys=daem';
    const e = exampleEvidence({ ...withNode({ kernelVersion: '5.4.0-214-generic' }), ...cilium('1.16.11'), agentPod: crashingPod(), ...agentLogs([line]) });
    const top = analyze(e).findings[0];
    expect(top?.runbookId).toBe('version-advisory');
    expect(top?.severity).toBe('critical');
    expect(analyze(e).findings.some((f) => f.runbookId === 'bpf-program-load-denied')).toBe(false);
  });

  it('the CEC headless-service segfault is critical on 1.16.5 and gone on 1.17.1, where PR #37188 shipped', () => {
    const frame = 'github.com/cilium/cilium/pkg/ciliumenvoyconfig.(*ciliumEnvoyConfigReconciler).syncHeadlessService(0xc002464000, {0xc011f67d78?, 0x49ef6f?})';
    const at = (v: string) => exampleEvidence({ ...cilium(v), agentPod: crashingPod(), ...agentLogs(['panic: runtime error: invalid memory address or nil pointer dereference', frame]) });
    expect(versionAdvisory.match(at('1.16.5'))).toMatchObject({ severity: 'critical', explainsAgentCrash: true });
    expect(ids(at('1.17.1'))).not.toContain('1.16-cec-headless-service-segfault');
  });

  it('1.20.2 without kernel BTF: a warning that names the backport; 1.20.1 is not affected', () => {
    const line = 'time=2026-09-16T14:50:00Z level=error msg="failed loading eBPF collection" error="program cil_sock4_connect: apply CO-RE relocations: load kernel spec: no BTF found for kernel version 6.18.39+rpt-rpi-2712"';
    expect(versionAdvisory.match(exampleEvidence({ ...cilium('1.20.2'), ...agentLogs(null, [line]) }))).toMatchObject({ severity: 'warning', explainsAgentCrash: false });
    expect(ids(exampleEvidence({ ...cilium('1.20.1'), ...agentLogs(null, [line]) }))).not.toContain('1.20.2-sock-programs-need-btf');
  });
});

describe('#30889: lo as direct routing device on 1.15', () => {
  // linode/cluster-api-provider-linode PR #771 (1.17.4, no lo involved): the same message from a plain device mismatch.
  const linode = '2025-06-16T19:25:15.433227613Z stderr F time="2025-06-16T19:25:15.433184413Z" level=fatal msg="failed to start: daemon creation failed: unable to determine direct routing device. Use --direct-routing-device to specify it\\nfailed to stop: unable to find controller ipcache-inject-labels" subsys=daemon';
  it('pinned only when direct-routing-device=lo was read on 1.15', () => {
    const at = (version: string, config: Record<string, string>) => ids(exampleEvidence({ ...cilium(version), ciliumConfig: ok(config), ...agentLogs([linode]) }));
    expect(at('1.15.1', { 'direct-routing-device': 'lo' })).toContain('1.15-lo-direct-routing-device-ignored');
    expect(at('1.15.1', { devices: 'eth0' })).not.toContain('1.15-lo-direct-routing-device-ignored');
    expect(at('1.17.4', { 'direct-routing-device': 'lo' })).not.toContain('1.15-lo-direct-routing-device-ignored');
  });
});

describe('silent regressions: version × config × platform', () => {
  const base = healthyInput();
  const withInstall = (platform: 'eks' | 'generic'): Partial<EvidenceInput> => {
    if (base.install === undefined || !base.install.ok) throw new Error('fixture baseline lacks an install');
    return { install: ok({ ...base.install.value, platform }) };
  };

  it('IPsec upgrade drops: 1.13.1 with enable-ipsec is a warning, never critical; without IPsec or on 1.13.2 nothing', () => {
    const f = versionAdvisory.match(exampleEvidence({ ...cilium('1.13.1'), ciliumConfig: ok({ 'enable-ipsec': 'true' }) }));
    expect(f).toMatchObject({ severity: 'warning', basis: 'inferred', explainsAgentCrash: false });
    expect(ids(exampleEvidence({ ...cilium('1.13.1'), ciliumConfig: ok({ 'enable-ipsec': 'false' }) }))).not.toContain('1.13.1-ipsec-state-not-refreshed');
    expect(ids(exampleEvidence({ ...cilium('1.13.2'), ciliumConfig: ok({ 'enable-ipsec': 'true' }) }))).not.toContain('1.13.1-ipsec-state-not-refreshed');
    expect(ids(exampleEvidence({ ...cilium('1.11.16'), ciliumConfig: ok({ 'enable-ipsec': 'true' }) }))).not.toContain('1.11.15-ipsec-upgrade-drops');
  });

  it('the EKS apiserver scale-down outage applies only on EKS', () => {
    expect(ids(exampleEvidence({ ...cilium('1.12.5'), ...withInstall('eks') }))).toContain('1.12-eks-apiserver-scale-down-outage');
    expect(ids(exampleEvidence({ ...cilium('1.12.5'), ...withInstall('generic') }))).not.toContain('1.12-eks-apiserver-scale-down-outage');
    expect(ids(exampleEvidence({ ...cilium('1.13.1'), ...withInstall('eks') }))).not.toContain('1.12-eks-apiserver-scale-down-outage');
  });

  it('GHSA-24m5-r6hv-ccgp: info on 1.13.6 with the L7 proxy off; not on 1.13.7, 1.14.2, or with the proxy on', () => {
    const on = (version: string, l7: string) => ids(exampleEvidence({ ...cilium(version), ciliumConfig: ok({ 'enable-l7-proxy': l7 }) })).includes('ghsa-24m5-r6hv-ccgp-proxy-visibility-segfault');
    expect(on('1.13.6', 'false')).toBe(true);
    expect(on('1.12.13', 'false')).toBe(true);
    expect(on('1.13.7', 'false')).toBe(false);
    expect(on('1.14.2', 'false')).toBe(false);
    expect(on('1.13.6', 'true')).toBe(false);
    expect(versionAdvisory.match(exampleEvidence({ ...cilium('1.14.1'), ciliumConfig: ok({ 'enable-l7-proxy': 'false' }) }))?.severity).toBe('info');
  });

  it('WireGuard + kvstore peer GC needs both settings read', () => {
    const on = (config: Record<string, string>) => ids(exampleEvidence({ ...cilium('1.15.6'), ciliumConfig: ok(config) })).includes('wireguard-kvstore-stale-peer-gc-on-restart');
    expect(on({ 'enable-wireguard': 'true', kvstore: 'etcd' })).toBe(true);
    expect(on({ 'enable-wireguard': 'true' })).toBe(false);
    expect(on({ 'enable-wireguard': 'true', kvstore: '' })).toBe(false);
  });
});
