// Remediation button clicks: the button carries only a proposal id. Who clicked is authorised against the
// configured approvers at click time; a refused click gets an ephemeral reason and a timeline entry; the last
// needed approval enqueues the `remediate` job whose id is the proposal id, so it runs once.
import type { App, BlockAction, ButtonAction, RespondFn } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import type { IncidentStore } from '../jobs/incidents/incident-store.ts';
import { decideApproval, type ApproverConfig } from '../jobs/remediation/approval-policy.ts';
import { ACTIONS } from '../jobs/remediation/actions.ts';
import type { GroupLookup } from '../jobs/remediation/execution-check.ts';
import { ProposalIdSchema, approvalsNeeded, type Proposal } from '../jobs/remediation/proposal.ts';
import type { ProposalStore } from '../jobs/remediation/proposal-store.ts';
import type { RemediateQueue } from '../jobs/remediation/remediate-job.ts';
import { SlackIncidentSink } from './slack-incident-sink.ts';
import { toUserMessage } from './errors.ts';
import type { Metrics } from './ops/metrics.ts';

export interface RemediationDeps {
  enabled: boolean;
  approvers: ApproverConfig;
  proposals: ProposalStore;
  incidents: IncidentStore;
  queue: Pick<RemediateQueue, 'enqueue'>;
  logger: Logger;
  metrics?: Metrics;
}

/** Which of `groupIds` (S…) `userId` belongs to now, read with usergroups.users.list: the click handler and the
 * remediate worker (which checks again at execution) both ask through this. */
export function slackGroupLookup(client: WebClient): GroupLookup {
  return async (userId, groupIds) => {
    const member = await Promise.all(
      [...new Set(groupIds)].map(async (g) => {
        const res = await client.usergroups.users.list({ usergroup: g });
        return res.users?.includes(userId) === true ? g : null;
      }),
    );
    return member.filter((g): g is string => g !== null);
  };
}

/** Slack user groups of `userId` among the configured group ids. */
function groupsOf(client: WebClient, userId: string, approvers: ApproverConfig): Promise<string[]> {
  return slackGroupLookup(client)(userId, [...approvers.low, ...approvers.medium, ...approvers.high].filter((id) => id.startsWith('S')));
}

const SLACK_USER_ID = /^[UW][A-Z0-9]{2,20}$/;

export function registerRemediationHandler(app: App, deps: RemediationDeps): void {
  app.action<BlockAction<ButtonAction>>(/^remediate:/, async ({ ack, body, action, client, respond }) => {
    await ack();
    try {
      await handleClick(deps, client, respond, body, action);
    } catch (e) {
      deps.metrics?.remediation('unknown', 'error');
      const { text, errorId } = toUserMessage(e);
      if (errorId !== undefined) deps.logger.error({ err: e, errorId }, 'remediation click failed');
      await respond({ response_type: 'ephemeral', replace_original: false, text });
    }
  });
}

