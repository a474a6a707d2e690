// Known issues as data (runbooks/catalogue/known-issues): the table's shape, every signature against the line its
// thread quotes, fixed or unaffected releases never reported as the bug, and how version-advisory words and ranks it.
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import type { EvidenceInput } from '../../../runbooks/engine/evidence.ts';
import { analyze } from '../../../runbooks/engine/analyze.ts';
import { versionAdvisory } from '../../../runbooks/catalogue/version-advisory.ts';
import { KNOWN_ISSUES, affects, isFixed, matchKnownIssues, type KnownIssue } from '../../../runbooks/catalogue/known-issues/index.ts';
import { validateKnownIssues } from '../../../runbooks/catalogue/known-issues/schema.ts';
import { shortRef } from '../../../runbooks/catalogue/known-issues/describe.ts';
import { agentLogs, crashingPod, exampleEvidence, missing, ok, withNode } from './fixtures.ts';

const cilium = (version: string) => ({ cilium: ok({ version, image: `quay.io/cilium/cilium:v${version}` }) });

/** The lowest release the entry says is affected (its fix lies outside the range, so this one is not fixed). */
function affectedRelease(k: KnownIssue): string {
  const v = semver.minVersion(k.cilium);
  if (v === null) throw new Error(`${k.id}: no release in ${k.cilium}`);
  return v.version;
}

/** A release the entry must not report: its fixed release, else one outside the affected range. */
function unaffectedRelease(k: KnownIssue): string {
  const fixed = k.fixedIn?.[0];
  if (fixed !== undefined) return fixed;
  const outside = ['0.9.0', '1.5.0', '1.30.0'].find((v) => !semver.satisfies(v, k.cilium, { includePrerelease: true }));
  if (outside === undefined) throw new Error(`${k.id}: every probe release is in ${k.cilium}`);
  return outside;
}

/** Kernels of the threads behind the table: each kernel-constrained entry must find one here that it applies to. */
const THREAD_KERNELS = ['5.0.0-31-generic', '4.19.0-18-cloud-amd64', '5.4.17-2136.311.6.1.el7uek.x86_64', '5.15.0-72-generic', '5.16.2',
  '6.1.69-talos', '5.15.0-127-generic', '6.6.58-talos', '6.18.5-talos', '7.2.0-1-default', '4.18.0-553.el8_10.x86_64', '5.15.0-1012-raspi',
  '5.15.133.1-microsoft-standard-WSL2', '5.10.0', '6.11.4-talos', '5.4.176'];

function kernelFor(k: KnownIssue): Partial<EvidenceInput> {
  if (k.kernel === undefined) return withNode({ kernelVersion: '6.8.0-45-generic' });
  for (const raw of THREAD_KERNELS) {
    if (kernelHolds(k, raw)) return withNode({ kernelVersion: raw, osImage: 'Linux' });
  }
  throw new Error(`${k.id}: no thread kernel satisfies ${k.kernel.describe}`);
}

function kernelHolds(k: KnownIssue, raw: string): boolean {
  const e = exampleEvidence({ ...withNode({ kernelVersion: raw, osImage: 'Linux' }), ...cilium(affectedRelease(k)), ciliumConfig: ok(ALL_ON), kubeProxy: ok(IPVS) });
  return matchKnownIssues(e, [{ ...k, signature: undefined, versionOnly: 'info' }]).length > 0;
}

/** One config under which every config-constrained entry applies (the settings its thread ran with). */
const ALL_ON = { 'enable-ipv6': 'false', 'enable-bpf-masquerade': 'true', 'enable-host-firewall': 'true', 'enable-wireguard': 'true',
  tunnel: 'vxlan', 'routing-mode': 'tunnel', 'kube-proxy-replacement': 'strict', 'enable-legacy-services': 'true',
  'enable-ipsec': 'true', 'tunnel-protocol': 'vxlan', kvstore: 'etcd', 'direct-routing-device': 'lo' };
const IPVS = { daemonSetPresent: true, mode: 'ipvs' as const };

