// The risk of each remediation action: one table, read by the runbooks' reports (remediation off: proposals shown
// as text) and by the remediation side (remediation on: buttons, approvers, the two-person rule), so a report never
// calls an action low risk while its button asks for a high-risk approval.
import type { Finding, RemediationAction, RemediationProposal } from './contract.ts';

export type Risk = RemediationProposal['risk'];

/**
 * What each action risks on its own. Cordoning keeps running pods but moves scheduling (medium); restarting one
 * agent or labelling a node is local and reversible (low); anything that changes every agent's config, removes
 * kube-proxy or reschedules the agent DaemonSet touches the whole cluster's datapath (high, two approvers).
 */
export const ACTION_RISK: Record<RemediationAction, Risk> = {
  'restart-agent': 'low',
  'cordon-node': 'medium',
  'uncordon-node': 'medium',
  'label-node': 'low',
  'disable-feature': 'high',
  'remove-kube-proxy': 'high',
  'pin-agent-affinity': 'high',
};

const RISK_ORDER: Record<Risk, number> = { low: 0, medium: 1, high: 2 };

/** The action's own risk, or the runbook's if that is higher: a runbook can raise a risk, never lower it. */
export function effectiveRisk(action: RemediationAction, proposed: Risk): Risk {
  const own = ACTION_RISK[action];
  return RISK_ORDER[proposed] > RISK_ORDER[own] ? proposed : own;
}

/** The finding with each proposal at its effective risk: what every renderer shows, buttons or not. */
export function withEffectiveRisks(f: Finding): Finding {
  return f.proposals.length === 0 ? f : { ...f, proposals: f.proposals.map((p) => ({ ...p, risk: effectiveRisk(p.action, p.risk) })) };
}
