// kernel-too-old, analyze, the offline document and the fleet sweep on vendor kernels: a Debian/Ubuntu ABI number
// never becomes "cannot start"; /proc/version settles it; a kernel that really is too old stays critical and certain.
import { describe, expect, it } from 'vitest';
import { kernelTooOld } from '../../../runbooks/catalogue/kernel-too-old.ts';
import { analyze } from '../../../runbooks/engine/analyze.ts';
import { evidenceFromDocument, renderFindingsJson } from '../../../runbooks/engine/offline-evidence.ts';
import { triage, type FleetNode } from '../../../runbooks/engine/fleet/fleet-node.ts';
import { groupByRootCause } from '../../../runbooks/engine/fleet/group.ts';
import { exampleEvidence, missing, ok, peers, withNode } from './fixtures.ts';

const DEBIAN_10 = { kernelVersion: '4.19.0-21-amd64', osImage: 'Debian GNU/Linux 10 (buster)' };
const cilium = (version: string) => ({ cilium: ok({ version, image: `quay.io/cilium/cilium:v${version}` }) });
/** Debian 10's /proc/version; the part from "#1" is the uname -v the issue 15 report quotes. */
const procVersion = (release: string, unameV: string) => ({
  hostKernel: ok({ procVersion: `Linux version ${release} (debian-kernel@lists.debian.org) (gcc version 8.3.0 (Debian 8.3.0-6)) ${unameV}`, source: 'agent-exec' as const }),
});
const NO_PROC = { hostKernel: missing('unavailable', 'not read: /proc/version is read inside the cilium-agent container, which is not running') };

describe('kernel-too-old on Debian 10 (issue 15)', () => {
  it('without /proc/version and Cilium 1.14: a likely warning that it may be below 4.19.57, never "cannot start"', () => {
    const f = kernelTooOld.match(exampleEvidence({ ...withNode(DEBIAN_10), ...cilium('1.14.5'), ...NO_PROC }));
    expect(f).toMatchObject({ severity: 'warning', confidence: 'medium', explainsAgentCrash: false, proposals: [] });
    expect(f?.title).toBe("Kernel 4.19.0-21-amd64 may be below Cilium 1.14.5's minimum");
    expect(f?.summary).toContain('may be below the 4.19.57 minimum of Cilium 1.14.5 (1.13–1.15)');
    expect(f?.summary).toContain('Read the real patch level with `cat /proc/version`');
    expect(f?.summary).not.toMatch(/cannot start|cannot run/);
    expect(f?.evidence[0]?.text).toContain('Debian ABI number: uname -r says 4.19.0');
    expect(f?.fixSteps[0]?.commands).toEqual(['kubectl -n kube-system exec cilium-x7k2p -c cilium-agent -- cat /proc/version']);
  });

  it('with /proc/version saying 4.19.249: no finding, as Cilium lists Debian 10 as supported', () => {
    const e = exampleEvidence({ ...withNode(DEBIAN_10), ...cilium('1.14.5'), ...procVersion('4.19.0-21-amd64', '#1 SMP Debian 4.19.249-2 (2022-06-30)') });
    expect(kernelTooOld.match(e)).toBeNull();
    expect(analyze(e).findings.map((f) => f.runbookId)).not.toContain('kernel-too-old');
  });

  it('with KPR on, the socket-LB minimum (4.19.57) is also only "may" without /proc/version', () => {
    const e = exampleEvidence({ ...withNode(DEBIAN_10), ...cilium('1.14.5'), ...NO_PROC, ciliumConfig: ok({ 'kube-proxy-replacement': 'true' }) });
    const f = kernelTooOld.match(e);
    expect(f?.severity).toBe('warning');
    expect(f?.summary).toContain('and the 4.19.57 that Socket LB needs, enabled by kube-proxy-replacement=true (auto-enables bpf-lb-sock)');
  });

  it('the release kernel (upstream 4.19.37 per /proc/version) is below 4.19.57 for certain, quoting where the number came from', () => {
    const e = exampleEvidence({ ...withNode({ ...DEBIAN_10, kernelVersion: '4.19.0-5-amd64' }), ...cilium('1.14.5'), ...procVersion('4.19.0-5-amd64', '#1 SMP Debian 4.19.37-5+deb10u1 (2019-07-19)') });
    const f = kernelTooOld.match(e);
    expect(f).toMatchObject({ severity: 'critical', confidence: 'certain' });
    expect(f?.evidence[0]).toEqual({
      kind: 'fact', text: "kernelVersion: 4.19.0-5-amd64 (upstream 4.19.37 from /proc/version (Debian's uname -r carries an ABI number))",
      source: 'node node-7 status.nodeInfo; /proc read in the cilium-agent container',
    });
    expect(f?.evidence.some((q) => q.kind === 'comparison' && q.text === 'kernel 4.19.37 < 4.19.57, the minimum for Cilium 1.13–1.15')).toBe(true);
  });

  it('under Cilium 1.16 any 4.19 is below 5.4 whatever its patch: critical and certain, naming the upstream series', () => {
    const f = kernelTooOld.match(exampleEvidence({ ...withNode(DEBIAN_10), ...cilium('1.16.3'), ...NO_PROC }));
    expect(f).toMatchObject({ severity: 'critical', confidence: 'certain' });
    expect(f?.summary).toContain('runs kernel 4.19.0-21-amd64 (upstream 4.19.x), below the 5.4.0 minimum');
  });

  it('peers numbered the same way are counted as possibly affected', () => {
    const e = exampleEvidence({ ...withNode(DEBIAN_10), ...cilium('1.14.5'), ...NO_PROC, peers: ok(peers(4, '4.19.0-21-amd64', 'buster', 'Debian GNU/Linux 10 (buster)')) });
    expect(kernelTooOld.match(e)?.blastRadius.peers.affected).toHaveLength(4);
  });
});

