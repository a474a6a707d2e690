import { describe, expect, it } from 'vitest';
import { EvidenceParseError, parseEvidence, safeParseEvidence } from '../../../runbooks/engine/evidence.ts';
import { ciliumVersionFromImage } from '../../../runbooks/engine/cilium-version.ts';
import { healthyInput } from './fixtures.ts';

describe('parseEvidence', () => {
  it('accepts the fixture and keeps unknown facts as "not collected"', () => {
    const { hubble: _h, ...rest } = healthyInput();
    const e = parseEvidence(rest);
    expect(e.hubble).toEqual({ ok: false, reason: 'unavailable', detail: 'not collected (absent from the evidence document)' });
  });

  it('names the path and the problem', () => {
    const bad = { ...healthyInput(), schemaVersion: 2, node: { ok: true, value: { name: 'node-7', kernelVersion: 5 } } };
    expect(() => parseEvidence(bad)).toThrow(EvidenceParseError);
    const r = safeParseEvidence(bad);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.map((i) => i.path)).toEqual(expect.arrayContaining(['schemaVersion', 'node.value.kernelVersion']));
  });

  it('represents a partial node (offline documents): only the name is required', () => {
    const e = parseEvidence({ ...healthyInput(), node: { ok: true, value: { name: 'node-7', kernelVersion: '5.4.0-1045-aws' } } });
    expect(e.node.ok && e.node.value.osImage).toBeUndefined();
  });

  it('new optional facts parse as "not collected" when absent', () => {
    const { operator: _o, crds: _c, ciliumNode: _n, clusterPods: _p, kernelConfig: _k, memlock: _m, ...rest } = healthyInput();
    const e = parseEvidence(rest);
    for (const f of [e.operator, e.crds, e.ciliumNode, e.clusterPods, e.kernelConfig, e.memlock]) expect(f.ok).toBe(false);
  });

  it('rejects an unavailable fact with an unknown reason', () => {
    const r = safeParseEvidence({ ...healthyInput(), node: { ok: false, reason: 'nope', detail: 'x' } });
    expect(r.ok).toBe(false);
  });
});

describe('ciliumVersionFromImage', () => {
  it.each([
    ['quay.io/cilium/cilium:v1.15.6@sha256:abc', '1.15.6'],
    ['quay.io/cilium/cilium:v1.18.0-rc.1', '1.18.0-rc.1'],
    ['localhost:5000/cilium/cilium:1.16.3', '1.16.3'],
    ['mcr.microsoft.com/oss/cilium/cilium:1.14.10-1', '1.14.10'],
    ['quay.io/cilium/cilium@sha256:abc', null],
    ['quay.io/cilium/cilium:latest', null],
  ])('%s → %s', (image, version) => {
    expect(ciliumVersionFromImage(image)).toBe(version);
  });
});
