// Proposals in Redis. Approving is one Lua call (check state, expiry, duplicate approver, append), so two clicks
// at once can neither both count nor both be lost.
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { ProposalSchema, approvalsNeeded, type Proposal, type ProposalState } from './proposal.ts';

// KEYS[1] proposal key; ARGV[1] userId, ARGV[2] now ISO, ARGV[3] needed approvals.
// Returns {status, json}: status is ok | complete | duplicate | expired | closed | missing.
const APPROVE = `
local raw = redis.call('GET', KEYS[1])
if not raw then return {'missing', ''} end
local p = cjson.decode(raw)
if p['state'] ~= 'proposed' then return {'closed', raw} end
if p['expiresAt'] < ARGV[2] then return {'expired', raw} end
for _, a in ipairs(p['approvals']) do
  if a['userId'] == ARGV[1] then return {'duplicate', raw} end
end
table.insert(p['approvals'], {userId = ARGV[1], at = ARGV[2]})
local status = 'ok'
if #p['approvals'] >= tonumber(ARGV[3]) then p['state'] = 'approved'; status = 'complete' end
local encoded = cjson.encode(p)
redis.call('SET', KEYS[1], encoded, 'KEEPTTL')
return {status, encoded}
`;

export type ApproveOutcome = 'ok' | 'complete' | 'duplicate' | 'expired' | 'closed' | 'missing';

export class ProposalStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly ttlMs: number,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private key(id: string): string {
    return `${this.prefix}:proposal:${id}`;
  }

  async create(input: Omit<Proposal, 'id' | 'createdAt' | 'expiresAt' | 'approvals' | 'state'>): Promise<Proposal> {
    const now = this.now();
    const proposal = ProposalSchema.parse({
      ...input,
      id: `p-${randomBytes(12).toString('hex')}`,
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + this.ttlMs).toISOString(),
      approvals: [],
      state: 'proposed',
    });
    // Kept a day past expiry so a late click is answered "expired", not "unknown".
    await this.redis.set(this.key(proposal.id), JSON.stringify(proposal), 'PX', this.ttlMs + 24 * 3600 * 1000);
    return proposal;
  }

  async find(id: string): Promise<Proposal | null> {
    const raw = await this.redis.get(this.key(id));
    return raw === null ? null : parse(raw);
  }

  async approve(id: string, userId: string): Promise<{ outcome: ApproveOutcome; proposal: Proposal | null }> {
    const probe = await this.find(id);
    if (probe === null) return { outcome: 'missing', proposal: null };
    const [outcome, raw] = (await this.redis.eval(APPROVE, 1, this.key(id), userId, this.now().toISOString(), String(approvalsNeeded(probe.risk)))) as [ApproveOutcome, string];
    return { outcome, proposal: raw === '' ? null : parse(raw) };
  }

  /** Buttons created for a job step, so a retried job posts the same proposals (see diagnose-worker). */
  async findByKey<T>(key: string): Promise<T | null> {
    const raw = await this.redis.get(`${this.prefix}:proposals-by-step:${key}`);
    return raw === null ? null : (JSON.parse(raw) as T);
  }

  async rememberByKey(key: string, value: unknown): Promise<void> {
    await this.redis.set(`${this.prefix}:proposals-by-step:${key}`, JSON.stringify(value), 'PX', this.ttlMs + 24 * 3600 * 1000);
  }

  /**
   * One attempt at a time per proposal. BullMQ can hand a job to a second worker while the first still runs (its
   * lock lapsed under load); the second waits here, then finds the state the first left. The TTL frees the lock
   * of an attempt whose worker died.
   */
  async withApplyLock<T>(id: string, ttlMs: number, run: () => Promise<T>): Promise<T> {
    const key = `${this.prefix}:proposal-lock:${id}`;
    const token = randomBytes(12).toString('hex');
    const deadline = Date.now() + ttlMs * 3;
    while ((await this.redis.set(key, token, 'PX', ttlMs, 'NX')) !== 'OK') {
      if (Date.now() > deadline) throw new Error(`proposal ${id} stayed locked by another attempt for ${ttlMs * 3} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
    try {
      return await run();
    } finally {
      await this.redis.eval("if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0", 1, key, token);
    }
  }

  async setState(id: string, state: ProposalState): Promise<void> {
    const p = await this.find(id);
    if (p === null) return;
    await this.redis.set(this.key(id), JSON.stringify({ ...p, state }), 'KEEPTTL');
  }
}

function parse(raw: string): Proposal {
  const value = JSON.parse(raw) as Record<string, unknown>;
  // cjson encodes an empty array as {}: normalise before validating.
  if (value.approvals !== null && typeof value.approvals === 'object' && !Array.isArray(value.approvals)) value.approvals = [];
  if (value.params !== null && Array.isArray(value.params)) value.params = {};
  return ProposalSchema.parse(value);
}
