// Issue #16: kube-proxy's rules pasted as `iptables -t nat -L [-n] [-v]` (the listing, not iptables-save) are read the
// same way: a row under `Chain X (…)` is the rule `-A X`. Listing shapes as iptables prints them (print_header and
// print_firewall in iptables/iptables.c); the rows are kube-proxy's own (kubernetes pkg/proxy/iptables/proxier.go).
import { describe, expect, it } from 'vitest';
import { hasKubeProxyRules, summarizeIptablesSave } from '../../../runbooks/engine/iptables-summary.ts';
import { analyzePastedText } from '../../../runbooks/engine/pasted/analyze-pasted.ts';

const LISTING = [
  'Chain PREROUTING (policy ACCEPT)',
  'target     prot opt source               destination',
  'KUBE-SERVICES  all  --  0.0.0.0/0            0.0.0.0/0            /* kubernetes service portals */',
  '',
  'Chain KUBE-SERVICES (2 references)',
  'target     prot opt source               destination',
  'KUBE-SVC-NPX46M4PTMTKRN6Y  tcp  --  0.0.0.0/0            10.96.0.1            /* default/kubernetes:https cluster IP */ tcp dpt:443',
  'KUBE-NODEPORTS  all  --  0.0.0.0/0            0.0.0.0/0            /* kubernetes service nodeports; NOTE: this must be the last rule in this chain */ ADDRTYPE match dst-type LOCAL',
  '',
  'Chain KUBE-SVC-NPX46M4PTMTKRN6Y (1 references)',
  'target     prot opt source               destination',
  'KUBE-SEP-ZP6MZIYCX7J4FSPR  all  --  0.0.0.0/0            0.0.0.0/0            /* default/kubernetes:https */',
  '',
].join('\n');

// With -v, counters come first (pkts bytes) and in/out columns are added.
const VERBOSE = [
  'Chain KUBE-SERVICES (2 references)',
  ' pkts bytes target     prot opt in     out     source               destination',
  '    0     0 KUBE-SVC-WIBWGVOGGHZNLWQN  tcp  --  *      *       0.0.0.0/0            10.102.253.57        /* newtouchone/admin: cluster IP */ tcp dpt:8080',
  '',
].join('\n');

// kubelet's own chains only, empty: what a kube-proxy-free node lists.
const KUBELET_ONLY = [
  'Chain KUBE-KUBELET-CANARY (0 references)',
  'target     prot opt source               destination',
  '',
  'Chain KUBE-MARK-MASQ (0 references)',
  'target     prot opt source               destination',
  'MARK       all  --  0.0.0.0/0            0.0.0.0/0            MARK or 0x4000',
  '',
].join('\n');

describe('the iptables -L listing', () => {
  it('counts the rows of each chain as that chain\'s rules', () => {
    const s = summarizeIptablesSave(LISTING, { source: 'pasted' });
    expect(s.kubeProxyChains).toMatchObject({ svc: 1, services: 2 });
    expect(hasKubeProxyRules(s)).toBe(true);
    expect(summarizeIptablesSave(VERBOSE, { source: 'pasted' }).kubeProxyChains.services).toBe(1);
  });

  it('kubelet\'s chains listed alone are not kube-proxy', () => {
    const s = summarizeIptablesSave(KUBELET_ONLY, { source: 'pasted' });
    expect(hasKubeProxyRules(s)).toBe(false);
    expect(s.kubeletChains).toEqual(['KUBE-KUBELET-CANARY', 'KUBE-MARK-MASQ']);
  });

  it('pasted beside kube-proxy replacement, the listing is recognised as one part and is kube-proxy-conflict (leftover rules)', () => {
    const { report, parts } = analyzePastedText(`${LISTING}\n`, { config: { 'kube-proxy-replacement': 'true' } });
    expect(parts.map((p) => p.kind)).toEqual(['iptables-save']);
    expect(report.findings[0]).toMatchObject({ runbookId: 'kube-proxy-conflict', severity: 'warning' });
  });

  it('the same listing with kube-proxy replacement off is kube-proxy doing its job', () => {
    const { report } = analyzePastedText(`${LISTING}\n`, { config: { 'kube-proxy-replacement': 'false' } });
    expect(report.findings.map((f) => f.runbookId)).not.toContain('kube-proxy-conflict');
  });
});
