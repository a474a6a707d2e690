// Hostile remediation clicks. Part 1: 10,000 generated block_actions through the REAL click handler
// (registerRemediationHandler) with in-memory stores: every click is refused with an ephemeral reason and recorded
// (timeline entry or warning), nothing is approved or queued. Part 2: 320 through the real bot over signed HTTP after
// two real diagnoses with buttons: the same, and the Kubernetes emulator's request log shows no write. Part 3:
// unknown Socket Mode envelope types through the real Socket Mode client.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import type { App } from '@slack/bolt';
import { afterAll, describe, expect, it } from 'vitest';
import { registerRemediationHandler } from '../../bot/remediation-handler.ts';
import { socketModeClientOf } from '../../bot/slack-app.ts';
import type { IncidentStore } from '../../jobs/incidents/incident-store.ts';
import type { Incident, TimelineEntry } from '../../jobs/incidents/incident.ts';
import { ProposalSchema, approvalsNeeded, type Proposal } from '../../jobs/remediation/proposal.ts';
import { ProposalStore, type ApproveOutcome } from '../../jobs/remediation/proposal-store.ts';
import { resolveScenario } from '../../sandbox/scenario/index.ts';
import { DEMO_CHANNEL } from '../../sandbox/sandbox-stack.ts';
import { clicks, type Click, type KnownProposal, type World } from './clicks.ts';
import { fuzzStack, postSignedRaw, rejectionCounter, type FuzzStack, type LogRecord } from './stack.ts';

const APPROVERS = { low: ['U0ONCALL'], medium: ['U0LEAD', 'U0ONCALL'], high: ['S0SRE'] };
const NON_APPROVERS = ['U0VIEWER', 'U0NOBODY1', 'W0GUEST01'];
const REFUSAL = /Nothing was done|not valid|unknown or long expired|expired at|Refused|belongs to|already approved|no longer exists|already approved/;

/** What a click must leave behind, checked against log and timeline deltas. */
function checkRecorded(c: Click, newLogs: LogRecord[], newEntries: Array<{ incidentId: string; entry: Pick<TimelineEntry, 'kind' | 'text'> }>): void {
  const logged = (re: RegExp) => newLogs.some((l) => l.level === 40 && re.test(l.msg));
  const entry = (re: RegExp) => newEntries.some((e) => e.incidentId === c.incidentId && e.entry.kind === 'remediation' && re.test(e.entry.text));
  const what = `${c.category}: ${JSON.stringify(c.payload.actions)}`;
  switch (c.expect) {
    case 'log:tampered': expect(logged(/tampered/), what).toBe(true); break;
    case 'log:unknown': expect(logged(/unknown remediation proposal/), what).toBe(true); break;
    case 'log:replay': expect(logged(/replayed/), what).toBe(true); break;
    case 'timeline:thread': expect(entry(/outside its thread; refused/), what).toBe(true); break;
    case 'timeline:refused': expect(entry(/refused: .* is not an approver/), what).toBe(true); break;
    case 'timeline:expired': expect(entry(/refused: the proposal expired/), what).toBe(true); break;
    case 'timeline:refused-or-expired': expect(entry(/refused/), what).toBe(true); break;
  }
}

