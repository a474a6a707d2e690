import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderHelmValues } from '../../../runbooks/engine/helm-values.ts';

describe('renderHelmValues', () => {
  it('merges dotted paths into one block per key', () => {
    const text = renderHelmValues({ 'bandwidthManager.enabled': false }, { 'bandwidthManager.bbr': false, 'bpf.datapathMode': 'veth' });
    expect(parse(text)).toEqual({ bandwidthManager: { enabled: false, bbr: false }, bpf: { datapathMode: 'veth' } });
  });
});
