// Issue #16: lines quoted verbatim from the tune corpus threads (test/corpus/cases) that the matchers now read for
// what they mean. Each block names its thread; held-out threads are never used here.
import { describe, expect, it } from 'vitest';
import { analyzePastedText } from '../../../runbooks/engine/pasted/analyze-pasted.ts';

const ids = (text: string, facts: Parameters<typeof analyzePastedText>[1] = {}): string[] =>
  analyzePastedText(text, facts).report.findings.map((f) => f.runbookId);

// https://github.com/rancher/k3os/issues/746 (Raspberry Pi kernel without CONFIG_NET_CLS_BPF, picl-k3os-image-generator#45)
const K3OS_TC = [
  'level=warning msg="[42] DATASEC license size=0 vlen=1 size == 0" subsys=datapath-loader',
  'level=warning subsys=datapath-loader',
  'level=warning msg="RTNETLINK answers: No such file or directory" subsys=datapath-loader',
  'level=warning msg="We have an error talking to the kernel, -1" subsys=datapath-loader',
  'level=warning msg="+ RETCODE=2" subsys=datapath-loader',
  'level=error msg="Error while initializing daemon" error="exit status 2" subsys=daemon',
  'level=fatal msg="Error while creating daemon" error="exit status 2" subsys=daemon',
];

describe('tc cannot find the bpf classifier (ENOENT before "We have an error talking to the kernel")', () => {
  it('rancher/k3os#746: names the missing tc options ahead of the generic crash', () => {
    const { report } = analyzePastedText(`${K3OS_TC.join('\n')}\n`, { ciliumVersion: '1.10.4' });
    const f = report.findings[0];
    expect(f?.runbookId).toBe('kernel-config-missing');
    expect(f?.title).toContain('CONFIG_NET_CLS_BPF');
    expect(f?.evidence.some((q) => q.text.includes('RTNETLINK answers: No such file or directory'))).toBe(true);
  });

  it('ENOENT without a failed tc request after it is not a kernel gap', () => {
    expect(ids(`${K3OS_TC.slice(0, 3).join('\n')}\n`)).not.toContain('kernel-config-missing');
  });
});

describe('a failed tc attach with no reason beside it', () => {
  // https://github.com/cilium/cilium/issues/23006 (modified 4.19.90 kernel, thread unresolved)
  const LINES = [
    'level=error msg="Command execution failed" cmd="[tc filter replace dev cilium_host ingress prio 1 handle 1 bpf da obj 866_next/bpf_host.o sec to-host]" error="exit status 1" subsys=datapath-loader',
    'level=warning msg="libbpf: Error loading BTF: Invalid argument(22)" subsys=datapath-loader',
    'level=warning msg="libbpf: magic: 0xeb9f" subsys=datapath-loader',
  ];

  it('#23006: is reported as a load failure of unknown cause, never a critical verifier or permission denial', () => {
    const { report } = analyzePastedText(`${LINES.join('\n')}\n`, { ciliumVersion: 'v1.12.2', kernel: '4.19.90' });
    expect(report.findings.filter((f) => f.severity === 'critical')).toEqual([]);
    const f = report.findings.find((x) => x.runbookId === 'bpf-program-load-denied');
    expect(f).toMatchObject({ severity: 'warning', confidence: 'medium' });
    expect(f?.summary).toContain('reason is not in these lines');
  });

  it('#9809: the verifier line beside the same kind of failure still names the cause', () => {
    // https://github.com/cilium/cilium/issues/9809
    const text = [
      'level=error msg="Command execution failed" cmd="[tc filter replace dev lxcbb58dd70ae72 ingress prio 1 handle 1 bpf da obj 297_next/bpf_lxc.o sec from-container]" error="exit status 1" subsys=datapath-loader',
      'level=warning msg="Prog section \'from-container\' rejected: Argument list too long (7)!" subsys=datapath-loader',
    ].join('\n');
    const f = analyzePastedText(`${text}\n`).report.findings.find((x) => x.runbookId === 'bpf-program-load-denied');
    expect(f?.title).toContain('too large for the verifier');
    // A paste: the pod state was not read, so the error line does not show the agent stopped on it.
    expect(f).toMatchObject({ severity: 'warning', confidence: 'medium' });
  });
});

describe('the DNS proxy answering before the datapath has the IPs', () => {
  // https://github.com/cilium/cilium/issues/29846
  const LINE = '2023-12-13T05:22:11.945479031Z level=error msg="Timed out waiting for datapath updates of FQDN IP information; returning response" subsys=daemon';

  it('#29846: one such line is an FQDN proxy finding, a warning held at medium confidence', () => {
    const { report } = analyzePastedText(`${LINE}\n`);
    const f = report.findings[0];
    expect(f).toMatchObject({ runbookId: 'fqdn-dns-proxy', severity: 'warning', confidence: 'medium', basis: 'explicit' });
    expect(f?.summary).toContain('before the datapath knew the IPs');
  });
});