describe('kernel-too-old on other vendors', () => {
  it('AL2 4.14 under 1.15 stays critical and certain (Amazon Linux numbers are upstream, cilium#10462)', () => {
    const f = kernelTooOld.match(exampleEvidence({ ...withNode({ kernelVersion: '4.14.352-268.568.amzn2.x86_64', osImage: 'Amazon Linux 2' }), ...cilium('1.15.6') }));
    expect(f).toMatchObject({ severity: 'critical', confidence: 'certain', explainsAgentCrash: true });
    expect(f?.evidence[0]?.text).toBe('kernelVersion: 4.14.352-268.568.amzn2.x86_64 (upstream 4.14.352 from uname -r)');
  });

  it('Ubuntu 20.04 (5.4.0-1045-aws) runs 1.16 and is below 1.18\'s 5.10 for certain', () => {
    const ubuntu = withNode({ kernelVersion: '5.4.0-1045-aws', osImage: 'Ubuntu 20.04.6 LTS' });
    expect(kernelTooOld.match(exampleEvidence({ ...ubuntu, ...cilium('1.16.3') }))).toBeNull();
    expect(kernelTooOld.match(exampleEvidence({ ...ubuntu, ...cilium('1.18.2') }))).toMatchObject({ severity: 'critical', confidence: 'certain' });
  });

  it('RHEL 8.6 under 1.18 is "counted as 5.4" per the docs, not called upstream 5.4', () => {
    const f = kernelTooOld.match(exampleEvidence({ ...withNode({ kernelVersion: '4.18.0-372.9.1.el8.x86_64', osImage: 'Rocky Linux 8.6 (Green Obsidian)' }), ...cilium('1.18.2') }));
    expect(f?.summary).toContain('runs kernel 4.18.0-372.9.1.el8.x86_64 (counted as 5.4.0 per Cilium\'s docs), below the 5.10.0 minimum');
    expect(f?.confidence).toBe('medium');
  });

  it.each([
    ['5.15.133+', 'Container-Optimized OS from Google'],
    ['5.10.93', 'Bottlerocket OS 1.5.3 (vmware-k8s-1.21)'],
    ['6.1.69-talos', 'Talos (v1.6.1)'],
    ['5.15.107.1-2.cm2', 'CBL-Mariner/Linux'],
    ['6.6.130.1-3.azl3', 'Microsoft Azure Linux 3.0'],
    ['5.14.21-150400.24.11-default', 'SUSE Linux Enterprise Server 15 SP4'],
    ['5.14.0-427.13.1.el9_4.x86_64', 'Rocky Linux 9.4 (Blue Onyx)'],
    ['5.15.0-206.153.7.1.el8uek.x86_64', 'Oracle Linux Server 8.10'],
    ['6.1.115-126.197.amzn2023.x86_64', 'Amazon Linux 2023.6.20241111'],
  ])('%s (%s) meets 1.18\'s floor: no finding', (kernelVersion, osImage) => {
    expect(kernelTooOld.match(exampleEvidence({ ...withNode({ kernelVersion, osImage }), ...cilium('1.18.2') }))).toBeNull();
  });
});

