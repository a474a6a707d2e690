// Downloads a file shared in Slack with the bot token, the one way both the message shortcut (text files) and the
// sysdump share (archives) do it: `files.info` first, so the size is checked before a byte is fetched, then
// `url_private_download` with `Authorization: Bearer` (the token needs files:read). Slack answers a token without the
// scope, or a request without the header, with its sign-in page (a redirect, then HTTP 200 text/html;
// slackapi/node-slack-sdk#1750): that is a missing scope, never the file. The body is read with the same bound, since
// the size files.info gave can be stale. Callers turn each failure into their own message.
import type { WebClient } from '@slack/web-api';

export const FILES_READ_SCOPE_FIX = "the app needs the `files:read` bot scope (add it in the app's manifest, then reinstall the app)";

/** What files.info said about a shared file. */
export interface SlackFileInfo {
  name: string;
  size: number;
  mimetype: string;
  filetype: string;
  prettyType: string;
  url: string | undefined;
}

export type SlackFileFailure =
  /** files.info answered `{ok:false, error}`. */
  | { kind: 'files-info'; error: string }
  /** files.info's size is over the limit (nothing was downloaded). */
  | { kind: 'too-large'; size: number }
  /** The caller's `accept` refused the file on what files.info said (nothing was downloaded). */
  | { kind: 'refused'; why: string }
  /** No download address (a file from another workspace or an external service). */
  | { kind: 'no-url' }
  /** Slack's sign-in page instead of the file: the files:read scope is missing. */
  | { kind: 'sign-in' }
  | { kind: 'http'; status: number }
  /** The body grew past the limit while it was read. */
  | { kind: 'over-limit' };

export type SlackFileResult =
  | { ok: true; info: SlackFileInfo; bytes: Buffer }
  /** `info` is absent only when files.info itself failed. */
  | { ok: false; info: SlackFileInfo | undefined; failure: SlackFileFailure };

export interface SlackFileDownloadOptions {
  maxBytes: number;
  timeoutMs: number;
  /** The name the message showed, used until files.info answers. */
  name?: string;
  fetch?: typeof fetch;
  /** A reason to refuse the file from its metadata (type, say), checked before the download; undefined accepts it. */
  accept?: (info: SlackFileInfo) => string | undefined;
}

/** Slack's `{ok:false}` code of a failed Web API call, if that is what `e` is. */
function platformError(e: unknown): string | undefined {
  const error = (e as { data?: { error?: unknown } } | null)?.data?.error;
  return typeof error === 'string' ? error : undefined;
}

/** Reads at most `limit` bytes of the body; null when there is more. */
async function readBounded(res: Response, limit: number): Promise<Buffer | null> {
  const reader = (res.body as ReadableStream<Uint8Array> | null)?.getReader();
  if (reader === undefined) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel();
      return null;
    }
    chunks.push(Buffer.from(value));
  }
  return Buffer.concat(chunks);
}

/** The bytes of shared file `fileId`, or why they could not be read. Errors other than Slack's own answers (network) are thrown. */
export async function downloadSlackFile(client: WebClient, botToken: string, fileId: string, opts: SlackFileDownloadOptions): Promise<SlackFileResult> {
  let file;
  try {
    file = (await client.files.info({ file: fileId })).file;
  } catch (e) {
    const error = platformError(e);
    if (error === undefined) throw e;
    return { ok: false, info: undefined, failure: { kind: 'files-info', error } };
  }
  const info: SlackFileInfo = {
    name: file?.name ?? file?.title ?? opts.name ?? fileId,
    size: file?.size ?? 0,
    mimetype: file?.mimetype ?? '',
    filetype: file?.filetype ?? '',
    prettyType: file?.pretty_type ?? file?.filetype ?? 'unknown type',
    url: file?.url_private_download ?? file?.url_private,
  };
  const fail = (failure: SlackFileFailure): SlackFileResult => ({ ok: false, info, failure });
  if (info.size > opts.maxBytes) return fail({ kind: 'too-large', size: info.size });
  const refusal = opts.accept?.(info);
  if (refusal !== undefined) return fail({ kind: 'refused', why: refusal });
  if (info.url === undefined) return fail({ kind: 'no-url' });
  const res = await (opts.fetch ?? fetch)(info.url, { headers: { Authorization: `Bearer ${botToken}` }, redirect: 'manual', signal: AbortSignal.timeout(opts.timeoutMs) });
  if ((res.status >= 300 && res.status < 400) || (res.headers.get('content-type') ?? '').startsWith('text/html')) {
    await res.body?.cancel();
    return fail({ kind: 'sign-in' });
  }
  if (!res.ok) {
    await res.body?.cancel();
    return fail({ kind: 'http', status: res.status });
  }
  const bytes = await readBounded(res, opts.maxBytes);
  return bytes === null ? fail({ kind: 'over-limit' }) : { ok: true, info, bytes };
}
