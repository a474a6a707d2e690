import { describe, expect, it } from 'vitest';
import { MAX_BLOCKS_PER_MESSAGE, renderReport } from '../../../bot/render/report-blocks.ts';
import { finding, report } from './report-fixture.ts';

function allText(blocks: unknown): string {
  return JSON.stringify(blocks);
}

describe('renderReport', () => {
  it('puts the finding, its evidence, blast radius, fix steps and what could not be collected into blocks', () => {
    const r = renderReport(report([finding('kernel-too-old')]));
    expect(r.severity).toBe('critical');
    expect(r.headline).toBe('kernel-too-old: title of kernel-too-old');
    expect(r.messages).toHaveLength(1);
    const text = allText(r.messages[0]?.blocks);
    expect(text).toContain('kubectl cordon node-7');
    expect(text).toContain('stuck in ContainerCreating');
    expect(text).toContain('Grant create on pods/exec in kube-system');
    expect(text).toContain('level=fatal msg=\\"x\\"');
    expect(r.attachments).toEqual([]);
  });

  it('moves evidence that does not fit into a file instead of cutting it, and keeps every section under 3000', () => {
    const evidence = Array.from({ length: 400 }, (_, i) => ({ kind: 'log' as const, text: `level=error msg="line ${i}" subsys=daemon`, source: `previous, line ${i + 1}`, lineNumber: i + 1 }));
    const r = renderReport(report([finding('bpf-map-create-failed', { evidence })]));
    expect(r.attachments).toHaveLength(1);
    expect(r.attachments[0]?.content).toContain('line 399');
    for (const m of r.messages) {
      for (const b of m.blocks) {
        if (b.type === 'section' && b.text !== undefined) expect(b.text.text.length).toBeLessThanOrEqual(3000);
      }
    }
  });

  it('splits many findings into several messages of at most 45 blocks', () => {
    const many = Array.from({ length: 12 }, (_, i) => finding(`runbook-${i}`, { fixSteps: Array.from({ length: 4 }, (_, j) => ({ title: `step ${j}`, detail: 'd' })) }));
    const r = renderReport(report(many));
    expect(r.messages.length).toBeGreaterThan(1);
    for (const m of r.messages) expect(m.blocks.length).toBeLessThanOrEqual(MAX_BLOCKS_PER_MESSAGE);
    expect(r.messages[0]?.text).toMatch(/part 1\//);
    const all = r.messages.map((m) => allText(m.blocks)).join('');
    for (let i = 0; i < 12; i++) expect(all).toContain(`runbook-${i}`);
  });

  it('redacts secrets and escapes mrkdwn control characters in quoted evidence', () => {
    const r = renderReport(
      report([finding('agent-crashloop', { evidence: [{ kind: 'log', text: 'token=xoxb-1234-5678-abcdefgh <script> Authorization: Bearer abcdefghijklmnop', source: 'current' }] })]),
    );
    const text = allText(r.messages[0]?.blocks);
    expect(text).not.toContain('xoxb-1234');
    expect(text).not.toContain('abcdefghijklmnop');
    expect(text).toContain('&lt;script&gt;');
  });

  it('says healthy when nothing matched', () => {
    const healthy = { ...report([]), healthySummary: 'Kernel 6.1 satisfies Cilium 1.16; the agent is ready.' };
    const r = renderReport(healthy);
    expect(r.severity).toBe('healthy');
    expect(allText(r.messages[0]?.blocks)).toContain('Kernel 6.1 satisfies');
  });
});
