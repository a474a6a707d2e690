// bandwidth-manager-unsupported, wireguard-unsupported, kernel-config-missing: real lines from fact sheet §2.1, §2.6, §2.7.
import { describe, expect, it } from 'vitest';
import { bandwidthManagerUnsupported } from '../../../runbooks/catalogue/bandwidth-manager-unsupported.ts';
import { wireguardUnsupported } from '../../../runbooks/catalogue/wireguard-unsupported.ts';
import { kernelConfigMissing } from '../../../runbooks/catalogue/kernel-config-missing.ts';
import { agentLogs, crashingPod, exampleEvidence, LINES, missing, ok, peers, withNode } from './fixtures.ts';

describe('bandwidth-manager-unsupported', () => {
  it('4.19 with the bandwidth manager: the agent disables it (#18639) → warning with a Helm diff of only that', () => {
    const f = bandwidthManagerUnsupported.match(exampleEvidence({
      ...withNode({ kernelVersion: '4.19.0-18-cloud-amd64', osImage: 'Debian GNU/Linux 10 (buster)' }),
      peers: ok(peers(4, '4.19.0-18-cloud-amd64', 'workers')),
      ciliumConfig: ok({ 'enable-bandwidth-manager': 'true' }),
      ...agentLogs(null, [LINES.apiserverInfo, LINES.bwmNeeds51]),
    }));
    expect(f).toMatchObject({ severity: 'warning', explainsAgentCrash: false, confidence: 'certain' });
    expect(f?.evidence.some((q) => q.kind === 'log' && q.lineNumber === 2)).toBe(true);
    expect(f?.fixSteps.find((s) => s.helmValues !== undefined)?.helmValues).toBe('bandwidthManager:\n  enabled: false');
    expect(f?.proposals).toEqual([expect.objectContaining({ action: 'disable-feature', params: { key: 'enable-bandwidth-manager', value: 'false' } })]);
    expect(f?.blastRadius.peers.affected).toHaveLength(4);
  });

  it('BBR below 5.18 is fatal (bandwidth.go) and only BBR goes off', () => {
    const f = bandwidthManagerUnsupported.match(exampleEvidence({
      ...withNode({ kernelVersion: '5.15.0-1051-azure' }),
      ciliumConfig: ok({ 'enable-bandwidth-manager': 'true', 'enable-bbr': 'true' }),
      agentPod: crashingPod(), ...agentLogs([LINES.bbrFatal]),
    }));
    expect(f).toMatchObject({ severity: 'critical', explainsAgentCrash: true });
    expect(f?.fixSteps.find((s) => s.helmValues !== undefined)?.helmValues).toBe('bandwidthManager:\n  bbr: false');
    expect(f?.proposals[0]?.params).toEqual({ key: 'enable-bbr', value: 'false' });
  });

  it('the procfs disable (#33851) is reported as not the kernel', () => {
    const f = bandwidthManagerUnsupported.match(exampleEvidence({ ciliumConfig: ok({ 'enable-bandwidth-manager': 'true' }), ...agentLogs(null, [LINES.bwmProcfs]) }));
    expect(f?.summary).toContain('not the kernel');
    expect(f?.severity).toBe('warning');
  });

  // Critical rests on the agent exiting on the line (fatal, start failure, crash loop), not on its level or wording.
  /** talos#2638 (v1.9.0-rc1): the sysctl failure at level=fatal. */
  const SYSCTL_FATAL = 'level=fatal msg="Failed to set sysctl needed by BPF bandwidth manager." error="could not write to the systctl file /proc/sys/net/ipv4/tcp_congestion_control: write /proc/sys/net/ipv4/tcp_congestion_control: no such file or directory" subsys=bandwidth-manager sysParamName=net.ipv4.tcp_congestion_control sysParamValue=bbr';
  /** #16284: the same failure pasted without its level. */
  const SYSCTL_NO_LEVEL = 'msg="Failed to set sysctl needed by BPF bandwidth manager." error="could** not write to the systctl file /proc/sys/net/core/default_qdisc: write /proc/sys/net/core/default_qdisc: no such file or directory';
  /** 1.16+ (pkg/datapath/linux/bandwidth/bandwidth.go): the job returns the error, which is logged at error level. */
  const SYSCTL_JOB_ERROR = 'time=2024-08-01T09:00:00Z level=error msg="failed to set sysctl needed by BPF bandwidth manager: could not write to the systctl file /proc/sys/net/core/default_qdisc: write /proc/sys/net/core/default_qdisc: no such file or directory" module=agent.datapath.bandwidth-manager';
  const bwmOn = { ciliumConfig: ok({ 'enable-bandwidth-manager': 'true' }) };
  const runningPod = ok({ name: 'cilium-x7k2p', namespace: 'kube-system', phase: 'Running', ready: true, restartCount: 0, containers: ['cilium-agent'] });

  it('the sysctl failure at level=fatal (talos#2638) is critical: the agent exits on it', () => {
    const f = bandwidthManagerUnsupported.match(exampleEvidence({ ...bwmOn, ...agentLogs([SYSCTL_FATAL]) }));
    expect(f).toMatchObject({ severity: 'critical', explainsAgentCrash: true, basis: 'explicit' });
  });

  it('the sysctl failure at error level on an agent that keeps running is a warning, not a crash', () => {
    const f = bandwidthManagerUnsupported.match(exampleEvidence({ ...bwmOn, agentPod: runningPod, ...agentLogs(null, [SYSCTL_JOB_ERROR]) }));
    expect(f).toMatchObject({ severity: 'warning', explainsAgentCrash: false });
    expect(f?.summary).toContain('no line shows the agent exiting');
  });

  it('the same error-level line while the agent crash-loops is critical', () => {
    const f = bandwidthManagerUnsupported.match(exampleEvidence({ ...bwmOn, agentPod: crashingPod(), ...agentLogs([SYSCTL_JOB_ERROR]) }));
    expect(f).toMatchObject({ severity: 'critical', explainsAgentCrash: true });
  });

  it('the error returned as the start failure is critical without pod state', () => {
    const line = 'level=fatal msg="failed to start: failed to set sysctl needed by BPF bandwidth manager: could not write to the systctl file /proc/sys/net/core/default_qdisc"';
    const startFailure = line.replace('level=fatal ', 'level=error ');
    const f = bandwidthManagerUnsupported.match(exampleEvidence({ ...bwmOn, agentPod: missing('not-found', 'pasted text'), ...agentLogs([startFailure]) }));
    expect(f).toMatchObject({ severity: 'critical', explainsAgentCrash: true });
  });

  it('a pasted sysctl line with no level and no pod state (#16284) is a warning', () => {
    const f = bandwidthManagerUnsupported.match(exampleEvidence({ ciliumConfig: missing('not-found', 'pasted text'), agentPod: missing('not-found', 'pasted text'), ...agentLogs([SYSCTL_NO_LEVEL]) }));
    expect(f).toMatchObject({ severity: 'warning', explainsAgentCrash: false, basis: 'explicit' });
  });

  it('near miss: 5.4 with the bandwidth manager is supported (fact sheet §0.8) → null', () => {
    expect(bandwidthManagerUnsupported.match(exampleEvidence({
      ...withNode({ kernelVersion: '5.4.0-1045-aws' }), ciliumConfig: ok({ 'enable-bandwidth-manager': 'true' }),
    }))).toBeNull();
  });

  it('unknown config → null (inconclusive, not healthy)', () => {
    expect(bandwidthManagerUnsupported.match(exampleEvidence({ ciliumConfig: missing('forbidden', 'configmaps is forbidden') }))).toBeNull();
  });
});

