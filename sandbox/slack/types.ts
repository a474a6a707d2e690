// Public types of the Slack platform emulator: what tests, the demo and benchmarks read back.

export interface SlackUserSeed {
  id: string;
  name: string;
  realName?: string;
}

export interface SlackUsergroupSeed {
  id: string;
  handle: string;
  users: string[];
}

export interface SlackChannelSeed {
  id: string;
  name: string;
}

/** A shortcut as the app manifest declares it (`features.shortcuts[]`, slackapi/manifest-schema 1.0.0). */
export interface SlackShortcutSeed {
  callback_id: string;
  type: 'message' | 'global';
  name: string;
  description: string;
}

export interface SlackEmulatorOptions {
  /** The app's shortcuts (e.g. `shortcutsFromManifest(deploy/slack/manifest.yaml)`): only these can be used. */
  shortcuts?: SlackShortcutSeed[];
  /** The bot events the app subscribes to (`botEventsFromManifest`): `message.channels` lets `messageEvent` deliver. */
  botEvents?: string[];
  signingSecret?: string;
  botToken?: string;
  appToken?: string;
  users?: SlackUserSeed[];
  usergroups?: SlackUsergroupSeed[];
  channels?: SlackChannelSeed[];
  /** Added to every Web API response (simulates the network to Slack). */
  latencyMs?: number;
  /**
   * Per-channel pacing of chat.postMessage/update/postEphemeral like Slack's ~1 msg/s/channel: over it the
   * call gets HTTP 429 + Retry-After. Off by default; e.g. `{ perSecond: 1, burst: 3 }`.
   */
  postRateLimit?: { perSecond: number; burst: number };
}

/** One earlier version of an edited message. */
export interface MessageRevision {
  text: string;
  blocks: unknown[];
  /** When it was replaced (epoch ms). */
  replacedAt: number;
}

export interface StoredMessage {
  type: 'message';
  channel: string;
  ts: string;
  thread_ts?: string;
  user?: string;
  bot_id?: string;
  app_id?: string;
  subtype?: string;
  text: string;
  blocks: unknown[];
  reply_broadcast?: boolean;
  metadata?: unknown;
  files?: StoredFile[];
  /** Set after chat.update / replace_original. */
  edited?: { user: string; ts: string };
  /** Older versions, oldest first; the current version is the message itself. */
  history: MessageRevision[];
  deleted?: boolean;
  /** Where it came from (`chat.postMessage`, `response_url`, `files.completeUploadExternal`, `slash_ack`...). */
  source: string;
}

export interface EphemeralMessage {
  channel: string;
  user: string;
  ts: string;
  thread_ts?: string;
  text: string;
  blocks: unknown[];
  source: string;
  /** A response_url `delete_original` removes ephemerals too. */
  deleted?: boolean;
  history: MessageRevision[];
}

export interface StoredFile {
  id: string;
  name: string;
  title: string;
  length: number;
  content: Buffer;
  alt_text?: string;
  snippet_type?: string;
  channel?: string;
  thread_ts?: string;
  initial_comment?: string;
  /** The message that shares the file (when shared to a channel). */
  message_ts?: string;
  completed: boolean;
  /** Who uploaded it (the bot for files.uploadV2, a person for `userMessage` files). */
  user?: string;
  /** MIME type as Slack reports it (`text/plain`, `image/png`…); derived from the name when absent. */
  mimetype?: string;
  /** Unix seconds. */
  created?: number;
}

/** A file a person shares with a message (`userMessage`). */
export interface UserFileSeed {
  name: string;
  content: Buffer | string;
  mimetype?: string;
  title?: string;
}

export interface UserMessageArgs {
  channelId: string;
  userId: string;
  text: string;
  threadTs?: string;
  files?: UserFileSeed[];
}

/** Slack tells the app about a message a person posted (`userMessage`) in a channel the bot is in. */
export interface MessageEventArgs {
  channelId: string;
  messageTs: string;
  via: 'http' | 'socket';
}

export interface MessageShortcutArgs {
  callbackId: string;
  channelId: string;
  /** The message the shortcut is used on (a thread reply too). */
  messageTs: string;
  userId: string;
  via: 'http' | 'socket';
  timestamp?: number;
  signature?: string;
}

export interface MessageShortcutResult extends DeliveryResult {
  triggerId: string;
  /** The payload as sent, for tests that check its shape. */
  payload: Record<string, unknown>;
}

