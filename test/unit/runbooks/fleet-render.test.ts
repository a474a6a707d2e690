// The fleet report as Slack renders it (bot/render/fleet-report.ts): Block Kit limits kept, long node lists in a file.
import { describe, expect, it } from 'vitest';
import { renderFleetReport, sweepOutcomeMessage, sweepProgressMessage } from '../../../bot/render/fleet-report.ts';
import type { FleetReport } from '../../../jobs/fleet/sweep.ts';
import type { FleetGroup } from '../../../runbooks/engine/fleet/group.ts';

function group(i: number, nodes: number): FleetGroup {
  const names = Array.from({ length: nodes }, (_, k) => `node-${i}-${k + 1}`);
  return { runbookId: 'kernel-too-old', title: 'Kernel below the floor', severity: 'critical', confirmed: true, kernel: '4.14.352', pool: `pool-${i}`, version: null, nodes: names, sentence: `${nodes} nodes on kernel 4.14.352 in pool \`pool-${i}\`: kernel-too-old` };
}

function report(groups: FleetGroup[]): FleetReport {
  return {
    cluster: 'prod', startedAt: '2026-11-23T12:00:00.000Z', durationMs: 4200,
    totals: { nodes: 5000, notReady: 0, agentsUnhealthy: 10, agentsMissing: 0, flagged: 10, deepCollected: 10, healthy: 4990 },
    groups, drift: { versions: [], images: [], features: [], sentences: ['Version drift: agents run 2 Cilium versions: 1.16.3 on 4,990 nodes, 1.15.6 on 10 nodes.'] },
    notCollected: 0, failures: [], unavailable: [], apiCalls: 93, throttled: 0,
  };
}

describe('renderFleetReport', () => {
  it('lists up to 20 nodes inline and every node of a long group in a file', () => {
    const r = renderFleetReport(report([group(1, 60), group(2, 3)]));
    const text = JSON.stringify(r.messages);
    expect(text).toContain('node-1-20');
    expect(text).not.toContain('node-1-21');
    expect(text).toContain('and 40 more');
    expect(text).toContain('/cilium diagnose node-1-1');
    expect(text).toContain('Version drift');
    expect(r.attachments).toHaveLength(1);
    expect(r.attachments[0]?.content.split('\n').filter((l) => l.startsWith('node-1-'))).toHaveLength(60);
  });

  it('keeps every message within 45 blocks and every section within 2,900 characters', () => {
    const r = renderFleetReport(report(Array.from({ length: 40 }, (_, i) => group(i, 25))));
    expect(r.messages.length).toBeGreaterThan(1);
    for (const m of r.messages) {
      expect(m.blocks.length).toBeLessThanOrEqual(45);
      for (const b of m.blocks) if (b.type === 'section') expect(b.text?.text.length ?? 0).toBeLessThanOrEqual(2900);
    }
    expect(r.messages[1]?.text).toMatch(/part 2\//);
  });

  it('renders progress and the outcome for the root message', () => {
    expect(sweepProgressMessage('prod', { phase: 'listing', checked: 412, total: 5000, deepDone: 0, deepTotal: 0 }).text).toBe('Fleet sweep of `prod`: 412/5,000 nodes checked…');
    expect(sweepOutcomeMessage(report([group(1, 37)])).text).toMatch(/5,000 nodes checked: 37 with a problem in 1 group; top: 37 nodes on kernel 4\.14\.352/);
    expect(sweepOutcomeMessage(report([])).text).toMatch(/no problem found/);
  });
});