describe('wireguard-unsupported', () => {
  it('4.19 + enable-wireguard + the PR #15825 fatal → critical, disable-feature proposed', () => {
    const f = wireguardUnsupported.match(exampleEvidence({
      ...withNode({ kernelVersion: '4.19.0-18-cloud-amd64' }),
      ciliumConfig: ok({ 'enable-wireguard': 'true' }), agentPod: crashingPod(), ...agentLogs([LINES.wgNotSupported]),
    }));
    expect(f).toMatchObject({ severity: 'critical', explainsAgentCrash: true, confidence: 'certain' });
    expect(f?.fixSteps.some((s) => s.helmValues === 'encryption:\n  enabled: false')).toBe(true);
    expect(f?.proposals[0]).toMatchObject({ action: 'disable-feature', params: { key: 'enable-wireguard', value: 'false' }, risk: 'high' });
  });

  it('port 51871 in use (#35928) is not a kernel problem', () => {
    const f = wireguardUnsupported.match(exampleEvidence({ ciliumConfig: ok({ 'enable-wireguard': 'true' }), ...agentLogs([LINES.wgPortInUse]) }));
    expect(f?.summary).toContain('51871');
    expect(f?.proposals).toEqual([]);
  });

  it('near miss: the same line on a 6.6 kernel belongs to kernel-config-missing (azurelinux#16243)', () => {
    const e = exampleEvidence({ ...withNode({ kernelVersion: '6.6.64.2-3.azl3' }), ciliumConfig: ok({ 'enable-wireguard': 'true' }), agentPod: crashingPod(), ...agentLogs([LINES.wgSlog]) });
    expect(wireguardUnsupported.match(e)).toBeNull();
    const f = kernelConfigMissing.match(e);
    expect(f).toMatchObject({ severity: 'critical', explainsAgentCrash: true });
    expect(f?.summary).toContain('CONFIG_WIREGUARD');
  });

  it('unknown logs on a new kernel → null', () => {
    expect(wireguardUnsupported.match(exampleEvidence({ ciliumConfig: ok({ 'enable-wireguard': 'true' }), agentLogs: missing('forbidden', 'pods/log is forbidden') }))).toBeNull();
  });
});

