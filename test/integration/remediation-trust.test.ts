// The remediate worker takes nothing on trust (issue 17, item 4): jobs are written straight into Redis with BullMQ,
// as anyone who can reach Redis could, and run by the real worker against the Kubernetes emulator. Before any write
// it re-reads the proposal and checks its state, expiry, the recorded approvals against the approver configuration
// it runs with now, and the two-person rule; the thread names approvers from the proposal, never from the job.
import { randomUUID } from 'node:crypto';
import { Queue, type Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { ClientNodeCluster, loadKubeConfig } from '../../jobs/kube/client-node-cluster.ts';
import { IncidentStore } from '../../jobs/incidents/incident-store.ts';
import type { ApproverConfig } from '../../jobs/remediation/approval-policy.ts';
import type { Proposal, Risk } from '../../jobs/remediation/proposal.ts';
import { ProposalStore } from '../../jobs/remediation/proposal-store.ts';
import { REMEDIATE_QUEUE } from '../../jobs/remediation/remediate-job.ts';
import { startRemediateWorker, type RemediationOutcome } from '../../jobs/remediation/remediate-worker.ts';
import { startKubeEmulator, type KubeEmulator } from '../../sandbox/kube/index.ts';
import { resolveScenario } from '../../sandbox/scenario/index.ts';
import { recordingSink } from './recording-sink.ts';

let kube: KubeEmulator;
let redis: Redis;
const closers: Array<() => Promise<void>> = [];

beforeAll(async () => {
  kube = await startKubeEmulator({ scenario: resolveScenario('kube-proxy-conflict') });
  redis = new Redis(inject('redisUrl'));
});
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});
afterAll(async () => {
  redis.disconnect();
  await kube.stop();
});

const REMOVE = { action: 'remove-kube-proxy', params: { node: 'node-2', namespace: 'kube-system', daemonSet: 'kube-proxy' } } as const;
const CORDON = { action: 'cordon-node', params: { node: 'node-2' } } as const;

/** A worker with `approvers` (groups from `groups`: user → group ids) and a raw BullMQ queue to write jobs with. */
async function setup(approvers: ApproverConfig, opts: { ttlMs?: number; groups?: Record<string, string[]>; groupsFail?: boolean } = {}) {
  const prefix = `trust-${randomUUID()}`;
  const incidents = new IncidentStore(redis, prefix);
  const proposals = new ProposalStore(redis, prefix, opts.ttlMs ?? 60_000);
  const { incident } = await incidents.openOrReuse({ cluster: 'sandbox', node: 'node-2', channelId: 'C0INCIDENTS', openedBy: 'U0ONCALL' });
  await incidents.update(incident.id, { threadTs: '1700000000.000100' });
  const posted: string[] = [];
  const sink = recordingSink(posted);
  const cluster = new ClientNodeCluster('sandbox', loadKubeConfig({ kubeconfigPath: kube.kubeconfigPath }));
  const workerRedis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null });
  const worker: Worker<unknown, RemediationOutcome> = startRemediateWorker({
    connection: workerRedis, prefix, clusters: () => cluster, proposals, incidents, sink, logger: pino({ level: 'silent' }),
    collect: { deadlineMs: 5_000, tailLines: 500, limitBytes: 1024 * 1024 },
    approvers: {
      config: approvers,
      groupsOf: (user, groupIds) => (opts.groupsFail === true ? Promise.reject(new Error('ratelimited')) : Promise.resolve((opts.groups?.[user] ?? []).filter((g) => groupIds.includes(g)))),
    },
  });
  const raw = new Queue(REMEDIATE_QUEUE, { connection: redis, prefix });
  closers.push(async () => {
    await worker.close();
    await raw.close();
    workerRedis.disconnect();
  });
  const propose = (what: typeof REMOVE | typeof CORDON, risk: Risk) =>
    proposals.create({ incidentId: incident.id, cluster: 'sandbox', node: 'node-2', ...what, params: { ...what.params }, risk, reason: 'test', runbookId: 'kube-proxy-conflict', requestedBy: 'U0ONCALL' });
  /** Writes the job into Redis as an attacker (or the bot before this fix) would, and waits for the worker's outcome. */
  const inject_ = async (data: Record<string, unknown>, jobId: string): Promise<RemediationOutcome | 'failed'> => {
    kube.requestLog.clear();
    const job = await raw.add('remediate', data, { jobId });
    for (let i = 0; i < 200; i++) {
      const state = await job.getState();
      if (state === 'completed') return ((await raw.getJob(jobId))?.returnvalue ?? 'failed') as RemediationOutcome;
      if (state === 'failed') return 'failed';
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`job ${jobId} did not finish`);
  };
  const writes = () => kube.requestLog.entries().filter((e) => !['GET', 'HEAD'].includes(e.method) && e.resource !== 'selfsubjectaccessreviews');
  return { proposals, posted, propose, inject: inject_, writes, prefix };
}