async function handleClick(deps: RemediationDeps, client: WebClient, respond: RespondFn, body: BlockAction<ButtonAction>, action: ButtonAction): Promise<void> {
  // Only a Slack user id (U…/W…) may act: an empty id was appended to the timeline and then broke every later read
  // of it (TimelineEntrySchema wants an actor), and a group id (S…) posing as a user matched group approvers. Both
  // found by fuzzing; such a payload is refused as tampered.
  const rawUser: unknown = (body.user as { id?: unknown } | undefined)?.id;
  const userId = typeof rawUser === 'string' ? rawUser : '';
  const tell = (text: string) => respond({ response_type: 'ephemeral', replace_original: false, text });
  const sink = new SlackIncidentSink(client, deps.incidents);
  const id = ProposalIdSchema.safeParse(action.value);
  // The action id repeats the proposal id: a value that does not match it was tampered with.
  if (!id.success || action.action_id !== `remediate:${id.data}` || !SLACK_USER_ID.test(userId)) {
    deps.logger.warn({ userId, actionId: action.action_id, value: action.value }, 'refused a tampered remediation button');
    deps.metrics?.remediation('unknown', 'tampered');
    await tell('That button is not valid (its value was changed). Nothing was done.');
    return;
  }
  const proposal = await deps.proposals.find(id.data);
  if (proposal === null) {
    // A well-formed id nobody issued (or one purged a day after expiry) is a forged or replayed value: record it like
    // a tampered one (found by fuzzing: it was refused but left no trace).
    deps.logger.warn({ userId, actionId: action.action_id, value: action.value }, 'refused a click on an unknown remediation proposal');
    deps.metrics?.remediation('unknown', 'unknown-proposal');
    await tell('That proposal is unknown or long expired. Run the diagnosis again for fresh buttons.');
    return;
  }
  const incident = await deps.incidents.get(proposal.incidentId);
  const count = (outcome: Parameters<Metrics['remediation']>[1]): void => deps.metrics?.remediation(proposal.action, outcome);
  // Bolt types `container` loosely; read the thread from it with a narrow check.
  // `?? {}`: a payload without a container must be refused like any other, not crash the handler (found by fuzzing).
  const container = (body.container ?? {}) as { thread_ts?: unknown };
  const messageThread: unknown = (body.message as { thread_ts?: unknown } | undefined)?.thread_ts;
  const threadTs = typeof container.thread_ts === 'string' ? container.thread_ts : typeof messageThread === 'string' ? messageThread : undefined;
  const record = async (text: string) => {
    const entry = await deps.incidents.append(incident.id, { actor: userId, kind: 'remediation', text });
    await sink.postEntry(incident, entry);
  };
  if (body.channel?.id !== incident.channelId || threadTs !== incident.threadTs) {
    count('wrong-thread');
    // Recorded before the answer: whoever reads the reply can find the entry.
    await record(`clicked a ${incident.id} button outside its thread; refused`);
    await tell(`That button belongs to ${incident.id}'s thread, not this one. Nothing was done.`);
    return;
  }
  const what = `\`${proposal.action}\` (${ACTIONS[proposal.action].label(proposal)})`;
  if (!deps.enabled) {
    count('disabled');
    await tell('Remediation is not enabled in this deployment; follow the fix steps by hand.');
    return;
  }
  const decision = decideApproval(proposal, userId, await groupsOf(client, userId, deps.approvers), deps.approvers);
  if (!decision.allowed) {
    count('refused');
    await record(`tried to approve ${what}; refused: ${decision.reason}`);
    await tell(`Refused: ${decision.reason}.`);
    return;
  }
  const { outcome, proposal: after } = await deps.proposals.approve(proposal.id, userId);
  count(outcome === 'missing' ? 'unknown-proposal' : outcome === 'ok' ? 'approved' : outcome === 'complete' ? 'queued' : outcome);
  switch (outcome) {
    case 'missing':
      await tell('That proposal no longer exists.');
      return;
    case 'expired':
      await record(`tried to approve ${what}; refused: the proposal expired at ${proposal.expiresAt}`);
      await tell(`That proposal expired at ${proposal.expiresAt}. Run the diagnosis again for fresh buttons.`);
      return;
    case 'duplicate':
      // Replays (a second click by the same person, a click on a proposal that already ran) are recorded in the log
      // (found by fuzzing: they were refused but left no trace).
      deps.logger.warn({ userId, proposalId: proposal.id, incidentId: incident.id, outcome }, 'refused a replayed remediation click');
      await tell(`You already approved ${what}; it needs a different second approver.`);
      return;
    case 'closed':
      deps.logger.warn({ userId, proposalId: proposal.id, incidentId: incident.id, outcome }, 'refused a replayed remediation click');
      await tell(`${what} was already approved (${after?.state ?? 'closed'}).`);
      return;
    case 'ok':
      await record(`approved ${what} (1 of ${approvalsNeeded(proposal.risk)}); high risk: a second approver is needed${proposal.requestedBy === userId ? '' : `, other than <@${proposal.requestedBy}> who asked for the diagnosis`}`);
      await tell(`Approved (1 of ${approvalsNeeded(proposal.risk)}). A second approver must click the same button.`);
      return;
    case 'complete':
      await startRemediation(deps, after ?? proposal, record, tell, what);
      return;
  }
}

async function startRemediation(deps: RemediationDeps, proposal: Proposal, record: (t: string) => Promise<void>, tell: (t: string) => Promise<unknown>, what: string): Promise<void> {
  await record(`approved ${what}; queued (dry run first, then apply, then verify)`);
  // Only the id: the worker reads the approvals from the proposal and checks them again before it writes.
  const queued = await deps.queue.enqueue({ proposalId: proposal.id });
  await tell(queued ? `Approved: ${what} is queued. Progress goes into the thread.` : `${what} is already queued or done.`);
}
