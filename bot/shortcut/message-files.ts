// Reads a text file shared in a message (downloaded as bot/slack-file-download.ts does, with the bot token). Files
// over the limit, that are not text, or that the app may not read are refused with a reason the person can act on.
import type { WebClient } from '@slack/web-api';
import { downloadSlackFile, FILES_READ_SCOPE_FIX, type SlackFileFailure } from '../slack-file-download.ts';

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

/** UTF-8 text without NUL bytes, or null (a binary file renamed .log is still binary). */
function decodeText(bytes: Buffer): string | null {
  if (bytes.includes(0)) return null;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

function refusal(failure: SlackFileFailure, maxBytes: number): [FileRefusal, string] {
  switch (failure.kind) {
    case 'files-info': {
      const fix = failure.error === 'missing_scope' ? `: ${FILES_READ_SCOPE_FIX}` : failure.error === 'file_not_found' || failure.error === 'file_deleted' ? ': it was deleted, or is not visible to the app' : '';
      return ['no-access', `Slack answered files.info with \`${failure.error}\`${fix}`];
    }
    case 'too-large':
      return ['too-large', `${mib(failure.size)}, over the ${mib(maxBytes)} this shortcut reads: paste the relevant lines (the agent's last few hundred), or run \`cilium-runbook analyze\` on the file`];
    case 'refused':
      return ['not-text', failure.why];
    case 'no-url':
      return ['no-access', 'Slack gave no download address for it (a file from another workspace or an external service)'];
    case 'sign-in':
      return ['no-access', `Slack sent its sign-in page instead of the file: ${FILES_READ_SCOPE_FIX}`];
    case 'http':
      return ['unreadable', `Slack answered HTTP ${failure.status} to its download`];
    case 'over-limit':
      return ['too-large', `over the ${mib(maxBytes)} this shortcut reads: paste the relevant lines instead`];
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
  const got = await downloadSlackFile(client, botToken, fileId, {
    maxBytes,
    timeoutMs: 20_000,
    ...(opts.name === undefined ? {} : { name: opts.name }),
    ...(opts.fetch === undefined ? {} : { fetch: opts.fetch }),
    accept: (info) => TEXT_MIMETYPES.test(info.mimetype) || TEXT_FILETYPES.has(info.filetype)
      ? undefined
      : `a ${info.prettyType} file, not text: share logs or status output as a .log or .txt file, or paste them`,
  });
  const name = got.info?.name ?? opts.name ?? fileId;
  if (!got.ok) {
    const [reason, why] = refusal(got.failure, maxBytes);
    throw new SharedFileRefusedError(name, reason, why);
  }
  const text = decodeText(got.bytes);
  if (text === null) throw new SharedFileRefusedError(name, 'not-text', 'not UTF-8 text (binary content): share logs or status output as plain text');
  return { name, text };
}