/** Evidence holding the quoted line where the signature says it shows, on a kernel and config the entry applies to. */
function evidenceWithQuote(k: KnownIssue, version: string | null): ReturnType<typeof exampleEvidence> {
  const sig = k.signature;
  if (sig === undefined) throw new Error(`${k.id} has no signature`);
  const where: Partial<EvidenceInput> = (() => {
    switch (sig.source) {
      case 'agent-log': return agentLogs([sig.quote]);
      case 'kernel-log': return { kernelLog: ok({ lines: [sig.quote], truncated: false, source: 'agent-exec' as const }) };
      case 'agent-status': return { agentStatus: ok({ text: sig.quote, verbose: false, source: 'agent-exec' as const }) };
      case 'events': return { events: ok([{ type: 'Warning', reason: 'FailedCreatePodSandBox', message: sig.quote, involvedObject: { kind: 'Pod', name: 'app-0', namespace: 'default' }, count: 3, lastTimestamp: null }]) };
    }
  })();
  return exampleEvidence({
    ...(version === null ? { cilium: missing('forbidden', 'daemonsets.apps is forbidden') } : cilium(version)),
    ...kernelFor(k),
    ciliumConfig: ok(ALL_ON),
    kubeProxy: ok(IPVS),
    ...agentLogs([]),
    ...where,
  });
}

const withSignature = KNOWN_ISSUES.filter((k) => k.signature !== undefined);

