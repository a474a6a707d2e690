// Incident picture for `/cilium export` and `/cilium timeline`: one lane per kind of event on a UTC time axis:
// diagnosis runs (dot size = findings in that run, colour = its worst severity), notes, remediation steps, status
// changes and requests. Labels are redacted and short; the full text stays in the timeline and the postmortem.
import type { TopLevelSpec } from 'vega-lite';
import type { Incident, RunSummary, TimelineEntry, TimelineKind } from '../../../jobs/incidents/incident.ts';
import { redactSecrets } from '../redact.ts';
import { renderChart, type RenderedChart } from './png.ts';

export const LANES = ['runs', 'notes', 'remediation', 'status', 'requests'] as const;
export type Lane = (typeof LANES)[number];

const LANE_OF: Record<TimelineKind, Lane | null> = {
  opened: 'status',
  'status-changed': 'status',
  'diagnosis-requested': 'requests',
  'diagnosis-failed': 'requests',
  // Each posted diagnosis is drawn from its run summary (with its findings) instead.
  'diagnosis-posted': null,
  note: 'notes',
  remediation: 'remediation',
};

const SEVERITY_ORDER = ['critical', 'warning', 'info', 'healthy'] as const;
/** Severity colours, then grey for events that are not runs (notes, steps, status). */
const COLOUR_DOMAIN = [...SEVERITY_ORDER, 'event'];
const COLOUR_RANGE = ['#d62728', '#ff7f0e', '#1f77b4', '#2ca02c', '#7f7f7f'];
/** Label length on the chart; longer texts are cut with an ellipsis. */
export const LABEL_MAX = 40;

export interface TimelinePoint {
  at: string;
  lane: Lane;
  label: string;
  findings: number;
  /** A run's worst finding; 'event' for everything else. */
  severity: (typeof SEVERITY_ORDER)[number] | 'event';
}

const short = (s: string): string => {
  const one = redactSecrets(s).replace(/\s+/g, ' ').trim();
  return one.length <= LABEL_MAX ? one : `${one.slice(0, LABEL_MAX - 1)}…`;
};

function worst(run: RunSummary): (typeof SEVERITY_ORDER)[number] {
  for (const s of SEVERITY_ORDER) if (run.findings.some((f) => f.severity === s)) return s;
  return 'healthy';
}

export function timelinePoints(entries: readonly TimelineEntry[], runs: readonly RunSummary[]): TimelinePoint[] {
  const fromRuns = runs.map((r): TimelinePoint => ({ at: r.at, lane: 'runs', label: `run ${r.run}: ${r.findings.length} finding${r.findings.length === 1 ? '' : 's'}`, findings: r.findings.length, severity: worst(r) }));
  const fromEntries = entries.flatMap((e): TimelinePoint[] => {
    const lane = LANE_OF[e.kind];
    return lane === null ? [] : [{ at: e.at, lane, label: short(e.text), findings: 0, severity: 'event' }];
  });
  return [...fromRuns, ...fromEntries].sort((a, b) => a.at.localeCompare(b.at));
}

export function incidentTimelineSpec(incident: Incident, entries: readonly TimelineEntry[], runs: readonly RunSummary[]): TopLevelSpec {
  const values = timelinePoints(entries, runs);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: `${redactSecrets(incident.id)} — ${redactSecrets(incident.node)} (${redactSecrets(incident.cluster)})`, subtitle: `opened ${incident.openedAt} · ${incident.status}` },
    width: 640,
    height: 200,
    data: { values },
    // Shared by both layers: time across, one lane per kind of event down.
    encoding: {
      x: { field: 'at', type: 'temporal', title: 'time (UTC)', scale: { type: 'utc' }, axis: { format: '%H:%M', labelAngle: 0 } },
      y: { field: 'lane', type: 'nominal', sort: [...LANES], scale: { domain: [...LANES] }, title: null },
    },
    layer: [
      {
        mark: { type: 'circle', opacity: 0.85 },
        encoding: {
          size: { field: 'findings', type: 'quantitative', scale: { range: [60, 400], zero: false }, legend: null },
          color: { field: 'severity', type: 'nominal', scale: { domain: COLOUR_DOMAIN, range: COLOUR_RANGE }, title: 'run: worst finding' },
        },
      },
      {
        mark: { type: 'text', align: 'left', dx: 9, dy: -8, fontSize: 9, angle: 0 },
        encoding: { text: { field: 'label', type: 'nominal' } },
      },
    ],
  };
}

export function renderIncidentTimelineChart(incident: Incident, entries: readonly TimelineEntry[], runs: readonly RunSummary[]): Promise<RenderedChart> {
  return renderChart(incidentTimelineSpec(incident, entries, runs));
}
