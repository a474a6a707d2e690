// The regression baseline: the figures `npm run eval` measured when bench/eval/baseline.json was committed.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { Evaluation } from './evaluate.ts';

export const BASELINE_FILE = join(import.meta.dirname, 'baseline.json');

export const BaselineSchema = z.strictObject({
  heldOutTop1: z.number().min(0).max(1),
  overallTop1: z.number().min(0).max(1),
  falseCriticals: z.number().int().min(0),
});
export type Baseline = z.infer<typeof BaselineSchema>;

export function baselineOf(scores: Evaluation): Baseline {
  // Rounded so the JSON stays readable; the gate compares against the same rounding.
  const round = (n: number) => Math.round(n * 10000) / 10000;
  return { heldOutTop1: round(scores['held-out'].top1), overallTop1: round(scores.overall.top1), falseCriticals: scores.overall.falseCriticals };
}

export function readBaseline(file = BASELINE_FILE): Baseline {
  return BaselineSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
}

/** Why the run is worse than the baseline; empty when it is not. */
export function regressions(now: Baseline, base: Baseline): string[] {
  const out: string[] = [];
  if (now.heldOutTop1 < base.heldOutTop1) out.push(`held-out top-1 fell from ${base.heldOutTop1} to ${now.heldOutTop1}: a runbook change lost cases; see bench/results/eval.md (npm run eval)`);
  if (now.falseCriticals > base.falseCriticals) out.push(`false criticals on \`other\` cases rose from ${base.falseCriticals} to ${now.falseCriticals}: a matcher claims a critical cause on noise; npm run eval lists the tune split's misses (held-out is aggregate only: add a tune case of the same kind)`);
  return out;
}
