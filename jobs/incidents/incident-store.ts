// Incidents in Redis, surviving bot restarts. Every write is atomic: ids from INCR, the open-incident claim with
// SET NX, timeline entries appended and numbered in one Lua call, so two workers writing at once lose nothing.
import type { Redis } from 'ioredis';
import {
  IncidentSchema,
  RunSummarySchema,
  TimelineEntrySchema,
  type Incident,
  type IncidentStatus,
  type NewTimelineEntry,
  type RunSummary,
  type TimelineEntry,
} from './incident.ts';

// KEYS[1] = timeline list, KEYS[2] = incident hash; ARGV[1] = entry JSON without seq, ARGV[2] = updatedAt.
// Numbering inside the script keeps seq equal to the list position even under concurrent appends. (The JSON is
// spliced, not re-encoded: cjson would turn an empty links array into an object.)
const APPEND_ENTRY = `
if ARGV[3] ~= '' then
  local done = redis.call('HGET', KEYS[3], ARGV[3])
  if done then return done end
end
local n = redis.call('LLEN', KEYS[1]) + 1
local encoded = '{"seq":' .. n .. ',' .. string.sub(ARGV[1], 2)
redis.call('RPUSH', KEYS[1], encoded)
redis.call('HSET', KEYS[2], 'updatedAt', ARGV[2])
if ARGV[3] ~= '' then redis.call('HSET', KEYS[3], ARGV[3], encoded) end
return encoded
`;

// KEYS[1] incident hash, KEYS[2] runs list, KEYS[3] idempotency hash; ARGV[1] run JSON (run number spliced in),
// ARGV[2] idempotency key or ''. Returns {run JSON, previous run JSON or ''}.
const RECORD_RUN = `
if ARGV[2] ~= '' then
  local done = redis.call('HGET', KEYS[3], ARGV[2])
  if done then return cjson.decode(done) end
end
local previous = redis.call('LINDEX', KEYS[2], -1) or ''
local n = redis.call('HINCRBY', KEYS[1], 'runs', 1)
local encoded = '{"run":' .. n .. ',' .. string.sub(ARGV[1], 2)
redis.call('RPUSH', KEYS[2], encoded)
local result = {encoded, previous}
if ARGV[2] ~= '' then redis.call('HSET', KEYS[3], ARGV[2], cjson.encode(result)) end
return result
`;

export class IncidentNotFoundError extends Error {
  constructor(readonly id: string) {
    super(`There is no incident ${id}. \`/cilium incidents\` lists the open ones.`);
  }
}

export interface OpenResult {
  incident: Incident;
  /** False when an open incident for the same cluster+node already existed and was reused. */
  created: boolean;
}

