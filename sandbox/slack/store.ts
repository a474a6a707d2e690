// In-memory workspace: users, channels, messages (with edit history), ephemerals, reactions and files.
// Web API handlers, the response_url endpoint and the query API all read and write this one object.
import type {
  EphemeralMessage,
  SlackChannelSeed,
  SlackUserSeed,
  SlackUsergroupSeed,
  StoredFile,
  StoredMessage,
} from './types.ts';

export interface WorkspaceIdentity {
  teamId: string;
  teamDomain: string;
  appId: string;
  botUserId: string;
  botId: string;
  botName: string;
}

export const DEFAULT_IDENTITY: WorkspaceIdentity = {
  teamId: 'T0CILIUM1',
  teamDomain: 'cilium-sandbox',
  appId: 'A0RUNBOOK1',
  botUserId: 'U0RUNBOOK1',
  botId: 'B0RUNBOOK1',
  botName: 'cilium-runbook',
};

const DEFAULT_USERS: SlackUserSeed[] = [
  { id: 'U0ONCALL01', name: 'oncall', realName: 'Olivia Oncall' },
  { id: 'U0VIEWER01', name: 'viewer', realName: 'Victor Viewer' },
];
const DEFAULT_CHANNELS: SlackChannelSeed[] = [{ id: 'C0INCIDENT', name: 'incidents' }];

export interface NewMessage {
  channel: string;
  text: string;
  blocks: unknown[];
  thread_ts?: string;
  reply_broadcast?: boolean;
  metadata?: unknown;
  user?: string;
  bot_id?: string;
  source: string;
  files?: StoredFile[];
}

export class WorkspaceStore {
  readonly users: Map<string, Required<SlackUserSeed>>;
  readonly usergroups: Map<string, SlackUsergroupSeed>;
  readonly channels: Map<string, SlackChannelSeed>;
  private readonly byChannel = new Map<string, StoredMessage[]>();
  readonly ephemeralList: EphemeralMessage[] = [];
  private readonly reactionMap = new Map<string, Array<{ name: string; user: string }>>();
  readonly fileMap = new Map<string, StoredFile>();
  private lastTsMicros = 0;

  constructor(
    readonly identity: WorkspaceIdentity,
    seed: { users?: SlackUserSeed[]; usergroups?: SlackUsergroupSeed[]; channels?: SlackChannelSeed[] },
  ) {
    const users = [...(seed.users ?? DEFAULT_USERS), { id: identity.botUserId, name: identity.botName }];
    this.users = new Map(users.map((u) => [u.id, { id: u.id, name: u.name, realName: u.realName ?? u.name }]));
    this.usergroups = new Map((seed.usergroups ?? []).map((g) => [g.id, g]));
    this.channels = new Map((seed.channels ?? DEFAULT_CHANNELS).map((c) => [c.id, c]));
  }

  /** Slack timestamps: "seconds.micros", unique and increasing within a channel (we make them global). */
  nextTs(): string {
    const micros = Math.max(Date.now() * 1000, this.lastTsMicros + 1);
    this.lastTsMicros = micros;
    const s = Math.floor(micros / 1_000_000);
    return `${s}.${String(micros % 1_000_000).padStart(6, '0')}`;
  }

  private list(channel: string): StoredMessage[] {
    let l = this.byChannel.get(channel);
    if (!l) {
      l = [];
      this.byChannel.set(channel, l);
    }
    return l;
  }

  addMessage(m: NewMessage): StoredMessage {
    const ts = this.nextTs();
    // Replying to a reply lands in the root's thread, as in Slack.
    let threadTs = m.thread_ts;
    if (threadTs !== undefined) {
      const parent = this.find(m.channel, threadTs);
      if (parent?.thread_ts !== undefined) threadTs = parent.thread_ts;
      if (parent && parent.thread_ts === undefined) parent.thread_ts = parent.ts;
    }
    const stored: StoredMessage = {
      type: 'message',
      channel: m.channel,
      ts,
      text: m.text,
      blocks: m.blocks,
      history: [],
      source: m.source,
      ...(threadTs !== undefined ? { thread_ts: threadTs } : {}),
      ...(m.user !== undefined ? { user: m.user } : {}),
      ...(m.bot_id !== undefined ? { bot_id: m.bot_id, app_id: this.identity.appId } : {}),
      ...(m.reply_broadcast && threadTs !== undefined ? { reply_broadcast: true, subtype: 'thread_broadcast' } : {}),
      ...(m.metadata !== undefined ? { metadata: m.metadata } : {}),
      ...(m.files ? { files: m.files } : {}),
    };
    this.list(m.channel).push(stored);
    return stored;
  }

  /** The message, even if it is a reply; deleted ones are not found. */
  find(channel: string, ts: string): StoredMessage | undefined {
    return this.byChannel.get(channel)?.find((m) => m.ts === ts && !m.deleted);
  }

  updateMessage(msg: StoredMessage, next: { text?: string; blocks?: unknown[]; user: string }): void {
    msg.history.push({ text: msg.text, blocks: msg.blocks, replacedAt: Date.now() });
    if (next.text !== undefined) msg.text = next.text;
    if (next.blocks !== undefined) msg.blocks = next.blocks;
    msg.edited = { user: next.user, ts: this.nextTs() };
  }

  topLevel(channel: string): StoredMessage[] {
    return (this.byChannel.get(channel) ?? []).filter(
      (m) => !m.deleted && (m.thread_ts === undefined || m.thread_ts === m.ts || m.reply_broadcast === true),
    );
  }

  replies(channel: string, threadTs: string): StoredMessage[] {
    return (this.byChannel.get(channel) ?? []).filter(
      (m) => !m.deleted && m.thread_ts === threadTs && m.ts !== threadTs,
    );
  }

  addEphemeral(e: Omit<EphemeralMessage, 'ts' | 'history'>): EphemeralMessage {
    const stored: EphemeralMessage = { ...e, ts: this.nextTs(), history: [] };
    this.ephemeralList.push(stored);
    return stored;
  }

  findEphemeral(channel: string, ts: string): EphemeralMessage | undefined {
    return this.ephemeralList.find((e) => e.channel === channel && e.ts === ts && !e.deleted);
  }

  addReaction(channel: string, ts: string, name: string, user: string): 'ok' | 'already_reacted' {
    const key = `${channel}:${ts}`;
    const l = this.reactionMap.get(key) ?? [];
    if (l.some((r) => r.name === name && r.user === user)) return 'already_reacted';
    l.push({ name, user });
    this.reactionMap.set(key, l);
    return 'ok';
  }

  reactionsOf(channel: string, ts: string): Array<{ name: string; user: string }> {
    return this.reactionMap.get(`${channel}:${ts}`) ?? [];
  }

  isMember(channel: string, user: string): boolean {
    // Everyone seeded is in every seeded channel: enough for a one-team sandbox.
    return this.channels.has(channel) && this.users.has(user);
  }
}
