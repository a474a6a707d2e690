// Offline analysis (issue 4): the minimal document, full documents, malformed input, the --json shape, and ordering.
import { describe, expect, it } from 'vitest';
import { evidenceFromDocument, renderFindingsJson } from '../../../runbooks/engine/offline-evidence.ts';
import { EvidenceParseError } from '../../../runbooks/engine/evidence.ts';
import { analyze } from '../../../runbooks/engine/analyze.ts';
import { ReportSchema } from '../../../runbooks/engine/contract.ts';
import { agentLogs, crashingPod, exampleEvidence, healthyInput, LINES, ok, withNode } from './fixtures.ts';

const ISSUE_EXAMPLE = {
  node: { name: 'node-7', kernelVersion: '5.4.0-1045-aws', osImage: 'Ubuntu 20.04.6 LTS' },
  cilium: { version: '1.16.3', config: { 'kube-proxy-replacement': 'true', 'enable-bandwidth-manager': 'true' } },
  kubeProxy: { daemonSetPresent: true },
  agent: { logs: '…', previousLogs: '…' },
};

describe('evidenceFromDocument', () => {
  it('accepts the issue\'s minimal document; missing facts stay unknown, nothing is invented', () => {
    const e = evidenceFromDocument(ISSUE_EXAMPLE);
    expect(e.nodeName).toBe('node-7');
    expect(e.node).toEqual({ ok: true, value: { name: 'node-7', kernelVersion: '5.4.0-1045-aws', osImage: 'Ubuntu 20.04.6 LTS' } });
    expect(e.cilium).toEqual({ ok: true, value: { version: '1.16.3', versionSource: 'stated' } }); // stated by the document, not read from an image
    expect(e.kubeProxy).toEqual({ ok: true, value: { daemonSetPresent: true } });
    expect(e.agentPod.ok).toBe(false);
    expect(e.iptables.ok).toBe(false);
  });

  it('analyses the issue\'s example: kube-proxy still deployed beside KPR; 5.4 runs the bandwidth manager (§0.8), so no bandwidth finding', () => {
    const r = analyze(evidenceFromDocument(ISSUE_EXAMPLE));
    expect(ReportSchema.safeParse(r).success).toBe(true);
    expect(r.findings.map((f) => f.runbookId)).toEqual(['kube-proxy-conflict']);
    expect(r.findings[0]?.summary).toContain('kube-proxy is still deployed');
    expect(r.findings[0]?.summary).not.toContain('no pod on this node');
    expect(r.checked).toContain('bandwidth-manager-unsupported');
    const json = JSON.parse(renderFindingsJson(r)) as { findings: { runbook: string; severity: string; summary: string; evidence: unknown[] }[] };
    expect(Object.keys(json)).toEqual(['findings']);
    expect(json.findings[0]).toEqual({ runbook: 'kube-proxy-conflict', severity: 'warning', summary: expect.any(String) as string, evidence: expect.any(Array) as unknown[] });
  });

  it('the same document on a 4.19 kernel yields the bandwidth manager finding, with the agent line', () => {
    const doc = { ...ISSUE_EXAMPLE, node: { ...ISSUE_EXAMPLE.node, kernelVersion: '4.19.0-18-cloud-amd64' }, cilium: { ...ISSUE_EXAMPLE.cilium, version: '1.15.6' }, agent: { logs: `${LINES.bwmNeeds51}\n` } };
    const r = analyze(evidenceFromDocument(doc));
    expect(r.findings.map((f) => f.runbookId)).toContain('bandwidth-manager-unsupported');
  });

  it('accepts a full Evidence document unchanged', () => {
    expect(evidenceFromDocument(healthyInput())).toEqual(exampleEvidence());
  });

  it('config booleans are taken as the strings a ConfigMap holds', () => {
    const e = evidenceFromDocument({ cilium: { config: { 'enable-bandwidth-manager': true } } });
    expect(e.ciliumConfig).toEqual({ ok: true, value: { 'enable-bandwidth-manager': 'true' } });
    expect(e.cilium.ok).toBe(false);
  });

  it.each([
    [[], '(root)', 'an array'],
    [{ node: { kernelVersion: 5 } }, 'node.kernelVersion', 'string'],
    [{ kubeproxy: {} }, '(root)', '"kubeproxy"'],
    [{ cilium: { version: 'latest' } }, 'cilium.version', 'Cilium version'],
    [{ agent: { logs: ['a'] } }, 'agent.logs', 'string'],
  ])('malformed %j → names %s', (doc, path, problem) => {
    try {
      evidenceFromDocument(doc);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(EvidenceParseError);
      const issue = (err as EvidenceParseError).issues[0];
      expect(issue?.path).toBe(path);
      expect(issue?.message).toContain(problem);
    }
  });
});

describe('ordering and noise across the catalogue', () => {
  it('the healthy fixture produces no finding above info', () => {
    const r = analyze(exampleEvidence());
    expect(r.findings.filter((f) => f.severity !== 'info')).toEqual([]);
    expect(r.inconclusive).toEqual([]);
  });

  it('root causes first: a kernel below the floor folds in its map failures and leads the report', () => {
    const r = analyze(exampleEvidence({
      ...withNode({ kernelVersion: '4.14.336-257.566.amzn2.x86_64', osImage: 'Amazon Linux 2' }),
      ciliumConfig: ok({ 'enable-hubble': 'false', 'enable-bandwidth-manager': 'true' }),
      hubble: ok({ enabled: false, relayPresent: false }),
      agentPod: crashingPod(), ...agentLogs([LINES.mapEperm, LINES.daemonFatal, LINES.bwmNeeds51]),
    }));
    expect(r.findings.map((f) => f.runbookId)).toEqual(['kernel-too-old', 'bandwidth-manager-unsupported', 'hubble-disabled']);
    expect(r.findings[0]?.evidence.some((q) => q.text.includes('cilium_lxc'))).toBe(true);
  });

  it('a kernel-config problem ranks before the crash symptoms and suppresses the fallback', () => {
    const r = analyze(exampleEvidence({
      ...withNode({ kernelVersion: '6.18.2-arch1-1' }), cilium: ok({ version: '1.18.8', image: 'quay.io/cilium/cilium:v1.18.8' }),
      operator: ok({ image: 'quay.io/cilium/operator-generic:v1.18.8', version: '1.18.8', replicas: 2, readyReplicas: 2 }),
      agentPod: crashingPod(), ...agentLogs([LINES.slogDce, LINES.slogHive, LINES.panic]),
    }));
    expect(r.findings.map((f) => f.runbookId)).toEqual(['kernel-config-missing', 'version-advisory']);
  });

  it('routine warnings of a healthy agent never produce a critical finding', () => {
    const r = analyze(exampleEvidence(agentLogs(null, [LINES.apiserverInfo, LINES.ctGcWarning, LINES.slogDnsWarn, LINES.crdWait, LINES.kprDeprecated])));
    expect(r.findings.filter((f) => f.severity === 'critical')).toEqual([]);
  });
});