export class IncidentStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private key(...parts: string[]): string {
    return [this.prefix, 'incident', ...parts].join(':');
  }

  /** The open incident for cluster+node, or null: a diagnosis opens one only when it finds something. */
  async findOpen(cluster: string, node: string): Promise<Incident | null> {
    const id = await this.redis.get(this.key('open', cluster, node));
    const incident = id === null ? null : await this.find(id);
    return incident !== null && incident.status !== 'resolved' ? incident : null;
  }

  /** The open incident for cluster+node, or a new one (claimed atomically: concurrent callers get the same one). */
  async openOrReuse(input: { cluster: string; node: string; channelId: string; openedBy: string }): Promise<OpenResult> {
    const claimKey = this.key('open', input.cluster, input.node);
    const existing = await this.redis.get(claimKey);
    if (existing !== null) {
      const incident = await this.find(existing);
      if (incident !== null && incident.status !== 'resolved') return { incident, created: false };
    }
    const id = `INC-${await this.redis.incr(this.key('seq'))}`;
    const at = this.now().toISOString();
    const incident: Incident = {
      id,
      cluster: input.cluster,
      node: input.node,
      channelId: input.channelId,
      threadTs: '',
      status: 'investigating',
      openedBy: input.openedBy,
      openedAt: at,
      updatedAt: at,
      topFinding: '',
      severity: 'unknown',
      runs: 0,
    };
    await this.redis.hset(this.key(id), toHash(incident));
    // Claim; a stale claim (resolved incident) is replaced, a live one wins over us.
    const claimed =
      existing === null
        ? await this.redis.set(claimKey, id, 'NX')
        : ((await this.redis.eval("if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('SET', KEYS[1], ARGV[2]) return 'OK' end return nil", 1, claimKey, existing, id)) as string | null);
    if (claimed !== 'OK') {
      await this.redis.del(this.key(id));
      const winner = await this.redis.get(claimKey);
      const incident2 = winner === null ? null : await this.find(winner);
      if (incident2 === null) throw new Error(`lost the race to open an incident for ${input.node} and cannot read the winner`);
      return { incident: incident2, created: false };
    }
    await this.redis.sadd(this.key('open-set'), id);
    return { incident, created: true };
  }

  async find(id: string): Promise<Incident | null> {
    const hash = await this.redis.hgetall(this.key(id));
    if (Object.keys(hash).length === 0) return null;
    return IncidentSchema.parse({ ...hash, runs: Number(hash.runs ?? 0) });
  }

  async get(id: string): Promise<Incident> {
    const incident = await this.find(id);
    if (incident === null) throw new IncidentNotFoundError(id);
    return incident;
  }

  async update(id: string, change: Partial<Pick<Incident, 'threadTs' | 'topFinding' | 'severity' | 'status'>>): Promise<Incident> {
    await this.get(id);
    await this.redis.hset(this.key(id), { ...change, updatedAt: this.now().toISOString() });
    if (change.status === 'resolved') {
      const incident = await this.get(id);
      await this.redis.srem(this.key('open-set'), id);
      // Release the claim only if it is still ours, so a newer incident for the node is untouched.
      await this.redis.eval("if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0", 1, this.key('open', incident.cluster, incident.node), id);
    }
    return this.get(id);
  }

  async setStatus(id: string, status: IncidentStatus): Promise<Incident> {
    return this.update(id, { status });
  }

  /**
   * Appends an entry. With an idempotency key (e.g. the job id and step), a retried step gets the entry it already
   * appended instead of a second one: a worker killed and restarted leaves no duplicate in the timeline.
   */
  async append(id: string, entry: NewTimelineEntry, idempotencyKey = ''): Promise<TimelineEntry> {
    const at = entry.at ?? this.now().toISOString();
    const body = { at, actor: entry.actor, kind: entry.kind, text: entry.text, links: entry.links ?? [] };
    // Validate with the schema reads use: a bad entry written once would break every later read of the timeline.
    TimelineEntrySchema.parse({ ...body, seq: 1 });
    const encoded = (await this.redis.eval(APPEND_ENTRY, 3, this.key(id, 'timeline'), this.key(id), this.key(id, 'idem'), JSON.stringify(body), at, idempotencyKey)) as string;
    return TimelineEntrySchema.parse(JSON.parse(encoded));
  }

  /** Whether an entry was appended with this idempotency key (a step an earlier attempt of a job got to). */
  async hasEntry(id: string, idempotencyKey: string): Promise<boolean> {
    return (await this.redis.hexists(this.key(id, 'idem'), idempotencyKey)) === 1;
  }

  async timeline(id: string): Promise<TimelineEntry[]> {
    const raw = await this.redis.lrange(this.key(id, 'timeline'), 0, -1);
    return raw.map((r) => TimelineEntrySchema.parse(JSON.parse(r)));
  }

  /** Records a diagnosis run; returns it with its number and the previous run (for the diff), if any. */
  async recordRun(id: string, run: Omit<RunSummary, 'run'>, idempotencyKey = ''): Promise<{ run: RunSummary; previous: RunSummary | null }> {
    const [encoded, previousRaw] = (await this.redis.eval(RECORD_RUN, 3, this.key(id), this.key(id, 'runs'), this.key(id, 'idem'), JSON.stringify(run), idempotencyKey)) as [string, string];
    return {
      run: RunSummarySchema.parse(JSON.parse(encoded)),
      previous: previousRaw === '' ? null : RunSummarySchema.parse(JSON.parse(previousRaw)),
    };
  }

  async runs(id: string): Promise<RunSummary[]> {
    return (await this.redis.lrange(this.key(id, 'runs'), 0, -1)).map((r) => RunSummarySchema.parse(JSON.parse(r)));
  }

  async listOpen(): Promise<Incident[]> {
    const ids = await this.redis.smembers(this.key('open-set'));
    const incidents = await Promise.all(ids.map((id) => this.find(id)));
    return incidents.filter((i): i is Incident => i !== null && i.status !== 'resolved').sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
  }
}

function toHash(i: Incident): Record<string, string> {
  return Object.fromEntries(Object.entries(i).map(([k, v]) => [k, String(v)]));
}
