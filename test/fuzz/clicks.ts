// Generated block_actions payloads for remediation buttons that must all be refused: random and forged ids, ids whose
// action_id does not match, other incidents' buttons, expired and already-used proposals, non-approvers, broken
// shapes. Each carries what the handler must leave behind ("recorded" = a timeline entry or a warning in the log).
import fc from 'fast-check';

export interface KnownProposal {
  id: string;
  incidentId: string;
  channelId: string;
  threadTs: string;
}

export interface World {
  /** Live proposals: clicked only by non-approvers or from the wrong place. */
  live: KnownProposal[];
  expired: KnownProposal[];
  /** Already approved and run: a click is a replay. */
  closed: KnownProposal[];
  approvers: string[];
  nonApprovers: string[];
  channels: string[];
}

export type Expect = 'log:tampered' | 'log:unknown' | 'log:replay' | 'timeline:thread' | 'timeline:refused' | 'timeline:expired' | 'timeline:refused-or-expired';

export interface Click {
  category: string;
  expect: Expect;
  /** The incident whose timeline must hold the record (timeline:* only). */
  incidentId?: string;
  payload: Record<string, unknown>;
}

const hex24 = fc.stringMatching(/^[a-f0-9]{24}$/);
const junk = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 40 }), fc.constantFrom('', ' ', 'p-', 'P-000000000000000000000000', 'p-00000000000000000000000g', 'p-0000000000000000000000000', '../../etc/passwd', '{"id":1}', 'null', '<@U0LEAD>'));
const ts = fc.tuple(fc.integer({ min: 1_600_000_000, max: 1_900_000_000 }), fc.integer({ min: 0, max: 999_999 })).map(([s, u]) => `${s}.${String(u).padStart(6, '0')}`);

function payload(o: { actionId: string; value: unknown; userId: string; channelId: string | undefined; threadTs: string | undefined; messageTs: string }): Record<string, unknown> {
  return {
    type: 'block_actions',
    user: { id: o.userId, username: 'someone', name: 'someone', team_id: 'T0CILIUM1' },
    api_app_id: 'A0RUNBOOK1',
    token: 'sandbox-verification-token',
    container: { type: 'message', message_ts: o.messageTs, ...(o.channelId !== undefined && { channel_id: o.channelId }), is_ephemeral: false, ...(o.threadTs !== undefined && { thread_ts: o.threadTs }) },
    trigger_id: '1.2.3',
    team: { id: 'T0CILIUM1', domain: 'cilium-sandbox' },
    enterprise: null,
    is_enterprise_install: false,
    ...(o.channelId !== undefined && { channel: { id: o.channelId, name: 'incidents' } }),
    message: { type: 'message', ts: o.messageTs, text: 'report', ...(o.threadTs !== undefined && { thread_ts: o.threadTs }) },
    state: { values: {} },
    response_url: 'RESPONSE_URL',
    actions: [{ type: 'button', action_id: o.actionId, block_id: 'b1', ...(o.value !== undefined && { value: o.value }), text: { type: 'plain_text', text: 'Cordon' }, action_ts: '1.000001' }],
  };
}

