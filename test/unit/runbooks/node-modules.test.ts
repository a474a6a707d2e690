// The node probe's loaded modules and bpffs mount as evidence (hostKernel.modules, hostKernel.bpffs), and the runbooks
// that reason with them: wireguard-unsupported (the out-of-tree module below 5.6) and bandwidth-manager-unsupported
// (sch_fq). /proc/modules rows as the kernel prints them: "name size refcount deps state address".
import { describe, expect, it } from 'vitest';
import { parseProbeLog } from '../../../jobs/collect/node-probe/probe-output.ts';
import { mergeProbeReads } from '../../../jobs/collect/node-probe/probe-evidence.ts';
import { PROBE_MODULES, SECTION_BEGIN, SECTION_END } from '../../../jobs/collect/node-probe/probe-script.ts';
import { wireguardUnsupported } from '../../../runbooks/catalogue/wireguard-unsupported.ts';
import { bandwidthManagerUnsupported } from '../../../runbooks/catalogue/bandwidth-manager-unsupported.ts';
import { bpfMapCreateFailed } from '../../../runbooks/catalogue/bpf-map-create-failed.ts';
import { bpffsMounted, moduleState } from '../../../runbooks/engine/node-modules.ts';
import type { EvidenceInput } from '../../../runbooks/engine/evidence.ts';
import { agentLogs, crashingPod, exampleEvidence, LINES, missing, ok, withNode } from './fixtures.ts';

const sec = (name: string, body: string, rc: number): string => `${SECTION_BEGIN}${name} ===\n${body}\n${SECTION_END}${name} rc=${rc} ===\n`;
const PROC_VERSION = 'Linux version 4.19.0-18-cloud-amd64 (debian-kernel@lists.debian.org) (gcc version 8.3.0 (Debian 8.3.0-6)) #1 SMP Debian 4.19.208-1 (2021-09-29)';

function probed(modules: string[], bpffs = 'bpf_fs'): EvidenceInput['hostKernel'] {
  return ok({ procVersion: PROC_VERSION, source: 'probe-pod', modules: { checked: [...PROBE_MODULES], loaded: modules }, bpffs });
}

describe('probe reads → hostKernel.modules and .bpffs', () => {
  const log = sec('proc-version', PROC_VERSION, 0)
    + sec('modules', 'wireguard 94208 0 - Live 0xffffffffc0a1c000\nvxlan 69632 0 - Live 0xffffffffc09f8000', 0)
    + sec('bpffs', 'bpf_fs', 0);

  it('the probe\'s modules and bpffs land on the host kernel fact, with what was looked for', () => {
    const e = mergeProbeReads(exampleEvidence({ hostKernel: missing('unavailable', 'the agent is not running') }), parseProbeLog(log));
    expect(e.hostKernel.ok && e.hostKernel.value).toMatchObject({ source: 'probe-pod', modules: { checked: PROBE_MODULES, loaded: ['wireguard', 'vxlan'] }, bpffs: 'bpf_fs' });
    expect(moduleState(e, 'wireguard')).toBe('loaded');
    expect(moduleState(e, 'sch_fq')).toBe('not-loaded');
    expect(moduleState(e, 'br_netfilter')).toBe('unknown'); // never looked for
    expect(bpffsMounted(e)).toBe(true);
  });

  it('also when the agent read /proc/version itself: the version keeps its source, the modules are added', () => {
    const agentRead = ok({ procVersion: PROC_VERSION, source: 'agent-exec' as const });
    const e = mergeProbeReads(exampleEvidence({ hostKernel: agentRead }), parseProbeLog(log));
    expect(e.hostKernel.ok && e.hostKernel.value.source).toBe('agent-exec');
    expect(moduleState(e, 'wireguard')).toBe('loaded');
  });

  it('a failed modules or bpffs read leaves them unknown, never "not loaded"', () => {
    const e = mergeProbeReads(exampleEvidence({ hostKernel: missing('unavailable', 'x') }), parseProbeLog(sec('proc-version', PROC_VERSION, 0) + sec('bpffs', "stat: can't read file system information for '/host/sys/fs/bpf'", 1)));
    expect(moduleState(e, 'wireguard')).toBe('unknown');
    expect(bpffsMounted(e)).toBeNull();
  });

  it('bpffs not mounted reads as such (stat -f prints the type that is there)', () => {
    expect(bpffsMounted(exampleEvidence({ hostKernel: probed([], 'sysfs') }))).toBe(false);
  });
});

