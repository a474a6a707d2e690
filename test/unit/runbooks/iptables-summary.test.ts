import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { hasKubeProxyRules, summarizeIptablesSave } from '../../../runbooks/engine/iptables-summary.ts';
import { IPTABLES } from './fixtures.ts';

describe('summarizeIptablesSave', () => {
  it('counts kube-proxy, kubelet and Cilium signals apart', () => {
    const s = summarizeIptablesSave(IPTABLES.kubeProxy, { source: 'agent-exec', versionText: 'iptables v1.8.9 (nf_tables)' });
    expect(s.kubeProxyChains).toEqual({ svc: 1, sep: 1, ext: 0, nodeports: 0, services: 2, ipvs: false, proxyCanary: true });
    expect(s.kubeletChains).toEqual(['KUBE-KUBELET-CANARY', 'KUBE-MARK-MASQ', 'KUBE-POSTROUTING']);
    expect(s.ciliumChains).toBe(2);
    expect(s.natRuleCount).toBe(7);
    expect(s.backend).toBe('nft');
    expect(hasKubeProxyRules(s)).toBe(true);
  });

  it('a kube-proxy-free node has only kubelet and Cilium chains', () => {
    const s = summarizeIptablesSave(IPTABLES.kubeletOnly, { source: 'probe-pod', versionText: 'iptables v1.8.4 (legacy)' });
    expect(hasKubeProxyRules(s)).toBe(false);
    expect(s.kubeletChains).toEqual(['KUBE-FIREWALL', 'KUBE-KUBELET-CANARY', 'KUBE-MARK-DROP']);
    expect(s.backend).toBe('legacy');
  });

  it('IPVS chains count as kube-proxy', () => {
    const s = summarizeIptablesSave(IPTABLES.ipvs, { source: 'agent-exec' });
    expect(s.kubeProxyChains.ipvs).toBe(true);
    expect(s.kubeProxyChains.svc).toBe(0);
    expect(hasKubeProxyRules(s)).toBe(true);
  });

  it('never throws', () => {
    fc.assert(fc.property(fc.string(), (t) => { summarizeIptablesSave(t, { source: 'agent-exec' }); }));
  });
});
