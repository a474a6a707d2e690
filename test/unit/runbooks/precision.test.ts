// Issue #16, precision: every finding says how sure it is and what it rests on; what the agent itself said outranks
// an uncertain inference; real lines that were mis-read (WireGuard port clash, missing PodCIDR) read as what they are;
// a fatal line no runbook explains is the crash-loop fallback even without pod state; a line that merely mentions a
// subsystem is no finding. Every log line here is copied from the cited thread or source.
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../runbooks/engine/analyze.ts';
import type { Finding, Runbook } from '../../../runbooks/engine/contract.ts';
import { evidenceFromDocument } from '../../../runbooks/engine/offline-evidence.ts';
import { explainsCrash, isUncertainInference, orderFindings } from '../../../runbooks/engine/precedence.ts';
import { RUNBOOKS } from '../../../runbooks/catalogue/registry.ts';
import { agentCrashloop } from '../../../runbooks/catalogue/agent-crashloop.ts';
import { kernelTooOld } from '../../../runbooks/catalogue/kernel-too-old.ts';
import { agentLogs, crashingPod, exampleEvidence, ok, withNode } from './fixtures.ts';
import { finding as fixtureFinding } from '../bot/report-fixture.ts';

const offline = (logs: string, extra: Record<string, unknown> = {}) => analyze(evidenceFromDocument({ ...extra, agent: { logs: `${logs}\n` } }));
const ids = (fs: readonly Finding[]) => fs.map((f) => f.runbookId);

const finding = (id: string, patch: Partial<Finding>): Finding => fixtureFinding(id, patch);

describe('precedence: what the agent said outranks an uncertain inference', () => {
  const inferredCritical = finding('kernel-too-old', { severity: 'critical', basis: 'inferred', confidence: 'medium', explainsAgentCrash: true });
  const explicitWarning = finding('bandwidth-manager-unsupported', { severity: 'warning', basis: 'explicit', confidence: 'certain', explainsAgentCrash: false });

  it('puts an explicit line above an inference that is not certain, whatever the severities and ranks', () => {
    const order = orderFindings([{ finding: inferredCritical, rank: 10 }, { finding: explicitWarning, rank: 26 }]);
    expect(ids(order)).toEqual(['bandwidth-manager-unsupported', 'kernel-too-old']);
  });

  it('keeps a certain inference in severity order (a kernel below the floor, read exactly)', () => {
    const certain = { ...inferredCritical, confidence: 'certain' as const };
    expect(ids(orderFindings([{ finding: explicitWarning, rank: 26 }, { finding: certain, rank: 10 }]))).toEqual(['kernel-too-old', 'bandwidth-manager-unsupported']);
  });

  it('orders by severity then rank when nothing is explicit', () => {
    const observed = finding('hubble-disabled', { severity: 'warning', basis: 'observed', confidence: 'certain' });
    expect(ids(orderFindings([{ finding: observed, rank: 60 }, { finding: inferredCritical, rank: 10 }]))).toEqual(['kernel-too-old', 'hubble-disabled']);
  });

  it('an uncertain inference does not explain the crash away', () => {
    expect(isUncertainInference(inferredCritical)).toBe(true);
    expect(explainsCrash(inferredCritical)).toBe(false);
    expect(explainsCrash({ ...inferredCritical, confidence: 'certain' })).toBe(true);
  });

  it('analyze() applies the rule to what runbooks return', () => {
    const stub = (id: string, rank: number, f: Finding): Runbook => ({ id, title: id, severity: f.severity, rank, needs: [], match: () => f });
    const r = analyze(exampleEvidence(), [stub('kernel-too-old', 10, inferredCritical), stub('bandwidth-manager-unsupported', 26, explicitWarning)]);
    expect(ids(r.findings)).toEqual(['bandwidth-manager-unsupported', 'kernel-too-old']);
  });

  it('#18639: the agent disabling the bandwidth manager heads the report, ahead of any version inference', () => {
    const r = offline('BPF bandwidth manager needs kernel 5.1 or newer. Disabling the feature.', {
      node: { name: 'n1', kernelVersion: '4.19.0-arm64-server' },
      cilium: { version: '1.11.0', config: { 'enable-bandwidth-manager': 'true' } },
    });
    expect(r.findings[0]).toMatchObject({ runbookId: 'bandwidth-manager-unsupported', basis: 'explicit', confidence: 'certain' });
    for (const f of r.findings.slice(1)) expect(f.basis === 'explicit' || !isUncertainInference(f)).toBe(false);
  });
});

