import { describe, expect, it } from 'vitest';
import { incidentTimelineSpec, LABEL_MAX, renderIncidentTimelineChart, timelinePoints } from '../../../../bot/render/charts/incident-timeline.ts';
import { pngSize } from '../../../../bot/render/charts/png.ts';
import type { Incident, RunSummary, TimelineEntry } from '../../../../jobs/incidents/incident.ts';

const incident: Incident = {
  id: 'INC-7',
  cluster: 'prod-eu',
  node: 'node-legacy-01',
  channelId: 'C0OPS',
  threadTs: '1700000000.000100',
  status: 'resolved',
  openedBy: 'U0ONCALL',
  openedAt: '2026-11-23T03:00:00.000Z',
  updatedAt: '2026-11-23T04:10:00.000Z',
  topFinding: 'kernel-too-old: Kernel 4.14 is below the floor',
  severity: 'critical',
  runs: 2,
};

const entry = (seq: number, at: string, kind: TimelineEntry['kind'], text: string): TimelineEntry => ({ seq, at, actor: seq === 1 ? 'bot' : 'U0ONCALL', kind, text, links: [] });

const entries: TimelineEntry[] = [
  entry(1, '2026-11-23T03:00:00.000Z', 'opened', 'opened INC-7 for node-legacy-01'),
  entry(2, '2026-11-23T03:01:00.000Z', 'diagnosis-posted', 'run 1 posted'),
  entry(3, '2026-11-23T03:10:00.000Z', 'note', 'drained node-legacy-01 at 03:10 and cordoned the rest of the legacy pool'),
  entry(4, '2026-11-23T03:30:00.000Z', 'remediation', 'restarted cilium-agent on node-legacy-01'),
  entry(5, '2026-11-23T04:10:00.000Z', 'status-changed', 'resolved INC-7: rolled the kernel forward'),
];
const runs: RunSummary[] = [
  { run: 1, at: '2026-11-23T03:01:00.000Z', findings: [{ runbookId: 'kernel-too-old', severity: 'critical', title: 'Kernel too old' }, { runbookId: 'x', severity: 'warning', title: 'x' }], metrics: {} },
  { run: 2, at: '2026-11-23T04:00:00.000Z', findings: [], metrics: {} },
];

describe('incident timeline chart', () => {
  it('places runs (with findings and worst severity), notes, remediation and status on their lanes in time order', () => {
    const points = timelinePoints(entries, runs);
    expect(points.map((p) => [p.lane, p.at])).toEqual([
      ['status', '2026-11-23T03:00:00.000Z'],
      ['runs', '2026-11-23T03:01:00.000Z'],
      ['notes', '2026-11-23T03:10:00.000Z'],
      ['remediation', '2026-11-23T03:30:00.000Z'],
      ['runs', '2026-11-23T04:00:00.000Z'],
      ['status', '2026-11-23T04:10:00.000Z'],
    ]);
    expect(points[1]).toMatchObject({ label: 'run 1: 2 findings', findings: 2, severity: 'critical' });
    expect(points[4]).toMatchObject({ label: 'run 2: 0 findings', severity: 'healthy' });
    const note = points[2]?.label ?? '';
    expect(note.length).toBe(LABEL_MAX);
    expect(note.endsWith('…')).toBe(true);
  });

  it('redacts secrets in labels', () => {
    const leaky = [entry(2, '2026-11-23T03:10:00.000Z', 'note', 'token ghp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa')];
    const label = timelinePoints(leaky, [])[0]?.label ?? '';
    expect(label).not.toContain('ghp_aaaa');
  });

  it('renders a PNG whose SVG carries the timeline entries', async () => {
    const spec = incidentTimelineSpec(incident, entries, runs);
    expect(JSON.stringify(spec)).toContain('restarted cilium-agent on node-legacy-01');
    const { svg, png } = await renderIncidentTimelineChart(incident, entries, runs);
    const size = pngSize(png);
    expect(size?.width).toBeGreaterThan(600);
    expect(size?.height).toBeGreaterThan(200);
    for (const text of ['INC-7', 'run 1: 2 findings', 'run 2: 0 findings', 'restarted cilium-agent on node-legacy-01', 'remediation', 'notes']) expect(svg).toContain(text);
    // Times on the axis are UTC (the entries are 03:00–04:10 UTC whatever the host's zone).
    expect(svg).toMatch(/>03:00</);
  });
});
