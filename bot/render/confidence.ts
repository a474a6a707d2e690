// How sure a finding is, in a few words beside its title: the confidence and what it rests on (contract.ts).
import type { Finding, FindingBasis } from '../../runbooks/engine/contract.ts';

const BASIS: Record<FindingBasis, string> = {
  explicit: 'the agent said so',
  observed: 'read from the cluster',
  inferred: 'inferred from versions/config',
};

/** e.g. "certain: the agent said so", "medium: inferred from versions/config". */
export function confidenceNote(f: Pick<Finding, 'confidence' | 'basis'>): string {
  return `${f.confidence}: ${BASIS[f.basis]}`;
}
