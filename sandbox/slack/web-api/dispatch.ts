// One Web API call: token check (header or `token` field, bot vs app token), faults, the handler, and
// the call log. Errors are HTTP 200 `{ok:false}`; only rate limits are 429 (pitfall 16).
import type { FaultRegistry } from '../faults.ts';
import { PACED_METHODS, type ChannelBuckets } from '../rate-limit.ts';
import { jsonField, type Params } from '../http/body.ts';
import type { WorkspaceStore } from '../store.ts';
import type { ApiCallRecord } from '../types.ts';
import { CHAT_METHODS } from './chat.ts';
import type { EmulatorEnv, MethodSpec } from './context.ts';
import { DIRECTORY_METHODS } from './directory.ts';
import { FILE_METHODS } from './files.ts';
import { FILE_READ_METHODS } from './file-downloads.ts';
import { failure, type ApiBody } from './message-content.ts';

const METHODS: Record<string, MethodSpec> = { ...CHAT_METHODS, ...DIRECTORY_METHODS, ...FILE_METHODS, ...FILE_READ_METHODS };

export interface ApiReply {
  status: number;
  headers: Record<string, string>;
  body: ApiBody;
  latencyMs: number;
}

export interface DispatchDeps {
  store: WorkspaceStore;
  env: EmulatorEnv;
  faults: FaultRegistry;
  log: ApiCallRecord[];
  tokens: { bot: string; app: string };
  /** Per-channel pacing of posting methods, when enabled. */
  buckets?: ChannelBuckets;
}

const SECRET_FIELDS = new Set(['token']);

/** Params as tests want to read them: no token, JSON fields decoded. */
function loggable(params: Params): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params)) {
    if (SECRET_FIELDS.has(k)) continue;
    if (Buffer.isBuffer(v)) out[k] = `<${v.length} bytes>`;
    else if ((k === 'blocks' || k === 'attachments' || k === 'metadata' || k === 'files') && typeof v === 'string') {
      const j = jsonField(params, k);
      out[k] = j.malformed ? v : j.value;
    } else out[k] = v;
  }
  return out;
}

export async function dispatchApiCall(
  deps: DispatchDeps,
  method: string,
  params: Params,
  headerToken: string | undefined,
): Promise<ApiReply> {
  const reply = await run(deps, method, params, headerToken);
  deps.log.push({
    method,
    params: loggable(params),
    ok: reply.body.ok,
    ...(typeof reply.body.error === 'string' ? { error: reply.body.error } : {}),
    status: reply.status,
    at: Date.now(),
  });
  return reply;
}

async function run(deps: DispatchDeps, method: string, params: Params, headerToken: string | undefined): Promise<ApiReply> {
  const ok = (body: ApiBody, latencyMs = 0): ApiReply => ({ status: 200, headers: {}, body, latencyMs });
  const fault = deps.faults.take(method);
  const latencyMs = fault?.latencyMs ?? 0;
  if (fault?.status === 429) {
    const after = String(Math.max(0, Math.round(fault.retryAfterSeconds ?? 1)));
    return { status: 429, headers: { 'retry-after': after }, body: failure('ratelimited'), latencyMs };
  }
  if (fault?.status !== undefined) {
    return { status: fault.status, headers: {}, body: failure('fatal_error'), latencyMs };
  }
  const spec = METHODS[method];
  if (!spec) return ok(failure('unknown_method'), latencyMs);
  const bodyToken = typeof params.token === 'string' ? params.token : undefined;
  const token = headerToken ?? bodyToken;
  if (!token) return ok(failure('not_authed'), latencyMs);
  const kind = token === deps.tokens.bot ? 'bot' : token === deps.tokens.app ? 'app' : undefined;
  if (!kind) return ok(failure('invalid_auth'), latencyMs);
  if (spec.token !== 'any' && spec.token !== kind) return ok(failure('not_allowed_token_type'), latencyMs);
  if (fault?.error) return ok(failure(fault.error), latencyMs);
  const channel = typeof params.channel === 'string' ? params.channel : undefined;
  if (deps.buckets && channel && PACED_METHODS.has(method)) {
    const wait = deps.buckets.take(channel);
    if (wait !== undefined) return { status: 429, headers: { 'retry-after': String(wait) }, body: failure('ratelimited'), latencyMs };
  }
  const body = await spec.handler({ params, store: deps.store, env: deps.env, tokenKind: kind });
  return ok(body, latencyMs);
}
