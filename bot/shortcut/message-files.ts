// Reads a text file shared in a message: `files.info` for its size and type, then its `url_private_download` with the
// bot token (Authorization: Bearer; the token needs files:read). Without the scope, or without the header, Slack
// answers the download with its sign-in page (a redirect, then HTTP 200 text/html; slackapi/node-slack-sdk#1750):
// that is reported as the missing scope, never analysed as the file. Files over the limit or that are not text are
// refused with a reason the person can act on.
import type { WebClient } from '@slack/web-api';

/** The largest shared file read: the same bound as the agent logs a diagnosis reads (LOG_LIMIT_BYTES' default). */
export const MAX_SHARED_FILE_BYTES = 2 * 1024 * 1024;

/** Types Slack gives text files (file object `filetype`), beside any `text/*` mimetype. */
const TEXT_FILETYPES = new Set(['text', 'log', 'json', 'yaml', 'yml', 'shell', 'markdown', 'plain', 'csv', 'diff']);
const TEXT_MIMETYPES = /^(text\/|application\/(json|x-yaml|yaml|x-ndjson)\b)/;

export type FileRefusal = 'too-large' | 'not-text' | 'no-access' | 'unreadable';

/** A shared file the shortcut will not analyse; the message says why and what to do instead (mrkdwn-safe text). */
export class SharedFileRefusedError extends Error {
  constructor(
    readonly fileName: string,
    readonly reason: FileRefusal,
    message: string,
  ) {
    super(message);
    this.name = 'SharedFileRefusedError';
  }
}

export interface SharedTextFile {
  name: string;
  text: string;
}

const mib = (bytes: number): string => `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;

interface FileInfo {
  name: string;
  size: number;
  mimetype: string;
  filetype: string;
  prettyType: string;
  url: string | undefined;
}

/** Slack's `{ok:false}` code of a failed Web API call, if that is what `e` is. */
function platformError(e: unknown): string | undefined {
  const error = (e as { data?: { error?: unknown } } | null)?.data?.error;
  return typeof error === 'string' ? error : undefined;
}

async function fileInfo(client: WebClient, fileId: string, knownName: string): Promise<FileInfo> {
  let res;
  try {
    res = await client.files.info({ file: fileId });
  } catch (e) {
    const error = platformError(e);
    if (error === undefined) throw e;
    const fix = error === 'missing_scope' ? ': the app needs the `files:read` bot scope (add it in the app\'s manifest, then reinstall the app)' : error === 'file_not_found' || error === 'file_deleted' ? ': it was deleted, or is not visible to the app' : '';
    throw new SharedFileRefusedError(knownName, 'no-access', `Slack answered files.info with \`${error}\`${fix}`);
  }
  const f = res.file;
  const name = f?.name ?? f?.title ?? knownName;
  return {
    name,
    size: f?.size ?? 0,
    mimetype: f?.mimetype ?? '',
    filetype: f?.filetype ?? '',
    prettyType: f?.pretty_type ?? f?.filetype ?? 'unknown type',
    url: f?.url_private_download ?? f?.url_private,
  };
}

/** Reads at most `limit` bytes of the body; more is an error (the size files.info gave can be stale). */
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

/** UTF-8 text without NUL bytes, or null (a binary file renamed .log is still binary). */
function decodeText(bytes: Buffer): string | null {
  if (bytes.includes(0)) return null;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

/** The text of shared file `fileId`, or SharedFileRefusedError saying why not. */
export async function readSharedTextFile(
  client: WebClient,
  botToken: string,
  fileId: string,
  opts: { maxBytes?: number; fetch?: typeof fetch; /** The name the message showed, for errors before files.info answers. */ name?: string } = {},
): Promise<SharedTextFile> {
  const maxBytes = opts.maxBytes ?? MAX_SHARED_FILE_BYTES;
  const info = await fileInfo(client, fileId, opts.name ?? fileId);
  function refuse(reason: FileRefusal, why: string): never {
    throw new SharedFileRefusedError(info.name, reason, why);
  }
  if (info.size > maxBytes) {
    refuse('too-large', `${mib(info.size)}, over the ${mib(maxBytes)} this shortcut reads: paste the relevant lines (the agent's last few hundred), or run \`cilium-runbook analyze\` on the file`);
  }
  if (!TEXT_MIMETYPES.test(info.mimetype) && !TEXT_FILETYPES.has(info.filetype)) {
    refuse('not-text', `a ${info.prettyType} file, not text: share logs or status output as a .log or .txt file, or paste them`);
  }
  if (info.url === undefined) refuse('no-access', 'Slack gave no download address for it (a file from another workspace or an external service)');
  const res = await (opts.fetch ?? fetch)(info.url, { headers: { Authorization: `Bearer ${botToken}` }, redirect: 'manual', signal: AbortSignal.timeout(20_000) });
  // Slack's answer to a token without files:read: a redirect to the sign-in page, or that page itself.
  if ((res.status >= 300 && res.status < 400) || (res.headers.get('content-type') ?? '').startsWith('text/html')) {
    await res.body?.cancel();
    refuse('no-access', 'Slack sent its sign-in page instead of the file: the app needs the `files:read` bot scope (add it in the app\'s manifest, then reinstall the app)');
  }
  if (!res.ok) {
    await res.body?.cancel();
    refuse('unreadable', `Slack answered HTTP ${res.status} to its download`);
  }
  const bytes = await readBounded(res, maxBytes);
  if (bytes === null) refuse('too-large', `over the ${mib(maxBytes)} this shortcut reads: paste the relevant lines instead`);
  const text = decodeText(bytes);
  if (text === null) refuse('not-text', 'not UTF-8 text (binary content): share logs or status output as plain text');
  return { name: info.name, text };
}
