// A valid Finding and Report to vary in renderer tests.
import type { Finding, Report } from '../../../runbooks/engine/contract.ts';
import { FindingSchema, ReportSchema } from '../../../runbooks/engine/contract.ts';

export function finding(id: string, overrides: Partial<Finding> = {}): Finding {
  return FindingSchema.parse({
    runbookId: id,
    title: `title of ${id}`,
    severity: 'critical',
    summary: 'Kernel 4.14.336 is below the 4.19.57 that Cilium 1.15 requires.',
    evidence: [{ kind: 'log', text: 'level=fatal msg="x" subsys=daemon', source: 'cilium-agent previous container, line 3', lineNumber: 3 }],
    blastRadius: {
      node: 'node-7',
      pods: { known: true, total: 3, byPhase: { Pending: 3 }, byNamespace: { shop: 3 }, stuck: 3, stuckPods: [], hostNetwork: 0 },
      statefulSetMembers: [],
      services: { known: true, onlyHere: [], partlyHere: 0 },
      peers: { known: true, affected: [], reason: null, sameKernel: 11, samePool: 11, sameOsImage: 11 },
      kubeProxyReplacement: true,
      hubbleEnabled: false,
      sentences: ['3 pods on node-7 are stuck in ContainerCreating.'],
    },
    fixSteps: [{ title: 'Cordon the node', detail: 'Keep new pods off it.', commands: ['kubectl cordon node-7'] }],
    docs: [{ title: 'System requirements', url: 'https://docs.cilium.io/en/stable/operations/system_requirements/' }],
    proposals: [],
    confidence: 'certain',
    basis: 'inferred',
    explainsAgentCrash: true,
    ...overrides,
  });
}

export function report(findings: Finding[]): Report {
  return ReportSchema.parse({
    schemaVersion: 1,
    cluster: 'sandbox',
    node: 'node-7',
    collectedAt: '2026-11-23T03:00:00.000Z',
    ciliumVersion: '1.15.6',
    findings,
    unavailable: [{ fact: 'iptables', reason: 'forbidden', detail: 'pods "cilium-x" is forbidden', fix: 'Grant create on pods/exec in kube-system' }],
    inconclusive: [],
    healthySummary: null,
    checked: ['kernel-too-old', 'kube-proxy-conflict'],
  });
}
