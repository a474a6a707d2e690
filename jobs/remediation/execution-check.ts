// The worker's own authorisation, at execution: a `remediate` job is only a proposal id, and whoever can write to
// Redis can write one. So before any write the worker re-reads the proposal and decides from it and from the approver
// configuration it runs with now: the proposal must be approved, not expired, and carry enough approvals, each from
// someone who is still an approver for its risk, distinct, and (high risk) with the requester not the second.
import { approversFor, type ApproverConfig } from './approval-policy.ts';
import { approvalsNeeded, type Proposal } from './proposal.ts';

/** The Slack user groups (S…) among `groupIds` that `userId` belongs to now (usergroups.users.list). */
export type GroupLookup = (userId: string, groupIds: readonly string[]) => Promise<string[]>;

export interface ApproverDirectory {
  config: ApproverConfig;
  groupsOf: GroupLookup;
}

export type ExecutionDecision = { allowed: true; approvedBy: string[] } | { allowed: false; reason: string };

/** States in which the change may still be made; `done` and `failed` are final and never written again. */
const RUNNABLE = new Set<Proposal['state']>(['approved', 'running', 'applying']);

export async function authoriseExecution(proposal: Proposal, now: Date, approvers: ApproverDirectory): Promise<ExecutionDecision> {
  if (!RUNNABLE.has(proposal.state)) return { allowed: false, reason: `the proposal is not approved (it is ${proposal.state})` };
  const expires = Date.parse(proposal.expiresAt);
  if (now.getTime() > expires) return { allowed: false, reason: `the proposal expired at ${proposal.expiresAt}; diagnose again and approve a fresh one` };
  const needed = approvalsNeeded(proposal.risk);
  const users = proposal.approvals.map((a) => a.userId);
  if (new Set(users).size !== users.length) return { allowed: false, reason: 'the same person is recorded as approving twice' };
  if (users.length < needed) return { allowed: false, reason: `it has ${users.length} of the ${needed} approvals a ${proposal.risk}-risk action needs` };
  const late = proposal.approvals.find((a) => Date.parse(a.at) > expires);
  if (late !== undefined) return { allowed: false, reason: `<@${late.userId}>'s approval is dated after the proposal expired` };
  if (proposal.risk === 'high' && users.slice(1).includes(proposal.requestedBy)) {
    return { allowed: false, reason: `<@${proposal.requestedBy}> asked for this diagnosis, so cannot be the second approver of a high-risk action` };
  }
  const allowed = approversFor(approvers.config, proposal.risk);
  const groups = allowed.filter((id) => id.startsWith('S'));
  for (const user of users) {
    if (allowed.includes(user)) continue;
    let member: string[];
    try {
      member = groups.length === 0 ? [] : await approvers.groupsOf(user, groups);
    } catch (e) {
      // Unknown membership is no membership: refused (safe), with what to do about it.
      return { allowed: false, reason: `could not read whether <@${user}> is still in ${groups.join(', ')} (${e instanceof Error ? e.message : String(e)}); diagnose again and approve a fresh proposal once Slack answers` };
    }
    if (member.some((g) => allowed.includes(g))) continue;
    return { allowed: false, reason: `<@${user}> is no longer an approver for ${proposal.risk}-risk actions (REMEDIATION_APPROVERS_${proposal.risk.toUpperCase()})` };
  }
  return { allowed: true, approvedBy: users };
}