describe('the remediation click handler with in-memory stores', () => {
  it('10,000 hostile clicks: each refused with a reason and recorded; nothing approved or queued', async () => {
    const now = Date.now();
    const iso = (ms: number) => new Date(ms).toISOString();
    const incidents = new Map<string, Incident>();
    const timeline: Array<{ incidentId: string; entry: TimelineEntry }> = [];
    for (const [id, ts] of [['INC-1', '1700000000.000100'], ['INC-2', '1700000000.000200'], ['INC-3', '1700000000.000300']] as const) {
      incidents.set(id, { id, cluster: 'sandbox', node: `node-${id}`, channelId: DEMO_CHANNEL.id, threadTs: ts, status: 'investigating', openedBy: 'U0REQUESTER', openedAt: iso(now), updatedAt: iso(now), topFinding: '', severity: 'critical', runs: 1 });
    }
    const proposals = new Map<string, Proposal>();
    const mk = (n: number, incidentId: string, risk: Proposal['risk'], expiresAt: number, state: Proposal['state']): KnownProposal => {
      const id = `p-${n.toString(16).padStart(24, '0')}`;
      proposals.set(id, ProposalSchema.parse({ id, incidentId, cluster: 'sandbox', node: 'node-1', action: 'cordon-node', params: { node: 'node-1' }, risk, reason: 'r', runbookId: 'kernel-too-old', requestedBy: 'U0REQUESTER', createdAt: iso(now - 1000), expiresAt: iso(expiresAt), approvals: state === 'proposed' ? [] : [{ userId: 'U0LEAD', at: iso(now - 500) }], state }));
      const inc = incidents.get(incidentId) as Incident;
      return { id, incidentId, channelId: inc.channelId, threadTs: inc.threadTs };
    };
    const world: World = {
      live: [mk(1, 'INC-1', 'low', now + 3.6e6, 'proposed'), mk(2, 'INC-1', 'high', now + 3.6e6, 'proposed'), mk(3, 'INC-2', 'medium', now + 3.6e6, 'proposed')],
      expired: [mk(4, 'INC-2', 'low', now - 1000, 'proposed'), mk(5, 'INC-3', 'high', now - 1000, 'proposed')],
      closed: [mk(6, 'INC-3', 'low', now + 3.6e6, 'done'), mk(7, 'INC-1', 'high', now + 3.6e6, 'running')],
      approvers: ['U0ONCALL', 'U0LEAD'],
      nonApprovers: NON_APPROVERS,
      channels: [DEMO_CHANNEL.id, 'C0OTHER', 'D0DIRECT', ''],
    };
    const outcomes: ApproveOutcome[] = [];
    const proposalStore = {
      find: (id: string) => Promise.resolve(proposals.get(id) ?? null),
      approve: (id: string, userId: string) => {
        // The Lua script's decisions, without writing: the fuzz must never reach ok/complete.
        const p = proposals.get(id);
        const outcome: ApproveOutcome = p === undefined ? 'missing' : p.state !== 'proposed' ? 'closed' : p.expiresAt < new Date().toISOString() ? 'expired' : p.approvals.some((a) => a.userId === userId) ? 'duplicate' : p.approvals.length + 1 >= approvalsNeeded(p.risk) ? 'complete' : 'ok';
        outcomes.push(outcome);
        return Promise.resolve({ outcome, proposal: p ?? null });
      },
    } as unknown as ProposalStore;
    const incidentStore = {
      get: (id: string) => Promise.resolve(incidents.get(id) as Incident),
      append: (incidentId: string, e: Pick<TimelineEntry, 'actor' | 'kind' | 'text'>) => {
        const entry = { ...e, seq: timeline.length + 1, at: new Date().toISOString(), links: [] };
        timeline.push({ incidentId, entry });
        return Promise.resolve(entry);
      },
      timeline: (id: string) => Promise.resolve(timeline.filter((t) => t.incidentId === id).map((t) => t.entry)),
    } as unknown as IncidentStore;
    const enqueued: unknown[] = [];
    const logs: LogRecord[] = [];
    const logger = pino({ level: 'info' }, { write: (l: string) => void logs.push(JSON.parse(l) as LogRecord) });
    const client = {
      chat: { postMessage: () => Promise.resolve({ ok: true, ts: '1.1' }), update: () => Promise.resolve({ ok: true }) },
      usergroups: { users: { list: ({ usergroup }: { usergroup: string }) => Promise.resolve({ ok: true, users: usergroup === 'S0SRE' ? ['U0ONCALL', 'U0LEAD'] : [] }) } },
    };
    let listener: ((args: Record<string, unknown>) => Promise<void>) | undefined;
    const app = { action: (_id: unknown, fn: typeof listener) => void (listener = fn) } as unknown as App;
    registerRemediationHandler(app, { enabled: true, approvers: APPROVERS, proposals: proposalStore, incidents: incidentStore, queue: { enqueue: (j) => Promise.resolve(enqueued.push(j) > 0) }, logger });
    const handle = listener as NonNullable<typeof listener>;

    let n = 0;
    await fc.assert(
      fc.asyncProperty(clicks(world), async (c) => {
        n++;
        const logsBefore = logs.length;
        const entriesBefore = timeline.length;
        const replies: Array<{ response_type?: string; text?: string }> = [];
        const body = c.payload;
        await handle({ ack: () => Promise.resolve(), body, action: (body.actions as unknown[])[0], client, respond: (r: (typeof replies)[0]) => Promise.resolve(void replies.push(r)) });
        expect(replies.length, c.category).toBeGreaterThanOrEqual(1);
        expect(replies[0]?.response_type).toBe('ephemeral');
        expect(replies[0]?.text, c.category).toMatch(REFUSAL);
        checkRecorded(c, logs.slice(logsBefore), timeline.slice(entriesBefore));
      }),
      { numRuns: 10_000 },
    );
    expect(n).toBe(10_000);
    expect(enqueued).toEqual([]);
    expect(outcomes.filter((o) => o === 'ok' || o === 'complete')).toEqual([]);
    expect(logs.filter((l) => l.level >= 50).map((l) => l.msg)).toEqual([]);
  });
});