describe('connection attempts to the API server that never succeed', () => {
  it('cilium-cli#865: repeated attempts to the Service IP with no "Connected" read as unreachable (not critical without pod state)', () => {
    // https://github.com/cilium/cilium-cli/issues/865 (the lines as quoted, with their leading "-")
    const text = '-level=info msg="Establishing connection to apiserver" host="https://10.96.0.1:443" subsys=k8s\n'
      + '-level=info msg="Establishing connection to apiserver" host="https://10.96.0.1:443" subsys=k8s\n';
    const f = analyzePastedText(text, { ciliumVersion: 'v1.12.0-rc2' }).report.findings[0];
    expect(f).toMatchObject({ runbookId: 'apiserver-unreachable', severity: 'warning', confidence: 'medium' });
    expect(f?.summary).toContain('https://10.96.0.1:443');
  });

  it('cilium-cli#865: the working install (an attempt followed by "Connected") is healthy', () => {
    const text = 'level=info msg="Establishing connection to apiserver" host="https://10.169.72.9:6443" subsys=k8s\n'
      + 'level=info msg="Connected to apiserver" subsys=k8s\n';
    expect(ids(text)).not.toContain('apiserver-unreachable');
  });
});

describe('known issues read from the tune threads', () => {
  // https://github.com/cilium/cilium/issues/13824, fixed by PR #13842
  const PANIC = [
    'level=info msg="Restored services from maps" failed=0 restored=73 subsys=service',
    'panic: interface conversion: *lbmap.SourceRangeKey4 is not lbmap.SourceRangeKey: missing method ToHost',
    '',
    'goroutine 1 [running]:',
    'github.com/cilium/cilium/pkg/maps/lbmap.(*LBBPFMap).DumpSourceRanges.func1(0x285dfc0, 0xc000bb3c00, 0x283c100, 0xc000bb3c0c)',
  ].join('\n');

  it('#13824: the startup panic on 1.8.5 is the source-range bug, ahead of the generic crash', () => {
    const f = analyzePastedText(`${PANIC}\n`, { ciliumVersion: '1.8.5' }).report.findings[0];
    expect(f?.runbookId).toBe('version-advisory');
    expect(f?.summary).toContain('SourceRangeKey');
  });

  it('#13824: the same panic text on a release outside the range is not named as that bug', () => {
    const titles = analyzePastedText(`${PANIC}\n`, { ciliumVersion: '1.9.0' }).report.findings.map((f) => f.title).join(' ');
    expect(titles).not.toContain('source-range');
  });

  it('#8587: LB map E2BIG with legacy services on is named as the 1.5 bug (a warning while the version is unknown)', () => {
    // https://github.com/cilium/cilium/issues/8587
    const line = 'level=error msg="Error while inserting service in LB map" error="unable to update service w.x.y.z:443 with the value a.b.c.d:443 (991): Unable to update element for map with file descriptor 16: argument list too long" k8sNamespace=default k8sSvcName=XXX subsys=daemon\n';
    const found = analyzePastedText(line, { config: { 'enable-legacy-services': 'true' } }).report.findings;
    expect(found.find((f) => f.runbookId === 'version-advisory')?.title).toContain('legacy services');
    const onFixed = analyzePastedText(line, { ciliumVersion: '1.5.4', config: { 'enable-legacy-services': 'true' } }).report.findings;
    expect(onFixed.map((f) => f.runbookId)).not.toContain('version-advisory');
    const legacyOff = analyzePastedText(line, { config: { 'enable-legacy-services': 'false' } }).report.findings;
    expect(legacyOff.map((f) => f.runbookId)).not.toContain('version-advisory');
  });
});

describe('older and device-level wordings of a known meaning', () => {
  it('#3314: the 2018 bare "Unable to update element: argument list too long" on a policy map update is a full map', () => {
    // https://github.com/cilium/cilium/issues/3314 (tgraf: the policy map reached POLICY_MAP_SIZE)
    const line = '2018-03-25T09:55:08.293370314Z level=warning msg="Update of l4 policy map failed" containerID=b14821a713 endpointID=37420 error="Unable to update element: argument list too long" policyID=1541 policyRevision=2499 port=2888 protocol=6\n';
    expect(ids(line)[0]).toBe('map-full');
  });

  it('#36189: "creating device cilium_vxlan: operation not supported, maybe kernel module for vxlan" names CONFIG_VXLAN', () => {
    // https://github.com/cilium/cilium/issues/36189 (custom k3s kernel without CONFIG_VXLAN)
    const line = 'time="2024-11-26T14:07:37Z" level=fatal msg="failed to start: daemon creation failed: error while initializing daemon: failed while reinitializing datapath: failed to setup vxlan tunnel device: setting up vxlan device: creating vxlan device: creating device cilium_vxlan: operation not supported, maybe kernel module for vxlan is not available?" subsys=daemon\n';
    const f = analyzePastedText(line).report.findings[0];
    expect(f).toMatchObject({ runbookId: 'kernel-config-missing', severity: 'critical', explainsAgentCrash: true });
    expect(f?.title).toContain('CONFIG_VXLAN');
  });
});
