import { describe, expect, it } from 'vitest';
import { configKeyAliases, effectiveConfigValue, withEffectiveKeys } from '../../../runbooks/engine/config-keys.ts';

describe('effectiveConfigValue: both spellings, today\'s terms', () => {
  it.each([
    // tunnel (≤1.14) → routing-mode + tunnel-protocol (PR #24561)
    [{ tunnel: 'vxlan' }, 'routing-mode', 'tunnel'],
    [{ tunnel: 'geneve' }, 'tunnel-protocol', 'geneve'],
    [{ tunnel: 'disabled' }, 'routing-mode', 'native'],
    [{ tunnel: 'disabled' }, 'tunnel-protocol', null],
    [{ tunnel: ' VXLAN ' }, 'routing-mode', 'tunnel'],
    [{ tunnel: 'bogus' }, 'routing-mode', null],
    // the key itself wins over the old spelling
    [{ 'routing-mode': 'native', tunnel: 'vxlan' }, 'routing-mode', 'native'],
    // an empty value is the agent's default, not a setting (cilium/cilium#42648 shows `tunnel-protocol` empty)
    [{ 'routing-mode': 'native', 'tunnel-protocol': '' }, 'tunnel-protocol', null],
    [{ 'tunnel-protocol': '', tunnel: 'geneve' }, 'tunnel-protocol', 'geneve'],
    // kube-proxy-replacement values (PR #26577, PR #31286)
    [{ 'kube-proxy-replacement': 'strict' }, 'kube-proxy-replacement', 'true'],
    [{ 'kube-proxy-replacement': 'Partial' }, 'kube-proxy-replacement', 'false'],
    [{ 'kube-proxy-replacement': 'disabled' }, 'kube-proxy-replacement', 'false'],
    [{ 'kube-proxy-replacement': 'probe' }, 'kube-proxy-replacement', null],
    [{ 'kube-proxy-replacement': 'true' }, 'kube-proxy-replacement', 'true'],
    // socket LB rename (PR #20369)
    [{ 'enable-host-reachable-services': 'true' }, 'bpf-lb-sock', 'true'],
    [{ 'enable-host-reachable-services': 'true', 'bpf-lb-sock': 'false' }, 'bpf-lb-sock', 'false'],
    // legacy inverse
    [{ 'disable-ipv4': 'true' }, 'enable-ipv4', 'false'],
    [{ 'enable-ipv4': 'true', 'disable-ipv4': 'true' }, 'enable-ipv4', 'true'],
    // values that are not enumerations keep their case
    [{ 'ipv4-native-routing-cidr': '10.233.0.0/16' }, 'ipv4-native-routing-cidr', '10.233.0.0/16'],
    [{}, 'routing-mode', null],
  ] as Array<[Record<string, string>, string, string | null]>)('%j %s → %s', (config, key, want) => {
    expect(effectiveConfigValue(config, key)).toBe(want);
  });

  it('does not read inherited properties as keys', () => {
    expect(effectiveConfigValue({}, 'constructor')).toBeNull();
    expect(effectiveConfigValue({}, 'toString')).toBeNull();
    expect(effectiveConfigValue({ constructor: 'name' }, 'constructor')).toBe('name');
  });
});

describe('withEffectiveKeys', () => {
  it('fills today\'s keys from old ones, keeps what the user wrote, never invents an old key', () => {
    const cfg = { tunnel: 'geneve', 'kube-proxy-replacement': 'strict', 'routing-mode': '' };
    expect(withEffectiveKeys(cfg)).toEqual({ ...cfg, 'routing-mode': 'tunnel', 'tunnel-protocol': 'geneve' });
    expect(withEffectiveKeys({ 'routing-mode': 'native' })).toEqual({ 'routing-mode': 'native' });
  });

  it('names a source for every alias', () => {
    for (const a of configKeyAliases) expect(a.source).toMatch(/PR #\d+|@[0-9a-f]{8}/);
  });
});