describe('every finding carries a confidence and a basis', () => {
  it('kernel below the floor: certain when read from the cluster, high when the version is only stated', () => {
    const read = kernelTooOld.match(exampleEvidence({ ...withNode({ kernelVersion: '4.14.352-268.568.amzn2.x86_64', osImage: 'Amazon Linux 2' }), cilium: ok({ version: '1.15.6', image: 'quay.io/cilium/cilium:v1.15.6' }) }));
    expect(read).toMatchObject({ confidence: 'certain', basis: 'inferred', severity: 'critical' });
    const stated = offline('level=info msg="Cilium 1.15.6" subsys=daemon', { node: { name: 'n1', kernelVersion: '4.14.352-268.568.amzn2.x86_64', osImage: 'Amazon Linux 2' }, cilium: { version: '1.15.6' } });
    expect(stated.findings.find((f) => f.runbookId === 'kernel-too-old')).toMatchObject({ confidence: 'high', basis: 'inferred' });
  });

  it('a stated-version inference does not outrank a fatal agent line naming another cause (#35928)', () => {
    const r = offline('level=fatal msg="failed to start: daemon creation failed: failed to initialize WireGuard agent: failed to set link up: address already in use" subsys=daemon',
      { node: { name: 'n1', kernelVersion: '4.14.352-268.568.amzn2.x86_64', osImage: 'Amazon Linux 2' }, cilium: { version: '1.15.6' } });
    expect(ids(r.findings).slice(0, 2)).toEqual(['wireguard-unsupported', 'kernel-too-old']);
  });

  it('each runbook in the catalogue that fires sets a known confidence and basis', () => {
    const r = analyze(exampleEvidence({
      ...withNode({ kernelVersion: '4.14.352-268.568.amzn2.x86_64', osImage: 'Amazon Linux 2' }),
      agentPod: crashingPod(),
      ...agentLogs(['level=error msg="Error while inserting service in LB map" error="Unable to update service entry 172.21.2.0:80 => 69 (2001) [FLAGS: 0x0]: Unable to update element for map with file descriptor 13: argument list too long" k8sNamespace=stress-service k8sSvcName=nginx-service-1691 subsys=k8s-watcher']),
    }), RUNBOOKS);
    expect(r.findings.length).toBeGreaterThan(1);
    for (const f of r.findings) {
      expect(['certain', 'high', 'medium', 'low']).toContain(f.confidence);
      expect(['explicit', 'observed', 'inferred']).toContain(f.basis);
    }
  });
});

