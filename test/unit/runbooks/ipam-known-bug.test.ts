// Issue #16 audit: "all CIDR ranges are exhausted" on a release #46598 affects is that allocator bug (prefixes
// attached but unused), not a full pool: the known bug supersedes ipam-exhausted; elsewhere ipam-exhausted stands.
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../runbooks/engine/analyze.ts';
import { exampleEvidence, ok } from './fixtures.ts';

// cilium/cilium#47910 (a thread other than #46598) quotes the CNI's error in these words.
const CNI = 'plugin type="cilium-cni" failed (add): unable to allocate IP via local cilium agent: [POST /ipam][502] postIpamFailure "all CIDR ranges are exhausted"';
const withEvent = (version: string) => exampleEvidence({
  cilium: ok({ version, image: `quay.io/cilium/cilium:v${version}` }),
  ciliumNode: ok({ podCIDRs: ['10.0.1.0/28'], used: 12, operatorError: null }),
  events: ok([{ type: 'Warning', reason: 'FailedCreatePodSandBox', count: 6, lastTimestamp: null, involvedObject: { kind: 'Pod', name: 'web-9', namespace: 'shop' }, message: CNI }]),
});

describe('ipam-exhausted beside the #46598 allocator bug', () => {
  it('on an affected pre-release (1.20.0-pre.3) the known bug is reported and ipam-exhausted is folded into it', () => {
    const ids = analyze(withEvent('1.20.0-pre.3')).findings.map((f) => f.runbookId);
    expect(ids).toContain('version-advisory');
    expect(ids).not.toContain('ipam-exhausted');
    expect(analyze(withEvent('1.20.0-pre.3')).findings.find((f) => f.runbookId === 'version-advisory')?.title).toContain('all CIDR ranges are exhausted');
  });

  it('near miss: on 1.19.3 (not affected) the same event on a full node stays ipam-exhausted, critical', () => {
    const r = analyze(withEvent('1.19.3'));
    expect(r.findings[0]).toMatchObject({ runbookId: 'ipam-exhausted', severity: 'critical' });
    expect(r.findings.some((f) => f.runbookId === 'version-advisory' && f.title.includes('all CIDR ranges'))).toBe(false);
  });
});
