// Issue #16: a pasted `kubectl get pods` in which every cilium-agent crash-loops says the agent is down, whichever node
// is meant; a table with any agent Running says nothing about this node's agent. Rows quoted from canonical/k8s-snap#1828.
import { describe, expect, it } from 'vitest';
import { analyzePastedText } from '../../../../runbooks/engine/pasted/analyze-pasted.ts';

const K8S_SNAP_1828 = [
  '$ kubectl get pod --all-namespaces',
  'NAMESPACE     NAME                                         READY   STATUS              RESTARTS        AGE',
  'default       csi-rbdplugin-provisioner-6f5fb97894-78wtm   0/6     Pending             0               10m',
  'kube-system   cilium-gh6mk                                 0/1     CrashLoopBackOff    7 (8s ago)      11m',
  'kube-system   cilium-hsj46                                 0/1     CrashLoopBackOff    7 (86s ago)     12m',
  'kube-system   cilium-operator-7467567bb8-5d8kz             1/1     Running             1 (11m ago)     13m',
  'kube-system   cilium-xq546                                 0/1     CrashLoopBackOff    6 (4m50s ago)   11m',
].join('\n');

describe('agents crash-looping in a pasted kubectl get pods', () => {
  it('k8s-snap#1828: every agent in CrashLoopBackOff → agent-crashloop on the observed pod state', () => {
    const { report } = analyzePastedText(`${K8S_SNAP_1828}\n`);
    const f = report.findings[0];
    expect(f).toMatchObject({ runbookId: 'agent-crashloop', basis: 'observed' });
    expect(f?.evidence[0]?.text).toMatch(/^cilium-(gh6mk|hsj46): CrashLoopBackOff, 7 restarts, ready=false/);
  });

  it('one agent Running: the table does not say which node is meant, so no agent fact', () => {
    const oneUp = K8S_SNAP_1828.replace('cilium-hsj46                                 0/1     CrashLoopBackOff    7 (86s ago)  ', 'cilium-hsj46                                 1/1     Running             7 (86s ago)  ');
    expect(oneUp).not.toBe(K8S_SNAP_1828);
    const { report } = analyzePastedText(`${oneUp}\n`);
    expect(report.findings.map((x) => x.runbookId)).not.toContain('agent-crashloop');
  });

  it('the operator crash-looping is not the agent', () => {
    const { report } = analyzePastedText([
      'NAMESPACE     NAME                               READY   STATUS             RESTARTS   AGE',
      'kube-system   cilium-operator-7467567bb8-5d8kz   0/1     CrashLoopBackOff   9          13m',
      'kube-system   cilium-gh6mk                       1/1     Running            0          11m',
    ].join('\n'));
    expect(report.findings.map((x) => x.runbookId)).not.toContain('agent-crashloop');
  });
});