describe('mis-reads', () => {
  // #35928 (CI, kind): bringing cilium_wg0 up binds UDP 51871, which another process already held.
  const WG_PORT = [
    'time="2024-11-12T14:35:15Z" level=error msg="failed to initialize WireGuard agent" error="failed to set link up: address already in use" subsys=daemon',
    'time="2024-11-12T14:35:15Z" level=fatal msg="failed to start: daemon creation failed: failed to initialize WireGuard agent: failed to set link up: address already in use" subsys=daemon',
  ].join('\n');

  it('WireGuard "address already in use" is a UDP port clash, not missing kernel support — even with no ConfigMap', () => {
    const f = offline(WG_PORT).findings[0];
    expect(f).toMatchObject({ runbookId: 'wireguard-unsupported', severity: 'critical', basis: 'explicit', confidence: 'certain', explainsAgentCrash: true });
    expect(f?.title).toMatch(/cannot start.*UDP port 51871/);
    expect(f?.summary).not.toMatch(/kernel|unsupported/i);
    expect(f?.fixSteps[0]?.title).toMatch(/Find what holds UDP port 51871/);
    expect(f?.fixSteps[0]?.commands?.[0]).toContain('51871');
    expect(f?.proposals).toEqual([]);
  });

  it('a readable config with WireGuard off wins over an earlier container\'s line', () => {
    expect(ids(offline(WG_PORT, { cilium: { config: { 'enable-wireguard': 'false' } } }).findings)).not.toContain('wireguard-unsupported');
  });

  it('the runbook\'s own title covers "WireGuard cannot start"', () => {
    expect(RUNBOOKS.find((r) => r.id === 'wireguard-unsupported')?.title).toMatch(/WireGuard cannot start/);
  });

  // pkg/k8s/init.go: `required IPv4 pod CIDR not present in node resource`, then `Unable to derive PodCIDR from
  // Kubernetes node resource, giving up` (log.Fatal); #12956: the operator was Pending, so nothing allocated one.
  it('"required IPv4 pod CIDR not present in node resource" is no PodCIDR allocated, not an exhausted pool', () => {
    const f = offline([
      'level=warning msg="Waiting for k8s node information" error="required IPv4 pod CIDR not present in node resource" subsys=k8s',
      'level=fatal msg="Unable to derive PodCIDR from Kubernetes node resource, giving up" subsys=k8s',
    ].join('\n')).findings[0];
    expect(f).toMatchObject({ runbookId: 'ipam-exhausted', title: 'No PodCIDR allocated to unknown-node', severity: 'critical', basis: 'explicit', explainsAgentCrash: true });
    expect(f?.summary).toContain('not pool exhaustion');
    expect(f?.summary).not.toMatch(/in use|exhausted pool|no IPs left/i);
    expect(f?.fixSteps.map((s) => s.title)).toEqual(['See whether the node has a PodCIDR', 'Get the allocator running']);
    expect(f?.proposals).toEqual([]);
  });

  it('with ipam kubernetes the allocator named is kube-controller-manager', () => {
    const f = offline('level=fatal msg="Unable to derive PodCIDR from Kubernetes node resource, giving up" subsys=k8s', { cilium: { config: { ipam: 'kubernetes' } } }).findings[0];
    expect(f?.summary).toContain('kube-controller-manager');
    expect(f?.fixSteps[1]?.detail).toContain('--allocate-node-cidrs');
  });

  it('"range is full" is still exhaustion', () => {
    expect(offline('level=fatal msg="Error while allocating cilium-health IP" error="range is full" subsys=daemon').findings[0]?.title).toMatch(/Pod IPs exhausted/);
  });
});

describe('agent-crashloop for a fatal line no runbook explains', () => {
  it('#33527: offline, the fatal line alone is the fallback, a warning that says the pod state was not read', () => {
    const r = offline('level=fatal msg="failed to start: daemon creation failed: failed to detect devices: unable to determine direct routing device. Use --direct-routing-device to specify it" subsys=daemon');
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]).toMatchObject({ runbookId: 'agent-crashloop', severity: 'warning', confidence: 'medium', basis: 'explicit' });
    expect(r.findings[0]?.summary).toContain('unable to determine direct routing device');
    expect(r.findings[0]?.summary).toContain('pod state was not read');
    expect(r.findings[0]?.evidence[0]?.text).toContain('failed to start: daemon creation failed');
  });

  it('#37427: a startup failure without a level still counts', () => {
    expect(offline('failed to start: daemon creation failed: unable to determine direct routing device').findings[0]).toMatchObject({ runbookId: 'agent-crashloop', severity: 'warning' });
  });

  it('terraform-hcloud-talos#119: a fatal XDP attach line is quoted', () => {
    const f = offline('time="2024-10-30T11:52:04Z" level=fatal msg="Failed to compile XDP program" error="attaching XDP program to interface kubespan: interface kubespan: attaching program cil_xdp_entry using bpf_link: create link: operation not supported" subsys=datapath-loader').findings[0];
    expect(f).toMatchObject({ runbookId: 'agent-crashloop' });
    expect(f?.summary).toContain('Failed to compile XDP program');
  });

  it('a Ready agent with an old fatal line in its previous container is not down', () => {
    expect(agentCrashloop.match(exampleEvidence(agentLogs(['level=fatal msg="failed to start: daemon creation failed: unable to determine direct routing device" subsys=daemon'])))).toBeNull();
  });

  it('info and warning lines alone are no crash', () => {
    expect(offline('level=info msg="Initializing daemon" subsys=daemon\nlevel=warning msg="Unable to update ipcache map entry on pod add" subsys=k8s-watcher').findings).toEqual([]);
  });

  it('a specific critical cause replaces the fallback', () => {
    expect(ids(offline('level=fatal msg="Failed to initialize wireguard agent" error="wireguard not supported by the Linux kernel (netlink: operation not supported). Please upgrade your kernel or manually install the kernel module: https://www.wireguard.com/install/" subsys=daemon').findings)).toEqual(['wireguard-unsupported']);
  });
});