/** Stands in for Slack's response_url endpoints of forged payloads: records each reply by path. */
async function responseSink(): Promise<{ url: string; replies: Map<string, unknown[]>; server: Server }> {
  const replies = new Map<string, unknown[]>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const list = replies.get(req.url ?? '') ?? [];
      list.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown);
      replies.set(req.url ?? '', list);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, replies, server };
}

function buttonValues(s: FuzzStack, threadTs: string): string[] {
  return s.slack.thread(DEMO_CHANNEL.id, threadTs).flatMap((m) =>
    (m.blocks as Array<{ type: string; elements?: Array<{ type: string; value?: string }> }>).filter((b) => b.type === 'actions').flatMap((b) => (b.elements ?? []).flatMap((e) => (e.value === undefined ? [] : [e.value]))));
}

describe('the real bot over signed HTTP', () => {
  const cleanup: Array<() => Promise<unknown>> = [];
  afterAll(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  it('320 hostile clicks after two real diagnoses: all refused and recorded, no write reaches Kubernetes, no proposal changes', async () => {
    const rejections = rejectionCounter();
    cleanup.push(() => Promise.resolve(rejections.dispose()));
    const s = await fuzzStack(resolveScenario('kernel-too-old'), {
      mode: 'http',
      config: (c) => ({ ...c, remediation: { enabled: true, approvers: APPROVERS, proposalTtlMs: 30 * 60_000 } }),
    });
    cleanup.push(() => s.stop());
    const sink = await responseSink();
    cleanup.push(() => new Promise((r) => sink.server.close(r)));
    const bot = s.bot as NonNullable<FuzzStack['bot']>;

    for (const node of ['node-legacy-01', 'node-legacy-02']) {
      await s.slack.slashCommand({ text: `diagnose ${node}`, userId: 'U0ONCALL', channelId: DEMO_CHANNEL.id, command: '/cilium', via: 'http' });
    }
    await s.slack.waitFor(() => s.slack.messages(DEMO_CHANNEL.id).length === 2 && s.slack.messages(DEMO_CHANNEL.id).every((m) => buttonValues(s, m.ts).length > 0), { timeoutMs: 25_000, description: 'two reports with buttons' });
    const open = await bot.incidents.listOpen();
    const live: KnownProposal[] = open.flatMap((i) => buttonValues(s, i.threadTs).map((id) => ({ id, incidentId: i.id, channelId: i.channelId, threadTs: i.threadTs })));
    expect(new Set(live.map((p) => p.incidentId)).size).toBe(2);

    // Expired and already-run proposals of the same incidents, written through the real store.
    const redis = new Redis(s.config.redisUrl);
    cleanup.push(() => Promise.resolve(redis.disconnect()));
    const template = (await bot.proposals.find(live[0]?.id ?? '')) as Proposal;
    const { id: _id, createdAt: _c, expiresAt: _e, approvals: _a, state: _s, ...input } = template;
    const past = new ProposalStore(redis, s.config.queuePrefix, 1000, () => new Date(Date.now() - 3_600_000));
    const current = new ProposalStore(redis, s.config.queuePrefix, 60_000);
    const asKnown = (p: Proposal): KnownProposal => ({ id: p.id, incidentId: p.incidentId, channelId: DEMO_CHANNEL.id, threadTs: open.find((i) => i.id === p.incidentId)?.threadTs ?? '' });
    const expired = [asKnown(await past.create(input)), asKnown(await past.create({ ...input, risk: 'high' }))];
    const closed: KnownProposal[] = [];
    for (const state of ['done', 'running'] as const) {
      const p = await current.create(input);
      await current.setState(p.id, state);
      closed.push(asKnown(p));
    }
    const world: World = { live, expired, closed, approvers: ['U0ONCALL', 'U0LEAD'], nonApprovers: NON_APPROVERS, channels: [DEMO_CHANNEL.id, 'C0OTHER', 'D0DIRECT'] };
    const snapshot = async () => Promise.all([...live, ...expired, ...closed].map(async (p) => JSON.stringify(await bot.proposals.find(p.id))));
    const before = await snapshot();
    const timelines = async () => Promise.all(open.map(async (i) => (await bot.incidents.timeline(i.id)).map((entry) => ({ incidentId: i.id, entry }))));
    const lengthsBefore = (await timelines()).map((t) => t.length);
    s.kube.requestLog.clear();
    const logsBefore = s.logs.length;

    const sample = fc.sample(clicks(world), { numRuns: 320, seed: 42 });
    const cats = new Map<string, number>();
    for (let i = 0; i < sample.length; i += 8) {
      await Promise.all(sample.slice(i, i + 8).map(async (c, j) => {
        cats.set(c.category, (cats.get(c.category) ?? 0) + 1);
        const body = `payload=${encodeURIComponent(JSON.stringify({ ...c.payload, response_url: `${sink.url}/r/${i + j}` }))}`;
        const res = await postSignedRaw(s.eventsUrl, body, { secret: s.slack.signingSecret });
        expect(res.status, c.category).toBe(200);
      }));
    }
    // Clicks are acknowledged first and handled after: wait for every ephemeral answer.
    await s.slack.waitFor(() => sink.replies.size === sample.length || undefined, { timeoutMs: 20_000, description: 'an answer to every click' });
    sample.forEach((c, i) => {
      const first = sink.replies.get(`/r/${i}`)?.[0] as { response_type?: string; text?: string; replace_original?: boolean };
      expect(first.response_type, c.category).toBe('ephemeral');
      expect(first.replace_original, c.category).toBe(false);
      expect(first.text, c.category).toMatch(REFUSAL);
    });
    // Recorded: one warning or timeline entry per click of each kind.
    const newLogs = s.logs.slice(logsBefore);
    const newEntries = (await timelines()).flatMap((t, i) => t.slice(lengthsBefore[i]));
    const count = (e: Click['expect']) => sample.filter((c) => c.expect === e).length;
    expect(newLogs.filter((l) => /tampered/.test(l.msg)).length).toBe(count('log:tampered'));
    expect(newLogs.filter((l) => /unknown remediation proposal/.test(l.msg)).length).toBe(count('log:unknown'));
    expect(newLogs.filter((l) => /replayed/.test(l.msg)).length).toBe(count('log:replay'));
    for (const c of sample.filter((x) => x.expect.startsWith('timeline:'))) checkRecorded(c, [], newEntries);
    expect(newEntries.filter((e) => e.entry.kind === 'remediation').length).toBe(sample.filter((c) => c.expect.startsWith('timeline:')).length);
    // Nothing changed: no write reached the Kubernetes API, no proposal moved, nothing queued.
    expect(s.kube.requestLog.entries().filter((e) => !['GET', 'HEAD'].includes(e.method) && e.resource !== 'selfsubjectaccessreviews')).toEqual([]);
    expect(await snapshot()).toEqual(before);
    expect(await bot.remediateQueue.queue.getJobCountByTypes('waiting', 'active', 'completed', 'failed', 'delayed')).toBe(0);
    expect(s.logs.filter((l) => l.level >= 50).map((l) => l.msg)).toEqual([]);
    expect(rejections.reasons).toEqual([]);
    expect(cats.size).toBeGreaterThanOrEqual(9);
  });
});

describe('Socket Mode', () => {
  const cleanup: Array<() => Promise<unknown>> = [];
  afterAll(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  it('unknown and malformed envelopes are ignored; tampered clicks through the emulator are refused; the connection keeps working', async () => {
    const rejections = rejectionCounter();
    cleanup.push(() => Promise.resolve(rejections.dispose()));
    const s = await fuzzStack(resolveScenario('kernel-too-old'), {
      mode: 'socket',
      config: (c) => ({ ...c, remediation: { enabled: true, approvers: APPROVERS, proposalTtlMs: 30 * 60_000 } }),
    });
    cleanup.push(() => s.stop());
    const bot = s.bot as NonNullable<FuzzStack['bot']>;
    const client = socketModeClientOf(bot.app);
    expect(client).toBeDefined();
    // The emulator's Socket Mode server only sends slash_commands, interactive and events_api envelopes and does not
    // expose its sockets, so other frames are fed to the REAL SocketModeClient at its WebSocket boundary
    // ('ws_message' is what its SlackWebSocket emits for every text frame).
    const frames = [
      { type: 'brand_new_envelope_type', envelope_id: 'e1', payload: { anything: true }, accepts_response_payload: false },
      { type: 'workflow_step_execute', envelope_id: 'e2', payload: {} },
      { type: 'interactive', envelope_id: 'e3', payload: { type: 'unknown_interaction', user: { id: 'U0LEAD' } } },
      { type: 'interactive', envelope_id: 'e4', payload: { type: 'block_actions', user: { id: 'U0LEAD' }, actions: [] } },
      { type: 'slash_commands', envelope_id: 'e5', payload: { command: '/not-ours', text: 'diagnose node-legacy-01', user_id: 'U0LEAD', channel_id: DEMO_CHANNEL.id } },
      { type: 'events_api', envelope_id: 'e6', payload: { type: 'event_callback', event: { type: 'app_home_opened', user: 'U0LEAD' } } },
      { envelope_id: 'e7' },
      { type: 42, envelope_id: 'e8', payload: null },
    ];
    for (const f of frames) (client as NonNullable<typeof client>).emit('ws_message', Buffer.from(JSON.stringify(f)), false);
    for (const raw of ['not json', '', '{"type":', '[]', '"hello"', '17', '\u0000\uffff']) (client as NonNullable<typeof client>).emit('ws_message', Buffer.from(raw), false);

    // A real diagnosis over the same connection still works, and its buttons refuse tampered values.
    await s.slack.slashCommand({ text: 'diagnose node-legacy-01', userId: 'U0ONCALL', channelId: DEMO_CHANNEL.id, command: '/cilium', via: 'socket' });
    const root = await s.slack.waitFor(() => s.slack.messages(DEMO_CHANNEL.id)[0], { timeoutMs: 10_000 });
    await s.slack.waitFor(() => buttonValues(s, root.ts).length > 0 || undefined, { timeoutMs: 25_000, description: 'buttons' });
    const withButtons = s.slack.thread(DEMO_CHANNEL.id, root.ts).find((m) => (m.blocks as Array<{ type: string }>).some((b) => b.type === 'actions'));
    const actionIds = (withButtons?.blocks as Array<{ type: string; elements?: Array<{ action_id?: string }> }>).filter((b) => b.type === 'actions').flatMap((b) => (b.elements ?? []).map((e) => e.action_id ?? ''));
    s.kube.requestLog.clear();
    const values = fc.sample(fc.oneof(fc.string({ maxLength: 30 }), fc.stringMatching(/^p-[a-f0-9]{24}$/), fc.constantFrom(...buttonValues(s, root.ts))), { numRuns: 40, seed: 5 });
    let sent = 0;
    for (const [i, value] of values.entries()) {
      const actionId = actionIds[i % actionIds.length] ?? '';
      if (actionId === `remediate:${value}`) continue; // that would be the untampered button
      const res = await s.slack.clickButton({ channelId: DEMO_CHANNEL.id, messageTs: withButtons?.ts ?? '', actionId, userId: 'U0LEAD', via: 'socket', confirmed: true, value });
      expect(res.status).toBe(200);
      const reply = await s.slack.waitFor(() => s.slack.responseUrlPosts(res.responseUrl)[0], { timeoutMs: 5_000 });
      expect(JSON.stringify(reply.body)).toMatch(/not valid|unknown or long expired/);
      sent++;
    }
    expect(sent).toBeGreaterThan(30);
    expect(s.kube.requestLog.entries().filter((e) => !['GET', 'HEAD'].includes(e.method) && e.resource !== 'selfsubjectaccessreviews')).toEqual([]);
    expect(s.slack.socketConnections()).toBe(1);
    expect(await s.bot?.queue.queue.getJobCountByTypes('waiting', 'active', 'completed', 'failed')).toBe(1);
    // Envelopes without a payload make Bolt log "An unhandled error occurred while Bolt processed (type: undefined…)"
    // from its own processEvent (caught by Bolt, nothing runs); anything else at error level is a failure.
    const errors = s.logs.filter((l) => l.level >= 50).map((l) => l.msg);
    expect(errors.filter((m) => !/^An unhandled error occurred while Bolt processed \(type: undefined, error: TypeError: Cannot read properties of (undefined|null) \(reading 'event'\)\)$/.test(m))).toEqual([]);
    expect(rejections.reasons).toEqual([]);
  });
});

describe('Socket Mode: frames the client library cannot handle', () => {
  // @slack/socket-mode 2.x reads `event.type` of whatever JSON.parse returned, inside an async listener nobody awaits:
  // a text frame `null` (or `{"type":"events_api"}` without payload.event) would reject unhandled and, on Node 20, end
  // the process. bot/slack-app.ts wraps that listener; the bot logs the frame and keeps serving.
  it('a literal null frame, or an events_api envelope without its event, causes no unhandled rejection', async () => {
    const rejections = rejectionCounter();
    const s = await fuzzStack(resolveScenario('healthy'), { mode: 'socket' });
    try {
      const client = socketModeClientOf((s.bot as NonNullable<FuzzStack['bot']>).app);
      client?.emit('ws_message', Buffer.from('null'), false);
      client?.emit('ws_message', Buffer.from('{"type":"events_api","envelope_id":"e-1"}'), false);
      await new Promise((r) => setTimeout(r, 200));
      expect(rejections.reasons).toEqual([]);
      expect(s.logs.filter((l) => l.msg === 'ignored a Socket Mode frame the client could not handle')).toHaveLength(2);
      // Still serving.
      const res = await s.slack.slashCommand({ text: 'help', userId: 'U0ONCALL', channelId: DEMO_CHANNEL.id, command: '/cilium', via: 'socket' });
      expect(JSON.stringify(res)).toContain('diagnose');
    } finally {
      rejections.dispose();
      await s.stop();
    }
  });
});