export function clicks(w: World): fc.Arbitrary<Click> {
  const all = [...w.live, ...w.expired, ...w.closed];
  const anyUser = fc.constantFrom(...w.approvers, ...w.nonApprovers);
  const nonApprover = fc.constantFrom(...w.nonApprovers);
  const approver = fc.constantFrom(...w.approvers);
  const place = (p: KnownProposal) => ({ channelId: p.channelId, threadTs: p.threadTs });
  const known = (list: KnownProposal[]) => fc.constantFrom(...list);
  const wrongPlace = (p: KnownProposal) =>
    fc.oneof(
      known(all).filter((q) => q.incidentId !== p.incidentId).map(place),
      fc.tuple(fc.constantFrom(...w.channels), ts).map(([channelId, threadTs]) => ({ channelId, threadTs })),
      fc.constant({ channelId: p.channelId, threadTs: undefined }),
      fc.constant({ channelId: undefined, threadTs: p.threadTs }),
      ts.map((threadTs) => ({ channelId: p.channelId, threadTs })),
    ).filter((x) => x.channelId !== p.channelId || x.threadTs !== p.threadTs);

  const arbs: Array<fc.Arbitrary<Click>> = [
    // Random values and action ids under the remediate: prefix.
    fc.record({ a: junk, v: fc.option(junk, { nil: undefined }), u: anyUser, c: fc.constantFrom(...w.channels), t: ts }).map(({ a, v, u, c, t }) => ({
      category: 'random', expect: 'log:tampered' as const, payload: payload({ actionId: `remediate:${a}`, value: v, userId: u, channelId: c, threadTs: t, messageTs: t }),
    })),
    // Non-string values (numbers, objects, arrays) where the id belongs.
    fc.record({ v: fc.oneof(fc.integer(), fc.constant(null), fc.constant({ id: 'p-000000000000000000000000' }), fc.array(fc.string(), { maxLength: 2 })), p: known(all), u: anyUser }).map(({ v, p, u }) => ({
      category: 'non-string value', expect: 'log:tampered' as const, payload: payload({ actionId: `remediate:${p.id}`, value: v, userId: u, ...place(p), messageTs: p.threadTs }),
    })),
    // A well-formed id nobody issued.
    fc.record({ h: hex24, u: anyUser, p: known(all) }).map(({ h, u, p }) => ({
      category: 'forged id', expect: 'log:unknown' as const, payload: payload({ actionId: `remediate:p-${h}`, value: `p-${h}`, userId: u, ...place(p), messageTs: p.threadTs }),
    })),
    // A real id with an action id that does not repeat it (the value was swapped).
    fc.record({ p: known(all), other: fc.oneof(known(all).map((q) => q.id), hex24.map((h) => `p-${h}`), junk), u: anyUser }).filter(({ p, other }) => other !== p.id).map(({ p, other, u }) => ({
      category: 'value/action_id mismatch', expect: 'log:tampered' as const, payload: payload({ actionId: `remediate:${other}`, value: p.id, userId: u, ...place(p), messageTs: p.threadTs }),
    })),
    // A real, live id clicked from another incident's thread, another channel, or no thread at all.
    known(w.live).chain((p) => fc.record({ where: wrongPlace(p), u: anyUser }).map(({ where, u }) => ({
      category: 'other incident / wrong thread', expect: 'timeline:thread' as const, incidentId: p.incidentId,
      payload: payload({ actionId: `remediate:${p.id}`, value: p.id, userId: u, ...where, messageTs: where.threadTs ?? '1.000000' }),
    }))),
    // An expired id in its own thread (a non-approver is refused before expiry is even checked).
    fc.record({ p: known(w.expired), u: anyUser }).map(({ p, u }) => ({
      category: 'expired', expect: 'timeline:refused-or-expired' as const, incidentId: p.incidentId, payload: payload({ actionId: `remediate:${p.id}`, value: p.id, userId: u, ...place(p), messageTs: p.threadTs }),
    })),
    // Replays: an approver clicks a proposal that already ran.
    fc.record({ p: known(w.closed), u: approver }).map(({ p, u }) => ({
      category: 'replay', expect: 'log:replay' as const, payload: payload({ actionId: `remediate:${p.id}`, value: p.id, userId: u, ...place(p), messageTs: p.threadTs }),
    })),
    // A user id that is not one: empty, lower case, padded, a mention, a user group posing as a user.
    fc.record({ p: known(w.live), u: fc.constantFrom('', 'u0lead', 'U0LEAD ', ' U0ONCALL', '<@U0LEAD>', 'S0SRE', 'U', 'U0LEAD\u200b', 'B0RUNBOOK1') }).map(({ p, u }) => ({
      category: 'malformed user id', expect: 'log:tampered' as const, payload: payload({ actionId: `remediate:${p.id}`, value: p.id, userId: u, ...place(p), messageTs: p.threadTs }),
    })),
    // Someone who may not approve, on a live id in the right thread.
    fc.record({ p: known(w.live), u: nonApprover }).map(({ p, u }) => ({
      category: 'non-approver', expect: 'timeline:refused' as const, incidentId: p.incidentId, payload: payload({ actionId: `remediate:${p.id}`, value: p.id, userId: u, ...place(p), messageTs: p.threadTs }),
    })),
    // Broken shapes around a live id. Without `container` the thread still comes from `message`: a non-approver then.
    fc.record({ p: known(w.live), u: nonApprover }).map(({ p, u }) => {
      const body = payload({ actionId: `remediate:${p.id}`, value: p.id, userId: u, ...place(p), messageTs: p.threadTs });
      delete body.container;
      return { category: 'missing container', expect: 'timeline:refused' as const, incidentId: p.incidentId, payload: body };
    }),
    fc.record({ p: known(w.live), u: anyUser, cut: fc.constantFrom('channel+container', 'message+container-thread') }).map(({ p, u, cut }) => {
      const body = payload({ actionId: `remediate:${p.id}`, value: p.id, userId: u, ...place(p), messageTs: p.threadTs });
      if (cut === 'channel+container') {
        delete body.channel;
        delete body.container;
      } else {
        delete body.message;
        body.container = { type: 'message', message_ts: p.threadTs, channel_id: p.channelId, is_ephemeral: false };
      }
      return { category: `missing ${cut}`, expect: 'timeline:thread' as const, incidentId: p.incidentId, payload: body };
    }),
  ];
  return fc.oneof(...arbs);
}