describe('kernel-config-missing', () => {
  it('6.18 printing "Require support for dead code elimination (Linux 5.1 or newer)" (#44967, slog) → critical, not kernel-too-old', () => {
    const f = kernelConfigMissing.match(exampleEvidence({
      ...withNode({ kernelVersion: '6.18.2-arch1-1' }), cilium: ok({ version: '1.18.8', image: 'quay.io/cilium/cilium:v1.18.8' }),
      agentPod: crashingPod(), ...agentLogs([LINES.slogDce, LINES.slogHive, LINES.panic]),
    }));
    expect(f).toMatchObject({ severity: 'critical', explainsAgentCrash: true, confidence: 'certain' });
    expect(f?.evidence.some((q) => q.kind === 'comparison' && q.text.includes('6.18.2 ≥ 5.1.0'))).toBe(true);
  });

  it('5.18.14 with "BPF NodePort services needs kernel 4.17.0" (#20726, logfmt) → config, not age', () => {
    const f = kernelConfigMissing.match(exampleEvidence({ ...withNode({ kernelVersion: '5.18.14-custom' }), ...agentLogs(null, [LINES.nodePortNeeds]) }));
    expect(f?.summary).toContain('#20726');
  });

  it('kernel 7.2 helper-probe regression (#48016)', () => {
    const f = kernelConfigMissing.match(exampleEvidence({ ...withNode({ kernelVersion: '7.2.1' }), agentPod: crashingPod(), ...agentLogs([LINES.probeHelper]) }));
    expect(f?.severity).toBe('critical');
  });

  it('a missing CONFIG_ in the kernel config fact, without log lines → warning naming it', () => {
    const base = exampleEvidence();
    const options = base.kernelConfig.ok ? { ...base.kernelConfig.value.options } : {};
    delete options['CONFIG_VXLAN'];
    const f = kernelConfigMissing.match(exampleEvidence({ kernelConfig: ok({ source: '/proc/config.gz', options }) }));
    expect(f?.severity).toBe('warning');
    expect(f?.summary).toContain('CONFIG_VXLAN');
  });

  it('the non-fatal CONFIG_IP_MULTIPLE_TABLES line is a warning', () => {
    expect(kernelConfigMissing.match(exampleEvidence(agentLogs(null, [LINES.policyRouting])))?.severity).toBe('warning');
  });

  it('near miss: a kernel below the named version is kernel-too-old\'s, not this', () => {
    expect(kernelConfigMissing.match(exampleEvidence({ ...withNode({ kernelVersion: '5.4.0-1045-aws' }), ...agentLogs([LINES.slogRedirectNeigh]) }))).toBeNull();
    expect(kernelConfigMissing.match(exampleEvidence(agentLogs(null, [LINES.folkloreKernel, LINES.ctGcWarning])))).toBeNull();
  });

  it('unknown kernel → a named-version line cannot be judged → null', () => {
    expect(kernelConfigMissing.match(exampleEvidence({ node: missing('forbidden', 'nodes is forbidden'), ...agentLogs([LINES.slogDce]) }))).toBeNull();
  });
});
