// The pure preflight checks: target floor by pool, feature kernel needs from the effective config (cilium-config +
// Helm values + per-node overrides), known-bad kernel combinations of the target, removed keys, CRD changes, and
// the values diff.
import { describe, expect, it } from 'vitest';
import {
  buildPreflightReport, configFromHelmValues, configKeyProblems, crdChangesCrossed, parseTargetVersion, runPreflightChecks,
  type PreflightInput, type PreflightNode,
} from '../../../runbooks/engine/preflight/index.ts';

const node = (name: string, kernel: string, pool: string | null, extra: Partial<PreflightNode> = {}): PreflightNode =>
  ({ name, kernel, osImage: 'Ubuntu 22.04.4 LTS', arch: 'amd64', pool, ...extra });

const input = (nodes: PreflightNode[], over: Partial<PreflightInput> = {}): PreflightInput => ({
  target: '1.18.2', runningVersion: '1.16.3', clusterConfig: {}, valuesConfig: {}, nodes, crds: [], ...over,
});

const report = (i: PreflightInput) => buildPreflightReport(runPreflightChecks(i), { runningVersion: i.runningVersion, unavailable: [] });

describe('parseTargetVersion', () => {
  it('accepts full versions with or without v and pre-releases, refuses the rest', () => {
    expect(parseTargetVersion('1.18.2')).toBe('1.18.2');
    expect(parseTargetVersion('v1.18.2')).toBe('1.18.2');
    expect(parseTargetVersion('1.18.0-rc.1')).toBe('1.18.0-rc.1');
    for (const bad of ['1.18', 'latest', '1.18.2; rm -rf /', '0.9.0', '']) expect(parseTargetVersion(bad)).toBeNull();
  });
});

describe('kernel floor of the target, grouped by pool', () => {
  it('one line per pool and kernel; nodes meeting the floor are not named', () => {
    const nodes = [
      ...Array.from({ length: 12 }, (_, i) => node(`legacy-${i}`, '4.14.352-268.569.amzn2.x86_64', 'workers-legacy', { osImage: 'Amazon Linux 2' })),
      node('new-1', '6.1.115-126.197.amzn2023.x86_64', 'workers', { osImage: 'Amazon Linux 2023.6.20241111' }),
    ];
    const r = report(input(nodes));
    expect(r.verdict).toBe('fail');
    expect(r.nodesBreaking).toBe(12);
    expect(r.groups.map((g) => g.sentence)).toEqual(['12 nodes in pool `workers-legacy`: kernel 4.14.352 < 5.10.0 required by Cilium 1.18+']);
    expect(r.valuesDiff).toBeNull();
    expect(r.notFixableByValues).toEqual(['kernel 4.14.352 < 5.10.0 required by Cilium 1.18+']);
  });

  it('a vendor number hiding the patch level at the floor\'s series is a warning to read /proc/version, not a failure', () => {
    const r = report(input([node('deb', '4.19.0-21-amd64', 'p', { osImage: 'Debian GNU/Linux 10 (buster)' })], { target: '1.15.6' }));
    expect(r.verdict).toBe('pass');
    expect(r.groups).toMatchObject([{ kind: 'kernel-unknown', severity: 'warning', nodes: ['deb'] }]);
    expect(r.groups[0]?.sentence).toMatch(/kernel 4\.19\.0-21-amd64 \(.*upstream 4\.19\.x\) may be below 4\.19\.57 required by Cilium 1\.13–1\.15/);
    expect(r.groups[0]?.fix).toMatch(/cat \/proc\/version/);
  });

  it('the same kernel passes an older target', () => {
    expect(report(input([node('a', '5.4.250', 'p')], { target: '1.17.6' })).verdict).toBe('pass');
    expect(report(input([node('a', '5.4.250', 'p')], { target: '1.18.0' })).verdict).toBe('fail');
  });
});

describe('feature kernel needs from the effective config', () => {
  it('Helm values win over cilium-config, and a per-node override wins over both', () => {
    const nodes = [node('a', '5.15.0', 'gpu'), node('b', '5.15.0', 'cpu', { overrides: { 'datapath-mode': 'veth' } })];
    const r = report(input(nodes, { clusterConfig: { 'datapath-mode': 'veth' }, valuesConfig: configFromHelmValues({ bpf: { datapathMode: 'netkit' } }) }));
    const netkit = r.groups.filter((g) => /netkit/.test(g.sentence));
    expect(netkit.map((g) => g.nodes)).toEqual([['a']]);
    expect(netkit[0]?.severity).toBe('breaks');
    expect(r.valuesDiff).toBe('bpf:\n  datapathMode: veth');
  });

  it('a feature the agent only turns off is a warning; the run passes', () => {
    const r = report(input([node('a', '5.10.200', 'p')], { clusterConfig: { 'enable-bandwidth-manager': 'true', 'enable-bbr': 'true' } }));
    const bbr = r.groups.find((g) => /BBR/.test(g.sentence));
    expect(bbr?.severity).toBe('breaks');
    expect(r.valuesDiff).toBe('bandwidthManager:\n  bbr: false');
    const bwOnly = report(input([node('a', '5.10.200', 'p')], { clusterConfig: { 'enable-bandwidth-manager': 'true' } }));
    expect(bwOnly.verdict).toBe('pass');
  });

  it('maps the Helm values that render the feature keys, wireguard included', () => {
    expect(configFromHelmValues({ kubeProxyReplacement: true, encryption: { enabled: true, type: 'wireguard' }, bandwidthManager: { enabled: true, bbr: false }, routingMode: 'native' }))
      .toEqual({ 'kube-proxy-replacement': 'true', 'enable-wireguard': 'true', 'enable-bandwidth-manager': 'true', 'enable-bbr': 'false', 'routing-mode': 'native' });
    expect(configFromHelmValues({ encryption: { enabled: true, type: 'ipsec' } })).toEqual({ 'enable-wireguard': 'false' });
  });
});