describe('analyze on the minimal offline document (issue 15)', () => {
  it('Debian 10 + Cilium 1.14: the findings JSON says "may be below", as a warning', () => {
    const doc = { node: { name: 'node-7', ...DEBIAN_10 }, cilium: { version: '1.14.5' } };
    const json = JSON.parse(renderFindingsJson(analyze(evidenceFromDocument(doc)))) as { findings: { runbook: string; severity: string; summary: string }[] };
    const kernel = json.findings.find((f) => f.runbook === 'kernel-too-old');
    expect(kernel?.severity).toBe('warning');
    expect(kernel?.summary).toContain('may be below the 4.19.57 minimum');
    expect(json.findings.some((f) => f.severity === 'critical')).toBe(false);
  });
});

describe('fleet sweep agrees with the runbook', () => {
  const node = (name: string, kernel: string, osImage: string): FleetNode => ({
    name, kernel, osImage, arch: 'amd64', pool: 'workers', ready: true, kubeProxyPod: false,
    agent: { pod: `cilium-${name}`, phase: 'Running', ready: true, restarts: 0, image: 'quay.io/cilium/cilium:v1.14.5', version: '1.14.5' },
  });
  const ctx = { config: null, kubeProxyDaemonSet: false, fleetVersion: '1.14.5' };

  it('Debian 10 ABI numbers are "may be below" (deep-collected, a warning), AL2 4.14 below, Ubuntu 5.4 fine', () => {
    expect(triage(node('deb', '4.19.0-21-amd64', 'Debian GNU/Linux 10 (buster)'), ctx)).toEqual({
      triggers: ['kernel-patch-unknown'],
      reasons: ['kernel 4.19.0-21-amd64 (Debian, upstream 4.19.x) may be below 4.19.57 needed by Cilium 1.13–1.15'],
    });
    expect(triage(node('al2', '4.14.352-268.568.amzn2.x86_64', 'Amazon Linux 2'), ctx).triggers).toEqual(['kernel-too-old']);
    expect(triage(node('ubu', '5.4.0-1045-aws', 'Ubuntu 20.04.6 LTS'), ctx).triggers).toEqual([]);
  });

  it('groups unconfirmed Debian nodes as a warning keyed by their own kernel string', () => {
    const n = node('deb-1', '4.19.0-21-amd64', 'Debian GNU/Linux 10 (buster)');
    const groups = groupByRootCause([{ node: n, verdict: triage(n, ctx), deep: null }]);
    expect(groups[0]).toMatchObject({ runbookId: 'kernel-too-old', severity: 'warning', kernel: '4.19.0-21-amd64', confirmed: false });
  });
});
