// How sure a finding is and what it rests on (contract.ts ConfidenceSchema, FindingBasisSchema), decided the same way
// by every runbook: a quoted line that names the cause is explicit; a comparison of numbers is an inference, certain only
// when every number in it is exact and was read from the node or the image, not stated in a pasted report.
import type { Confidence } from './contract.ts';
import type { Evidence } from './evidence.ts';

/** The Cilium version was only stated (an offline document or pasted report), not read from the image or the agent. */
export function versionStated(e: Evidence): boolean {
  return e.cilium.ok && e.cilium.value.versionSource === 'stated';
}

/**
 * Confidence of a version or kernel comparison: certain only with exact numbers read from the cluster; a stated
 * version is one step short (high); an inexact number (vendor kernel without its patch level, a docs equivalence,
 * an unverified minimum) is medium.
 */
export function comparisonConfidence(e: Evidence, exact: boolean): Confidence {
  if (!exact) return 'medium';
  return versionStated(e) ? 'high' : 'certain';
}