export interface ApiCallRecord {
  method: string;
  params: Record<string, unknown>;
  ok: boolean;
  error?: string;
  /** HTTP status returned (200, 429, 5xx). */
  status: number;
  at: number;
}

export interface FaultSpec {
  method: string | RegExp;
  status?: 429 | 500 | 503;
  retryAfterSeconds?: number;
  /** Answer HTTP 200 `{ok:false, error}` with this code. */
  error?: string;
  latencyMs?: number;
  /** How many matching calls it applies to (default: all until cleared). */
  times?: number;
}

export interface SlashCommandArgs {
  text: string;
  userId: string;
  channelId: string;
  command?: string;
  via: 'http' | 'socket';
  /** Unix seconds for X-Slack-Request-Timestamp (HTTP only). */
  timestamp?: number;
  /** Replaces the computed X-Slack-Signature (HTTP only), to test refusals. */
  signature?: string;
}

export interface DeliveryResult {
  /** HTTP status of the app's answer; Socket Mode: 200 when acked, 408 when no ack arrived in time. */
  status: number;
  body: string;
  ackMs: number;
  /** True when the ack came after Slack's 3 s deadline (the user would see `operation_timeout`). */
  timedOut: boolean;
  responseUrl: string;
}

/** A signed slash-command request as Slack would POST it, for a load generator running in another process. */
export interface PreparedHttpRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  responseUrl: string;
}

export interface SlashCommandResult extends DeliveryResult {
  triggerId: string;
  ackPayload?: unknown;
}

export interface ClickButtonArgs {
  channelId: string;
  messageTs: string;
  actionId: string;
  userId: string;
  via: 'http' | 'socket';
  /** Replaces the button's value (to test tampering). */
  value?: string;
  /** When the button has a confirm dialog: false = user clicked "deny", nothing is sent. Default true. */
  confirmed?: boolean;
  timestamp?: number;
  signature?: string;
}

export type ClickButtonResult = DeliveryResult;

export type DisconnectReason = 'refresh_requested' | 'link_disabled' | 'warning' | 'drop';

export interface ResponseUrlPost {
  responseUrl: string;
  body: unknown;
  status: number;
  at: number;
}

export interface SlackEmulator {
  url: string;
  apiUrl: string;
  signingSecret: string;
  botToken: string;
  appToken: string;
  teamId: string;
  appId: string;
  botUserId: string;
  botId: string;
  setHttpTarget(url: string): void;
  slashCommand(args: SlashCommandArgs): Promise<SlashCommandResult>;
  /**
   * The signed HTTP request `slashCommand` would send (response URL and trigger id minted, timestamp now), without
   * sending it: a benchmark sends it from its own process so the sender's timing shares no event loop with the
   * emulators. The ack body is not applied as a visible reply.
   */
  prepareSlashCommand(args: Omit<SlashCommandArgs, 'via' | 'signature'>): PreparedHttpRequest;
  clickButton(args: ClickButtonArgs): Promise<ClickButtonResult>;
  /** A person posts a message (with files shared in it, stored like Slack's hosted files). */
  userMessage(args: UserMessageArgs): StoredMessage;
  /** A person uses a message shortcut the app declares on a message: Slack sends `message_action`. */
  useMessageShortcut(args: MessageShortcutArgs): Promise<MessageShortcutResult>;
  /** The Events API `message` event (subtype file_share when it shares files) of a posted message, sent to the app. */
  messageEvent(args: MessageEventArgs): Promise<DeliveryResult & { payload: Record<string, unknown> }>;
  socketConnections(): number;
  disconnectSockets(reason?: DisconnectReason): void;
  waitFor<T>(predicate: () => T | undefined | false, opts?: { timeoutMs?: number; description?: string }): Promise<T>;
  messages(channelId: string): StoredMessage[];
  thread(channelId: string, threadTs: string): StoredMessage[];
  message(channelId: string, ts: string): StoredMessage | undefined;
  ephemerals(filter?: { channelId?: string; userId?: string }): EphemeralMessage[];
  responseUrlPosts(responseUrl?: string): ResponseUrlPost[];
  files(): StoredFile[];
  reactions(channelId: string, ts: string): string[];
  calls(method?: string): ApiCallRecord[];
  renderThread(channelId: string, threadTs: string): string;
  faults: { add(f: FaultSpec): void; clear(): void };
  stop(): Promise<void>;
}