describe('known-bad kernel combinations of the target', () => {
  it('reports an entry whose range holds the target on the node\'s kernel, not on other kernels or targets', () => {
    const nodes = [node('talos-1', '6.18.5-talos', 'edge', { osImage: 'Talos (v1.12.1)' }), node('ok', '6.12.40', 'edge')];
    const r = report(input(nodes, { target: '1.18.6' }));
    const known = r.groups.filter((g) => g.kind === 'known-issue');
    expect(known.map((g) => g.nodes)).toEqual([['talos-1']]);
    expect(known[0]?.sentence).toMatch(/REG INVARIANTS VIOLATION/);
    expect(known[0]?.source).toBe('https://github.com/cilium/cilium/issues/44216');
    expect(report(input(nodes, { target: '1.17.6' })).groups.filter((g) => g.kind === 'known-issue')).toEqual([]);
  });
});

describe('config keys and values removed by the target', () => {
  it('tunnel without routing-mode breaks from 1.15, with the routing-mode to set', () => {
    const [p] = configKeyProblems('1.15.0', { tunnel: 'disabled' });
    expect(p?.severity).toBe('breaks');
    expect(p?.text).toMatch(/`tunnel=disabled` was removed in Cilium 1\.15 and `routing-mode` is not set/);
    expect(p?.fix).toBe('Set `routing-mode=native` and delete `tunnel`.');
    expect(p?.helm).toEqual({ routingMode: 'native' });
    expect(configKeyProblems('1.14.9', { tunnel: 'disabled' })).toEqual([]);
  });

  it('tunnel beside routing-mode is only clutter; kube-proxy-replacement=strict breaks from 1.16', () => {
    const both = configKeyProblems('1.18.2', { tunnel: 'vxlan', 'routing-mode': 'tunnel', 'tunnel-protocol': 'vxlan' });
    expect(both.map((p) => p.severity)).toEqual(['warning', 'warning']);
    const strict = configKeyProblems('1.16.0', { 'kube-proxy-replacement': 'strict' });
    expect(strict).toMatchObject([{ severity: 'breaks', fix: 'Set `kube-proxy-replacement=true`.', helm: { kubeProxyReplacement: true } }]);
    expect(configKeyProblems('1.15.9', { 'kube-proxy-replacement': 'strict' })).toEqual([]);
  });

  it('reported once for the cluster, not per node', () => {
    const r = report(input([node('a', '6.1.0', 'p'), node('b', '6.1.0', 'q')], { target: '1.15.0', clusterConfig: { tunnel: 'geneve' } }));
    expect(r.groups.filter((g) => g.kind === 'config-key').map((g) => g.sentence)).toEqual([
      'cluster: `tunnel=geneve` was removed in Cilium 1.15 and `routing-mode` is not set: the setting would be lost',
      'cluster: `tunnel=geneve` was removed in Cilium 1.15 and `tunnel-protocol` is not set: the setting would be lost',
    ]);
    expect(r.valuesDiff).toBe('routingMode: tunnel\ntunnelProtocol: geneve');
  });
});

describe('CRD version changes crossed by the upgrade', () => {
  const crds = [{ name: 'ciliumnodeconfigs.cilium.io', storedVersions: ['v2alpha1'] }];
  it('CiliumNodeConfig v2alpha1 → v2 when crossing 1.16 with v2alpha1 still stored', () => {
    expect(crdChangesCrossed('1.15.6', '1.18.2', crds).map((c) => c.change.kind)).toEqual(['CiliumNodeConfig']);
    expect(crdChangesCrossed('1.16.3', '1.18.2', crds)).toEqual([]);
    expect(crdChangesCrossed('1.15.6', '1.15.9', crds)).toEqual([]);
    expect(crdChangesCrossed('1.15.6', '1.18.2', [{ name: 'ciliumnodeconfigs.cilium.io', storedVersions: ['v2'] }])).toEqual([]);
  });
  it('is a cluster warning in the report', () => {
    const r = report(input([node('a', '6.1.0', 'p')], { runningVersion: '1.15.6', crds }));
    expect(r.groups).toMatchObject([{ kind: 'crd', severity: 'warning', sentence: 'cluster: CiliumNodeConfig moves from cilium.io/v2alpha1 to cilium.io/v2 in Cilium 1.16 (stored versions now: v2alpha1)' }]);
    expect(r.verdict).toBe('pass');
  });
});