const kubeProxy = () => kube.store.get('apps/v1', 'DaemonSet', 'kube-system', 'kube-proxy');
function uncordon(): void {
  const node = kube.store.get('v1', 'Node', undefined, 'node-2');
  if (node === undefined) throw new Error('node-2 missing');
  kube.store.put({ ...node, spec: { ...(node.spec as Record<string, unknown>), unschedulable: false } });
}
const cordoned = () => (kube.store.get('v1', 'Node', undefined, 'node-2') as { spec?: { unschedulable?: boolean } }).spec?.unschedulable === true;

describe('the remediate worker re-checks the proposal before it writes', () => {
  it('a job written straight into Redis for a proposal nobody approved deletes nothing, and names no approver from its data', async () => {
    const t = await setup({ low: [], medium: [], high: ['U0LEAD', 'U0SRE2'] });
    const p = await t.propose(REMOVE, 'high');
    const outcome = await t.inject({ proposalId: p.id, approvedBy: ['U0LEAD', 'U0SRE2'] }, p.id);
    expect(outcome).toBe('refused');
    expect(kubeProxy()).toBeDefined();
    expect(t.writes()).toEqual([]);
    expect(t.posted.join('\n')).toMatch(/not applied — refused when it was about to run: the proposal is not approved \(it is proposed\)/);
    expect(t.posted.join('\n')).not.toMatch(/U0LEAD|U0SRE2/);
    // Left pending: the real approvers can still approve it.
    expect((await t.proposals.find(p.id))?.state).toBe('proposed');
  });

  it('an approval by someone since removed from the approvers no longer counts', async () => {
    const t = await setup({ low: ['U0NEWLEAD'], medium: [], high: [] });
    const p = await t.propose(CORDON, 'low');
    expect((await t.proposals.approve(p.id, 'U0LEAD')).outcome).toBe('complete'); // U0LEAD was an approver then
    expect(await t.inject({ proposalId: p.id, approvedBy: ['U0LEAD'] }, p.id)).toBe('refused');
    expect(cordoned()).toBe(false);
    expect(t.writes()).toEqual([]);
    expect(t.posted.join('\n')).toMatch(/<@U0LEAD> is no longer an approver for low-risk actions \(REMEDIATION_APPROVERS_LOW\)/);
    expect((await t.proposals.find(p.id))?.state).toBe('failed');
  });

  it('an approval through a user group counts only while the approver is still in the group', async () => {
    const member = await setup({ low: [], medium: ['S0SRE'], high: [] }, { groups: { U0LEAD: ['S0SRE'] } });
    const p1 = await member.propose(CORDON, 'medium');
    await member.proposals.approve(p1.id, 'U0LEAD');
    expect(await member.inject({ proposalId: p1.id, approvedBy: ['U0LEAD'] }, p1.id)).toBe('applied');
    expect(cordoned()).toBe(true);
    uncordon();

    const left = await setup({ low: [], medium: ['S0SRE'], high: [] }, { groups: { U0LEAD: [] } });
    const p2 = await left.propose(CORDON, 'medium');
    await left.proposals.approve(p2.id, 'U0LEAD');
    expect(await left.inject({ proposalId: p2.id, approvedBy: ['U0LEAD'] }, p2.id)).toBe('refused');
    expect(cordoned()).toBe(false);
  });

  it('group membership that cannot be read counts as none: refused, with the reason', async () => {
    const t = await setup({ low: [], medium: ['S0SRE'], high: [] }, { groups: {}, groupsFail: true });
    const p = await t.propose(CORDON, 'medium');
    await t.proposals.approve(p.id, 'U0LEAD');
    expect(await t.inject({ proposalId: p.id }, p.id)).toBe('refused');
    expect(cordoned()).toBe(false);
    expect(t.posted.join('\n')).toMatch(/could not read whether <@U0LEAD> is still in S0SRE \(ratelimited\)/);
  });

  it('an approved proposal that expired before the job ran is not applied', async () => {
    const t = await setup({ low: ['U0LEAD'], medium: [], high: [] }, { ttlMs: 400 });
    const p = await t.propose(CORDON, 'low');
    expect((await t.proposals.approve(p.id, 'U0LEAD')).outcome).toBe('complete');
    await new Promise((r) => setTimeout(r, 500));
    expect(await t.inject({ proposalId: p.id, approvedBy: ['U0LEAD'] }, p.id)).toBe('refused');
    expect(cordoned()).toBe(false);
    expect(t.posted.join('\n')).toMatch(/the proposal expired at .*; diagnose again and approve a fresh one/);
  });

  it('a proposal edited in Redis to look approved still needs two distinct approvers, the requester not the second', async () => {
    const t = await setup({ low: [], medium: [], high: ['U0LEAD', 'U0ONCALL'] });
    const forge = async (approvals: string[]): Promise<Proposal> => {
      const p = await t.propose(REMOVE, 'high');
      const at = new Date().toISOString();
      const forged: Proposal = { ...p, state: 'approved', approvals: approvals.map((userId) => ({ userId, at })) };
      await redis.set(`${t.prefix}:proposal:${p.id}`, JSON.stringify(forged), 'KEEPTTL');
      return forged;
    };
    const one = await forge(['U0LEAD']);
    const twice = await forge(['U0LEAD', 'U0LEAD']);
    const requesterSecond = await forge(['U0LEAD', 'U0ONCALL']);
    expect(await t.inject({ proposalId: one.id, approvedBy: ['U0LEAD'] }, one.id)).toBe('refused');
    expect(await t.inject({ proposalId: twice.id, approvedBy: ['U0LEAD'] }, twice.id)).toBe('refused');
    expect(await t.inject({ proposalId: requesterSecond.id, approvedBy: ['U0LEAD'] }, requesterSecond.id)).toBe('refused');
    expect(kubeProxy()).toBeDefined();
    const text = t.posted.join('\n');
    expect(text).toMatch(/it has 1 of the 2 approvals a high-risk action needs/);
    expect(text).toMatch(/the same person is recorded as approving twice/);
    expect(text).toMatch(/<@U0ONCALL> asked for this diagnosis, so cannot be the second approver/);
  });

  it('control: two real approvals run the change once, and the thread names them from the proposal', async () => {
    const t = await setup({ low: [], medium: [], high: ['U0LEAD', 'U0ONCALL'] });
    const p = await t.propose(REMOVE, 'high');
    await t.proposals.approve(p.id, 'U0ONCALL');
    expect((await t.proposals.approve(p.id, 'U0LEAD')).outcome).toBe('complete');
    expect(await t.inject({ proposalId: p.id, approvedBy: ['U0MALLORY'] }, p.id)).toBe('applied');
    expect(kubeProxy()).toBeUndefined();
    expect(t.posted.join('\n')).toMatch(/applied, approved by <@U0ONCALL> and <@U0LEAD>/);
    expect(t.posted.join('\n')).not.toMatch(/MALLORY/);
  });
});
