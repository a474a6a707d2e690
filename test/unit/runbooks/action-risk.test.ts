// One risk per remediation action, whether remediation is on (buttons) or off (proposals as text); and the Cilium
// version line says where the version came from, never "(image undefined)".
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../runbooks/engine/analyze.ts';
import { ACTION_RISK, effectiveRisk } from '../../../runbooks/engine/action-risk.ts';
import { RemediationActionSchema } from '../../../runbooks/engine/contract.ts';
import { evidenceFromDocument } from '../../../runbooks/engine/offline-evidence.ts';
import { ciliumVersionQuote } from '../../../runbooks/engine/cilium-version-quote.ts';
import { ACTIONS } from '../../../jobs/remediation/actions.ts';
import { renderReport } from '../../../bot/render/report-blocks.ts';
import { crashingPod, exampleEvidence, LINES, logChunk, ok, peers, withNode } from './fixtures.ts';

const legacyNode = () =>
  exampleEvidence({
    ...withNode({ kernelVersion: '4.14.336-257.566.amzn2.x86_64', osImage: 'Amazon Linux 2', pool: 'workers-legacy' }),
    peers: ok(peers(11, '4.14.336-257.566.amzn2.x86_64', 'workers-legacy')),
    agentPod: crashingPod(),
    agentLogs: ok({ current: logChunk([]), previous: logChunk([LINES.largePrograms]) }),
  });

describe('remediation risk has one source', () => {
  it('the remediation side reads the same table as the reports', () => {
    for (const action of RemediationActionSchema.options) expect(ACTIONS[action].risk, action).toBe(ACTION_RISK[action]);
  });

  it('a runbook can raise an action\'s risk, never lower it', () => {
    expect(effectiveRisk('cordon-node', 'low')).toBe('medium');
    expect(effectiveRisk('restart-agent', 'high')).toBe('high');
    expect(effectiveRisk('pin-agent-affinity', 'medium')).toBe('high');
  });

  it('a report shows each proposal at the risk its button would carry (remediation off or on)', () => {
    const report = analyze(legacyNode());
    const proposals = report.findings.flatMap((f) => f.proposals);
    expect(proposals.map((p) => p.action)).toContain('cordon-node');
    for (const p of proposals) expect(p.risk, p.action).toBe(effectiveRisk(p.action, p.risk));
    expect(proposals.find((p) => p.action === 'cordon-node')?.risk).toBe('medium');
    // Remediation off: the proposals are text; the cordon reads as medium, as its button would.
    const text = JSON.stringify(renderReport(report).messages.map((m) => m.blocks));
    expect(text).toMatch(/`cordon-node`[^(]*\(medium risk\)/);
    expect(text).not.toMatch(/`cordon-node`[^(]*\(low risk\)/);
  });
});

describe('the Cilium version line', () => {
  it('the README\'s minimal document: the version and where it was stated, no "undefined"', () => {
    const report = analyze(evidenceFromDocument({ node: { name: 'node-7', kernelVersion: '4.14.352-268.568.amzn2.x86_64', osImage: 'Amazon Linux 2' }, cilium: { version: '1.15.6' } }));
    const quotes = report.findings.flatMap((f) => f.evidence);
    expect(JSON.stringify(quotes)).not.toContain('undefined');
    expect(quotes).toContainEqual({ kind: 'fact', text: 'Cilium 1.15.6', source: 'evidence document (cilium.version)' });
  });

  it('names the image when the version is its tag, and says when the tag had none', () => {
    expect(ciliumVersionQuote({ version: '1.15.6', image: 'quay.io/cilium/cilium:v1.15.6', versionSource: 'image-tag' }, '1.15.6')).toEqual({ kind: 'fact', text: 'Cilium 1.15.6 (image quay.io/cilium/cilium:v1.15.6)', source: 'cilium-agent image tag' });
    const banner = ciliumVersionQuote({ version: '1.16.3', image: 'quay.io/cilium/cilium@sha256:ab12', versionSource: 'log-banner' }, '1.16.3');
    expect(banner.text).toBe('Cilium 1.16.3 (agent image quay.io/cilium/cilium@sha256:ab12, no version in its tag)');
    expect(banner.source).toBe("cilium-agent's startup banner");
    expect(ciliumVersionQuote({ version: null }, null).text).toBe('Cilium unknown');
  });
});
