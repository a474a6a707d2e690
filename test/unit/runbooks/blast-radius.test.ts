import { describe, expect, it } from 'vitest';
import { computeBlastRadius } from '../../../runbooks/engine/blast-radius.ts';
import { exampleEvidence, missing, ok } from './fixtures.ts';

describe('computeBlastRadius', () => {
  it('counts pods, stuck pods, StatefulSet members and Services only on this node', () => {
    const b = computeBlastRadius(exampleEvidence({
      workloads: ok([
        { namespace: 'shop', name: 'web-1', phase: 'Pending', waitingReason: 'ContainerCreating', hostNetwork: false },
        { namespace: 'shop', name: 'db-0', phase: 'Running', hostNetwork: false, ownerKind: 'StatefulSet', ownerName: 'db' },
        { namespace: 'kube-system', name: 'cilium-x', phase: 'Running', hostNetwork: true },
      ]),
    }));
    expect(b.pods).toMatchObject({ known: true, total: 3, stuck: 1, hostNetwork: 1, byNamespace: { shop: 2, 'kube-system': 1 } });
    expect(b.statefulSetMembers).toEqual([{ namespace: 'shop', name: 'db-0', statefulSet: 'db' }]);
    expect(b.services.onlyHere).toEqual([{ namespace: 'shop', name: 'db' }]);
    expect(b.services.partlyHere).toBe(1);
    expect(b.sentences[0]).toBe('3 pods on node-7 across 2 namespaces, 1 stuck in ContainerCreating (no pod network); 1 uses the host network and keeps working.');
    expect(b.kubeProxyReplacement).toBe(false);
  });

  it('says unknown when workloads could not be read', () => {
    const b = computeBlastRadius(exampleEvidence({ workloads: missing('timeout', 'list pods timed out after 10s') }));
    expect(b.pods.known).toBe(false);
    expect(b.sentences[0]).toBe('Pods on node-7: unknown (list pods timed out after 10s).');
  });
});