describe('a line that merely names a subsystem is not that runbook\'s finding', () => {
  it('#32909: a fatal line naming the bandwidth map is not bandwidth-manager-unsupported', () => {
    const r = offline('time="2024-06-05T10:27:16Z" level=fatal msg="failed to start: reconciler.Config[github.com/cilium/cilium/pkg/maps/bwmap.Edt].Table cannot be nil" subsys=daemon');
    expect(ids(r.findings)).toEqual(['agent-crashloop']);
    expect(r.findings.some((f) => f.severity === 'critical')).toBe(false);
  });

  it('pkg/k8s/init.go: "Unable to initialize Kubernetes subsystem" with a version error is not apiserver-unreachable', () => {
    const r = offline('level=fatal msg="Unable to initialize Kubernetes subsystem" error="k8s version (1.15.0) is not meeting the minimal requirement (>=1.16.0)" subsys=daemon');
    expect(ids(r.findings)).toEqual(['agent-crashloop']);
  });

  it('…but with a connection failure in the same line it is', () => {
    const r = offline('level=fatal msg="Unable to initialize Kubernetes subsystem" error="unable to create k8s client: Get \\"https://10.96.0.1:443/api\\": dial tcp 10.96.0.1:443: i/o timeout" subsys=daemon');
    expect(r.findings[0]?.runbookId).toBe('apiserver-unreachable');
  });

  it('a tc command that attaches no BPF object is not a program rejection', () => {
    const r = offline('level=error msg="Command execution failed" cmd="[tc qdisc replace dev eth0 clsact]" error="exit status 2" subsys=datapath-loader');
    expect(ids(r.findings)).not.toContain('bpf-program-load-denied');
  });

  it('an LB insert that failed for another reason than a full map is not map-full', () => {
    const r = offline('level=error msg="Error while inserting service in LB map" error="Unable to update element for map with file descriptor 13: invalid argument" subsys=k8s-watcher');
    expect(ids(r.findings)).not.toContain('map-full');
  });

  it('WireGuard lines that are not failures fire nothing', () => {
    const r = offline('level=info msg="Initializing WireGuard agent" subsys=wireguard\nlevel=info msg="Restoring WireGuard peers" subsys=wireguard', { cilium: { config: { 'enable-wireguard': 'true' } } });
    expect(r.findings).toEqual([]);
  });
});

