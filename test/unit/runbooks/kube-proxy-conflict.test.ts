import { describe, expect, it } from 'vitest';
import { kubeProxyConflict } from '../../../runbooks/catalogue/kube-proxy-conflict.ts';
import { summarizeIptablesSave } from '../../../runbooks/engine/iptables-summary.ts';
import { exampleEvidence, IPTABLES, missing, ok, withNode } from './fixtures.ts';

const kpr = (value = 'true') => ({ ciliumConfig: ok({ 'kube-proxy-replacement': value, 'enable-hubble': 'true' }) });
const rules = (text: string) => ({ iptables: ok(summarizeIptablesSave(text, { source: 'agent-exec' as const })) });
const noKubeProxy = { kubeProxy: ok({ daemonSetPresent: false, podOnNode: null }) };

describe('kube-proxy-conflict', () => {
  it('KPR=true with a running kube-proxy pod and its rules is critical', () => {
    const f = kubeProxyConflict.match(exampleEvidence(kpr()));
    expect(f).toMatchObject({ severity: 'critical', confidence: 'certain', explainsAgentCrash: false });
    expect(f?.evidence.map((q) => q.text).join('\n')).toContain('KUBE-SVC 1, KUBE-SEP 1');
    expect(f?.evidence.map((q) => q.text).join('\n')).toContain("kubelet's own KUBE-KUBELET-CANARY, KUBE-MARK-MASQ, KUBE-POSTROUTING ignored");
    expect(f?.proposals).toEqual([expect.objectContaining({ action: 'remove-kube-proxy', risk: 'high', params: { namespace: 'kube-system', daemonSet: 'kube-proxy' } })]);
    expect(f?.fixSteps[0]?.helmValues).toContain('kubeProxyReplacement: true');
    expect(f?.fixSteps[0]?.commands?.[0]).toContain('pod/cilium-x7k2p');
  });

  it("kubelet's KUBE-FIREWALL / KUBE-KUBELET-CANARY chains are not kube-proxy (#22164)", () => {
    expect(kubeProxyConflict.match(exampleEvidence({ ...kpr(), ...noKubeProxy, ...rules(IPTABLES.kubeletOnly) }))).toBeNull();
  });

  it('KPR=false with kube-proxy running is the normal setup', () => {
    expect(kubeProxyConflict.match(exampleEvidence(kpr('false')))).toBeNull();
    expect(kubeProxyConflict.match(exampleEvidence())).toBeNull();
  });

  it('leftover KUBE-SVC/KUBE-SEP rules without kube-proxy are a warning', () => {
    const f = kubeProxyConflict.match(exampleEvidence({ ...kpr(), ...noKubeProxy, ...rules(IPTABLES.kubeProxy) }));
    expect(f?.severity).toBe('warning');
    expect(f?.title).toContain('leftovers');
    expect(f?.proposals).toEqual([]);
    expect(f?.fixSteps.some((s) => s.detail.includes('#39204'))).toBe(true);
  });

  it('IPVS mode is recognised without KUBE-SVC chains', () => {
    const f = kubeProxyConflict.match(exampleEvidence({
      ...kpr(), ...rules(IPTABLES.ipvs),
      kubeProxy: ok({ daemonSetPresent: true, daemonSetName: 'kube-proxy', podOnNode: { name: 'kube-proxy-q1', phase: 'Running', ready: true }, mode: 'ipvs' }),
    }));
    expect(f?.severity).toBe('critical');
    expect(f?.summary).toContain('IPVS');
    expect(f?.fixSteps.flatMap((s) => s.commands ?? [])).toContain('sudo ipvsadm --clear');
  });

  it("k3s's embedded kube-proxy (no pod) with KUBE-SVC rules is active", () => {
    const f = kubeProxyConflict.match(exampleEvidence({ ...kpr(), ...noKubeProxy, ...rules(IPTABLES.kubeProxy), ...withNode({ kubeletVersion: 'v1.29.3+k3s1' }) }));
    expect(f?.severity).toBe('critical');
    expect(f?.fixSteps.some((s) => s.title.includes("k3s's built-in kube-proxy"))).toBe(true);
  });

  it('the pre-1.14 "strict" spelling counts as enabled and is flagged', () => {
    const f = kubeProxyConflict.match(exampleEvidence(kpr('strict')));
    expect(f?.evidence.some((q) => q.text.includes('pre-1.14 spelling'))).toBe(true);
  });

  it('unknown when cilium-config cannot be read', () => {
    expect(kubeProxyConflict.match(exampleEvidence({ ciliumConfig: missing('forbidden', 'configmaps is forbidden') }))).toBeNull();
  });
});
