// Who may approve a proposal: Slack user ids or user groups configured per risk level (an approver of a higher
// level may approve lower ones); high risk needs two distinct people, and the person who asked for the diagnosis
// may request such an action but not be its second approver.
import type { Proposal, Risk } from './proposal.ts';

export interface ApproverConfig {
  /** Slack user ids (U…/W…) and user group ids (S…) per risk level. */
  low: string[];
  medium: string[];
  high: string[];
}

export type ApprovalDecision = { allowed: true } | { allowed: false; reason: string };

const LEVELS: Risk[] = ['low', 'medium', 'high'];

/** Everyone configured at `risk` or above. */
export function approversFor(config: ApproverConfig, risk: Risk): string[] {
  return LEVELS.slice(LEVELS.indexOf(risk)).flatMap((level) => config[level]);
}

export function decideApproval(proposal: Proposal, userId: string, userGroups: readonly string[], config: ApproverConfig): ApprovalDecision {
  const allowed = approversFor(config, proposal.risk);
  if (!allowed.includes(userId) && !userGroups.some((g) => allowed.includes(g))) {
    return { allowed: false, reason: `<@${userId}> is not an approver for ${proposal.risk}-risk actions (configure REMEDIATION_APPROVERS_${proposal.risk.toUpperCase()})` };
  }
  if (proposal.risk === 'high' && proposal.approvals.length >= 1 && userId === proposal.requestedBy) {
    return { allowed: false, reason: `<@${userId}> asked for this diagnosis, so cannot be the second approver of a high-risk action` };
  }
  return { allowed: true };
}
