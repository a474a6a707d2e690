// An IncidentSink that keeps the text of every timeline entry posted and ignores the rest: what the remediation
// tests read to see what the thread was told.
import type { IncidentSink } from '../../jobs/incident-sink.ts';

export function recordingSink(posted: string[]): IncidentSink {
  return {
    collecting: () => Promise.resolve(),
    report: () => Promise.resolve(),
    healthy: () => Promise.resolve(),
    failed: () => Promise.resolve(),
    postEntry: (_i, e) => {
      posted.push(e.text);
      return Promise.resolve();
    },
    refreshSummary: () => Promise.resolve(),
  };
}