describe('wireguard-unsupported with /proc/modules', () => {
  const base = { ...withNode({ kernelVersion: '4.19.0-18-cloud-amd64', osImage: 'Debian GNU/Linux 10 (buster)' }), ciliumConfig: ok({ 'enable-wireguard': 'true' }) };

  it('4.19 without the probe: a warning of medium confidence (the out-of-tree module may be loaded)', () => {
    const f = wireguardUnsupported.match(exampleEvidence(base));
    expect(f).toMatchObject({ severity: 'warning', confidence: 'medium' });
    expect(f?.evidence.some((q) => q.text.includes('module wireguard'))).toBe(false);
  });

  it('4.19 and wireguard not in /proc/modules: high confidence, the module fact quoted', () => {
    const f = wireguardUnsupported.match(exampleEvidence({ ...base, hostKernel: probed(['vxlan']) }));
    expect(f).toMatchObject({ severity: 'warning', confidence: 'high' });
    expect(f?.evidence).toContainEqual({ kind: 'fact', text: 'module wireguard is not loaded (not in /proc/modules)', source: '/proc/modules (node probe)' });
  });

  it('4.19 with the out-of-tree wireguard module loaded: no finding from the kernel version alone', () => {
    expect(wireguardUnsupported.match(exampleEvidence({ ...base, hostKernel: probed(['wireguard', 'vxlan']) }))).toBeNull();
  });
});

describe('bandwidth-manager-unsupported with sch_fq', () => {
  const noFq = ok({ source: '/boot/config-5.10.0-26-cloud-amd64', options: { CONFIG_NET_SCH_FQ: 'n', CONFIG_BPF: 'y' } });
  const base = { ...withNode({ kernelVersion: '5.10.0-26-cloud-amd64' }), ciliumConfig: ok({ 'enable-bandwidth-manager': 'true' }), kernelConfig: noFq };

  it('a config without CONFIG_NET_SCH_FQ and sch_fq not loaded: the finding quotes both', () => {
    const f = bandwidthManagerUnsupported.match(exampleEvidence({ ...base, hostKernel: probed([]) }));
    expect(f?.summary).toContain('fq qdisc');
    expect(f?.evidence.map((q) => q.text)).toEqual(expect.arrayContaining(['CONFIG_NET_SCH_FQ is not set', 'module sch_fq is not loaded (not in /proc/modules)']));
  });

  it('sch_fq loaded: the running kernel has fq whatever the config file says → no finding', () => {
    expect(bandwidthManagerUnsupported.match(exampleEvidence({ ...base, hostKernel: probed(['sch_fq']) }))).toBeNull();
  });
});

describe('bpf-map-create-failed with the bpffs mount', () => {
  const eperm = { agentPod: crashingPod(), ...agentLogs([LINES.mapEperm, LINES.daemonFatal]) };

  it('EPERM on a node whose /sys/fs/bpf is not a bpffs: the mount is quoted beside the refusal', () => {
    const f = bpfMapCreateFailed.match(exampleEvidence({ ...eperm, hostKernel: probed([], 'sysfs') }));
    expect(f?.evidence).toContainEqual({ kind: 'fact', text: "the host's /sys/fs/bpf is sysfs, not a bpffs", source: 'stat -f /sys/fs/bpf (node probe)' });
  });

  it('EPERM with bpffs mounted says so (one cause the fix step names is ruled out); without the probe nothing is claimed', () => {
    expect(bpfMapCreateFailed.match(exampleEvidence({ ...eperm, hostKernel: probed([]) }))?.evidence.map((q) => q.text)).toContain("the host's /sys/fs/bpf is a mounted bpffs");
    expect(bpfMapCreateFailed.match(exampleEvidence(eperm))?.evidence.some((q) => q.text.includes('/sys/fs/bpf is'))).toBe(false);
  });
});