describe('known-issue table', () => {
  it('holds at least 40 entries with unique ids, valid ranges and https links', () => {
    expect(KNOWN_ISSUES.length).toBeGreaterThanOrEqual(40);
    expect(new Set(KNOWN_ISSUES.map((k) => k.id)).size).toBe(KNOWN_ISSUES.length);
    for (const k of KNOWN_ISSUES) {
      expect(semver.validRange(k.cilium, { includePrerelease: true }), k.id).not.toBeNull();
      for (const url of [k.links.issue, ...(k.links.fix ?? [])]) expect(url, k.id).toMatch(/^https:\/\//);
      for (const f of k.fixedIn ?? []) expect(semver.satisfies(f, k.cilium, { includePrerelease: true }), `${k.id} fixedIn ${f}`).toBe(false);
      if (k.signature !== undefined) expect(k.signature.quotedAt, k.id).toMatch(/^https:\/\//);
    }
  });

  it('rejects a duplicate id, a bad range, an http link, a fixed release inside the range, and an entry with neither signature nor versionOnly', () => {
    const base = KNOWN_ISSUES.find((k) => k.id === '1.15.4-ipv6-routing-rules');
    if (base === undefined) throw new Error('fixture entry missing');
    expect(() => validateKnownIssues([base, base])).toThrow(/duplicate id/);
    expect(() => validateKnownIssues([{ ...base, cilium: '>=banana' }])).toThrow(/semver range/);
    expect(() => validateKnownIssues([{ ...base, links: { issue: 'http://github.com/cilium/cilium/issues/1' } }])).toThrow(/https/);
    expect(() => validateKnownIssues([{ ...base, fixedIn: ['1.15.4'] }])).toThrow(/outside the affected range/);
    const { signature: _unused, ...noSignature } = base;
    expect(() => validateKnownIssues([noSignature])).toThrow(/versionOnly/);
  });

  it('names links shortly', () => {
    expect(shortRef('https://github.com/cilium/cilium/issues/31944')).toBe('#31944');
    expect(shortRef('https://github.com/cilium/cilium/pull/32007')).toBe('PR #32007');
    expect(shortRef('https://github.com/siderolabs/pkgs/pull/1065')).toBe('siderolabs/pkgs PR #1065');
  });
});

describe.each(withSignature.map((k) => [k.id, k] as const))('signature of %s', (_id, k) => {
  it('matches the line its thread quotes on an affected release', () => {
    const version = affectedRelease(k);
    const m = matchKnownIssues(evidenceWithQuote(k, version), KNOWN_ISSUES).find((x) => x.issue.id === k.id);
    expect(m?.hit?.text, `${k.id} on ${version}`).toBeDefined();
    expect(m?.version).toBe('affected');
    const f = versionAdvisory.match(evidenceWithQuote(k, version));
    expect(f?.evidence.some((q) => q.kind === 'log')).toBe(true);
    expect(f?.summary).toContain(k.title);
  });

  it('is not reported as this bug on a fixed or unaffected release', () => {
    const version = unaffectedRelease(k);
    expect(affects(k, version)).toBe(false);
    const m = matchKnownIssues(evidenceWithQuote(k, version), KNOWN_ISSUES).find((x) => x.issue.id === k.id);
    expect(m).toBeUndefined();
  });

  it('with no version read, is reported as a warning that says the version was not known', () => {
    const m = matchKnownIssues(evidenceWithQuote(k, null), KNOWN_ISSUES).find((x) => x.issue.id === k.id);
    expect(m?.version).toBe('unknown');
  });
});

describe('version-advisory on known issues', () => {
  const routingRules = 'failed to start: daemon creation failed: error while initializing daemon: failed while reinitializing datapath: listing routing rules: address family not supported by protocol';

  it('1.15.4 with the routing-rules line: critical, explains the crash, names 1.15.5 and PR #32007', () => {
    const e = exampleEvidence({ ...withNode({ kernelVersion: '6.1.82-talos', osImage: 'Talos (v1.6.8)' }), ...cilium('1.15.4'), agentPod: crashingPod(), ...agentLogs([routingRules]) });
    const f = versionAdvisory.match(e);
    expect(f).toMatchObject({ severity: 'critical', explainsAgentCrash: true, confidence: 'certain', supersedes: ['kernel-config-missing'] });
    expect(f?.summary).toContain('fixed in 1.15.5');
    expect(f?.summary).toContain('PR #32007');
    expect(f?.fixSteps[0]?.title).toContain('upgrade to 1.15.5');
    expect(f?.evidence.some((q) => q.kind === 'log' && q.text.includes('listing routing rules'))).toBe(true);
    expect(analyze(e).findings[0]?.runbookId).toBe('version-advisory');
  });

  it('the same line on 1.15.5 (the fixed release) is not reported as that bug', () => {
    const f = versionAdvisory.match(exampleEvidence({ ...withNode({ kernelVersion: '6.1.82-talos' }), ...cilium('1.15.5'), ...agentLogs([routingRules]) }));
    expect(f?.title ?? '').not.toContain('routing rules');
  });

  it('with no version read: a warning, medium confidence, that says the version was not known', () => {
    const f = versionAdvisory.match(exampleEvidence({ cilium: missing('forbidden', 'x'), ...agentLogs([routingRules]) }));
    expect(f).toMatchObject({ severity: 'warning', confidence: 'medium', basis: 'explicit', explainsAgentCrash: false });
    expect(f?.summary).toContain('not known');
    expect(f?.title).toContain('Cilium version not known');
  });

  it('a version-only advisory never outranks a fatal error another runbook reports', () => {
    const e = exampleEvidence({
      ...withNode({ kernelVersion: '5.15.0-72-generic' }), ...cilium('1.11.15'), agentPod: crashingPod(),
      ...agentLogs(['level=fatal msg="Error while creating daemon" error="Unable to create map /sys/fs/bpf/tc/globals/cilium_lxc: operation not permitted" subsys=daemon']),
    });
    const advisory = analyze(e).findings.find((f) => f.runbookId === 'version-advisory');
    expect(advisory?.severity).toBe('warning');
    expect(analyze(e).findings[0]?.runbookId).not.toBe('version-advisory');
    for (const k of KNOWN_ISSUES) expect(['warning', 'info', undefined]).toContain(k.versionOnly);
  });

  it('a signature on an affected release whose thread does not say the agent dies stays a warning', () => {
    const k = KNOWN_ISSUES.find((x) => x.id === '1.16.4-envoy-version-check');
    if (k === undefined) throw new Error('entry missing');
    const f = versionAdvisory.match(evidenceWithQuote(k, '1.16.4'));
    expect(f).toMatchObject({ severity: 'warning', explainsAgentCrash: false });
  });

  it('a kernel-log signature (6.18 verifier WARN) is read from the kernel log', () => {
    const k = KNOWN_ISSUES.find((x) => x.id === 'kernel-6.18-verifier-reg-invariants');
    if (k?.signature === undefined) throw new Error('entry missing');
    const e = exampleEvidence({ ...withNode({ kernelVersion: '6.18.5-talos' }), ...cilium('1.18.6'), kernelLog: ok({ lines: ['boot', k.signature.quote], truncated: false, source: 'agent-exec' }) });
    const f = versionAdvisory.match(e);
    expect(f?.evidence.find((q) => q.kind === 'log')?.source).toBe('kernel log, line 2');
    expect(versionAdvisory.match(exampleEvidence({ ...withNode({ kernelVersion: '6.17.9' }), ...cilium('1.18.6'), kernelLog: ok({ lines: [k.signature.quote], truncated: false, source: 'agent-exec' }) }))?.title ?? '').not.toContain('REG INVARIANTS');
  });
});

describe('constraints and version-only entries', () => {
  const tooLarge = 'level=warning msg="BPF program is too large. Processed 1000001 insn" subsys=datapath-loader';

  it('an unread kernel rules a kernel-specific entry out: a generic line is not pinned on a kernel nobody read', () => {
    const ids = (e: ReturnType<typeof exampleEvidence>) => matchKnownIssues(e, KNOWN_ISSUES).map((m) => m.issue.id);
    expect(ids(exampleEvidence({ ...withNode({ kernelVersion: '5.15.0-72-generic' }), ...cilium('1.11.15'), ...agentLogs([tooLarge]) }))).toContain('ubuntu-5.15.0-72-program-too-large');
    expect(ids(exampleEvidence({ node: missing('forbidden', 'x'), ...cilium('1.11.15'), ...agentLogs([tooLarge]) }))).not.toContain('ubuntu-5.15.0-72-program-too-large');
  });

  it('a version-only entry is reported on each affected branch, not on its fixed releases, and only with its config', () => {
    const on = (version: string, ipam: string) => matchKnownIssues(exampleEvidence({ ...cilium(version), ciliumConfig: ok({ ipam }) }), KNOWN_ISSUES)
      .some((m) => m.issue.id === '1.11-cluster-pool-duplicate-podcidr');
    expect(on('1.11.5', 'cluster-pool')).toBe(true);
    expect(on('1.12.3', 'cluster-pool')).toBe(true);
    expect(on('1.11.11', 'cluster-pool')).toBe(false);
    expect(on('1.12.4', 'cluster-pool')).toBe(false);
    expect(on('1.13.0', 'cluster-pool')).toBe(false);
    expect(on('1.11.5', 'kubernetes')).toBe(false);
    const f = versionAdvisory.match(exampleEvidence({ ...cilium('1.11.5'), ciliumConfig: ok({ ipam: 'cluster-pool' }) }));
    expect(f).toMatchObject({ severity: 'info', confidence: 'medium', basis: 'inferred', explainsAgentCrash: false });
    expect(f?.summary).toContain('fixed in 1.11.11, 1.12.4');
  });
});

describe('isFixed', () => {
  it('counts the fix on the running branch, and minors newer than every fixed branch', () => {
    expect(isFixed('1.15.5', ['1.15.5'])).toBe(true);
    expect(isFixed('1.15.4', ['1.15.5'])).toBe(false);
    expect(isFixed('1.16.0', ['1.15.5'])).toBe(true);
    expect(isFixed('1.14.9', ['1.15.5'])).toBe(false);
    expect(isFixed('1.14.12', ['1.15.5', '1.14.12'])).toBe(true);
    expect(isFixed('1.20.0-pre.3', ['1.20.0'])).toBe(false);
    expect(isFixed('1.15.4', undefined)).toBe(false);
  });
});
