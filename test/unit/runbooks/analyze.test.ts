import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { analyze } from '../../../runbooks/engine/analyze.ts';
import { ReportSchema, type Runbook } from '../../../runbooks/engine/contract.ts';
import { agentCrashloop } from '../../../runbooks/catalogue/agent-crashloop.ts';
import { FACT_KEYS, parseEvidence } from '../../../runbooks/engine/evidence.ts';
import { RUNBOOKS } from '../../../runbooks/catalogue/registry.ts';
import { crashingPod, exampleEvidence, LINES, logChunk, missing, ok, peers, withNode } from './fixtures.ts';

describe('analyze', () => {
  it('healthy evidence: no finding, a healthy summary, a valid report', () => {
    const r = analyze(exampleEvidence());
    expect(r.findings).toEqual([]);
    expect(r.unavailable).toEqual([]);
    expect(r.inconclusive).toEqual([]);
    expect(r.healthySummary).toContain('No problem found on node-7');
    expect(r.checked).toEqual(RUNBOOKS.map((rb) => rb.id));
    expect(ReportSchema.parse(r)).toEqual(r);
  });

  it('a kernel below the floor suppresses the crash-loop fallback and comes first', () => {
    const r = analyze(exampleEvidence({
      ...withNode({ kernelVersion: '4.14.336-257.566.amzn2.x86_64', osImage: 'Amazon Linux 2', pool: 'workers-legacy' }),
      peers: ok(peers(11, '4.14.336-257.566.amzn2.x86_64', 'workers-legacy')),
      ciliumConfig: ok({ 'kube-proxy-replacement': 'true' }),
      kubeProxy: ok({ daemonSetPresent: false, podOnNode: null }),
      agentPod: crashingPod(),
      agentLogs: ok({ current: logChunk([]), previous: logChunk([LINES.largePrograms]) }),
    }));
    expect(r.findings.map((f) => f.runbookId)).toEqual(['kernel-too-old', 'kube-proxy-conflict']);
    expect(r.healthySummary).toBeNull();
    expect(ReportSchema.parse(r)).toEqual(r);
  });

  it('a crash no runbook explains yields agent-crashloop quoting the last error lines', () => {
    const r = analyze(exampleEvidence({
      agentPod: crashingPod(12),
      agentLogs: ok({ current: logChunk([LINES.apiserverInfo]), previous: logChunk([LINES.apiserverInfo, LINES.ctTablesFatal, LINES.slogHive, LINES.panic]) }),
    }));
    expect(r.findings.map((f) => f.runbookId)).toEqual(['agent-crashloop']);
    const f = r.findings[0];
    expect(f?.evidence.filter((q) => q.kind === 'log').map((q) => q.lineNumber)).toEqual([2, 3, 4]);
    expect(f?.summary).toContain('12 restarts');
    expect(f?.proposals).toEqual([expect.objectContaining({ action: 'restart-agent', risk: 'low', params: { namespace: 'kube-system', pod: 'cilium-x7k2p' } })]);
  });

  it('a map failure that kills the agent suppresses the fallback', () => {
    const r = analyze(exampleEvidence({ agentPod: crashingPod(), agentLogs: ok({ current: logChunk([]), previous: logChunk([LINES.mapEperm, LINES.daemonFatal]) }) }));
    expect(r.findings.map((f) => f.runbookId)).toEqual(['bpf-map-create-failed']);
  });

  it('lists unavailable facts with their fix and calls the affected runbooks unknown, not healthy', () => {
    const r = analyze(exampleEvidence({
      iptables: missing('forbidden', 'pods/exec is forbidden for system:serviceaccount:ops:cilium-runbook', 'grant create on pods/exec in kube-system'),
      ciliumConfig: ok({ 'kube-proxy-replacement': 'true' }),
      kubeProxy: ok({ daemonSetPresent: false, podOnNode: null }),
    }));
    expect(r.findings).toEqual([]);
    expect(r.unavailable).toEqual([{ fact: 'iptables', reason: 'forbidden', detail: 'pods/exec is forbidden for system:serviceaccount:ops:cilium-runbook', fix: 'grant create on pods/exec in kube-system' }]);
    expect(r.inconclusive).toEqual([{ runbookId: 'kube-proxy-conflict', title: expect.any(String) as string, missing: ['iptables'] }]);
    expect(r.healthySummary).toContain('Unknown (evidence missing): kube-proxy-conflict needs iptables');
  });

  it('never throws when every fact is missing', () => {
    const r = analyze(parseEvidence({ schemaVersion: 1, cluster: 'c', nodeName: 'n', collectedAt: 'now' }));
    expect(r.unavailable.map((u) => u.fact)).toEqual([...FACT_KEYS]);
    expect(r.findings).toEqual([]);
    expect(r.inconclusive.map((i) => i.runbookId).sort()).toEqual(RUNBOOKS.map((rb) => rb.id).sort());
  });

  it('never throws on arbitrary agent logs and kernels', () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), fc.string({ maxLength: 40 }), (text, kernel) => {
      const r = analyze(exampleEvidence({ ...withNode({ kernelVersion: kernel }), agentPod: crashingPod(), agentLogs: ok({ current: logChunk([text]), previous: logChunk([text]) }) }));
      expect(ReportSchema.safeParse(r).success).toBe(true);
    }), { numRuns: 200 });
  });

  it('a throwing runbook becomes inconclusive instead of failing the report', () => {
    const broken: Runbook = { ...agentCrashloop, id: 'broken', match: () => { throw new Error('bug'); } };
    const r = analyze(exampleEvidence(), [broken]);
    expect(r.inconclusive).toEqual([{ runbookId: 'broken', title: agentCrashloop.title, missing: ['runbook error: bug'] }]);
  });

  it('skips runbooks whose appliesTo range excludes the Cilium version', () => {
    const only118: Runbook = { ...agentCrashloop, id: 'only-118', appliesTo: { cilium: '>=1.18' } };
    expect(analyze(exampleEvidence(), [only118]).checked).toEqual([]);
  });
});