describe('tune-split patterns, on the real lines', () => {
  it('#13995/#9809: iproute2 "Prog section … rejected: Argument list too long" under the tc loader is a verifier rejection', () => {
    const f = offline([
      'level=error msg="Command execution failed" cmd="[tc filter replace dev lxc_health ingress prio 1 handle 1 bpf da obj 2621_next/bpf_lxc.o sec from-container]" error="exit status 1" subsys=datapath-loader',
      'level=warning subsys=datapath-loader',
      'level=warning msg="Prog section \'from-container\' rejected: Argument list too long (7)!" subsys=datapath-loader',
      'level=warning msg=" - Instructions: 3031 (0 over limit)" subsys=datapath-loader',
    ].join('\n')).findings[0];
    // Error-level lines with the pod state unread: the rejection is named, but not that the agent stopped on it.
    expect(f).toMatchObject({ runbookId: 'bpf-program-load-denied', severity: 'warning', confidence: 'medium', basis: 'explicit' });
    expect(f?.summary).toContain('state was not read');
    expect(f?.title).toContain('from-container');
    expect(f?.title).toContain('too large for the verifier');
  });

  it('#10517: the tc filter command failing with "Unable to load program" is a load failure', () => {
    const r = offline([
      '2020-03-09T02:54:00.2459225Z level=error msg="Command execution failed" cmd="[tc filter replace dev lxc5ea689f5bbdb ingress prio 1 handle 1 bpf da obj 564_next/bpf_lxc.o sec from-container]" error="exit status 1" subsys=datapath-loader',
      '2020-03-09T02:54:00.245943042Z level=warning msg="Log buffer too small to dump verifier log 16777215 bytes (10 tries)!" subsys=datapath-loader',
      '2020-03-09T02:54:00.24595512Z level=warning msg="Unable to load program" subsys=datapath-loader',
    ].join('\n'));
    expect(r.findings[0]).toMatchObject({ runbookId: 'bpf-program-load-denied', severity: 'warning', confidence: 'medium' });
  });

  it('#18680: libbpf "load bpf program failed: Permission denied" is a permission denial', () => {
    const f = offline('level=warning msg="libbpf: load bpf program failed: Permission denied" subsys=datapath-loader').findings[0];
    expect(f).toMatchObject({ runbookId: 'bpf-program-load-denied' });
    expect(f?.title).toContain('permission denied');
  });

  it('#16284: the bandwidth manager\'s sysctl failure needs no ConfigMap (pasted without a level or pod state: a warning)', () => {
    const f = offline('msg="Failed to set sysctl needed by BPF bandwidth manager." error="could** not write to the systctl file /proc/sys/net/core/default_qdisc: write /proc/sys/net/core/default_qdisc: no such file or directory').findings[0];
    expect(f).toMatchObject({ runbookId: 'bandwidth-manager-unsupported', severity: 'warning', basis: 'explicit' });
  });

  it('talos#2638: the BBR congestion-control sysctl failure (fatal) is the bandwidth manager', () => {
    const f = offline('> cilium-agent level=fatal msg="Failed to set sysctl needed by BPF bandwidth manager." error="could not write to the systctl file /proc/sys/net/ipv4/tcp_congestion_control: write /proc/sys/net/ipv4/tcp_congestion_control: no such file or directory" subsys=bandwidth-manager sysParamName=net.ipv4.tcp_congestion_control sysParamValue=bbr').findings[0];
    expect(f).toMatchObject({ runbookId: 'bandwidth-manager-unsupported', explainsAgentCrash: true });
  });

  it('#12815/#15864: "Error while inserting service in LB map … argument list too long" is a full LB map', () => {
    const f = offline('level=error msg="Error while inserting service in LB map" error="Unable to update service entry 100.70.56.241:43558 => 7676 (21256) [FLAGS: 0x0]: Unable to update element for map with file descriptor 15: argument list too long" k8sNamespace=podinfo-190 k8sSvcName=podinfo-20 subsys=k8s-watcher').findings[0];
    expect(f).toMatchObject({ runbookId: 'map-full', basis: 'explicit', confidence: 'certain' });
    expect(f?.title).toContain('load-balancer map');
    expect(f?.fixSteps[1]?.helmValues).toContain('lbMapMax');
  });

  it('pkg/service: the LB code\'s own E2BIG text is a full LB map', () => {
    const f = offline('level=error msg="Error while inserting service in LB map" error="Unable to update service entry 10.0.0.1:80 => 1 (1) [FLAGS: 0x0]: Unable to update element for LB bpf map: You can resize it with the flag \\"--bpf-lb-map-max\\". The resizing might break existing connections to services" subsys=k8s-watcher').findings[0];
    expect(f).toMatchObject({ runbookId: 'map-full' });
  });
});
