// Downloads a sysdump shared in Slack with the bot token: files.info first (its size is checked against the limit
// before a byte is fetched), then `url_private_download` with `Authorization: Bearer` (files:read). Slack answers a
// token without the scope with its sign-in page (a redirect, then text/html; slackapi/node-slack-sdk#1750): that is
// reported as the missing scope, never read as the archive. The body is read with the same bound, since the size
// files.info gave can be stale.
import type { WebClient } from '@slack/web-api';
import { SharedArchiveRefusedError } from '../../jobs/sysdump-share/sysdump-share-worker.ts';

/** The largest sysdump read from Slack: a 100-node sysdump with logs is tens of MiB (cilium-cli caps each log at 100 MiB by --logs-limit-bytes, but few are near it). */
export const MAX_SHARED_SYSDUMP_BYTES = 200 * 1024 * 1024;

const mib = (bytes: number): string => `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
const SCOPE_FIX = "the app needs the `files:read` bot scope (add it in the app's manifest, then reinstall the app)";

function platformError(e: unknown): string | undefined {
  const error = (e as { data?: { error?: unknown } } | null)?.data?.error;
  return typeof error === 'string' ? error : undefined;
}

async function readBounded(res: Response, limit: number): Promise<Uint8Array | null> {
  const reader = (res.body as ReadableStream<Uint8Array> | null)?.getReader();
  if (reader === undefined) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

export async function downloadSharedSysdump(
  client: WebClient,
  botToken: string,
  fileId: string,
  opts: { maxBytes?: number; fetch?: typeof fetch; name?: string } = {},
): Promise<{ name: string; bytes: Uint8Array }> {
  const maxBytes = opts.maxBytes ?? MAX_SHARED_SYSDUMP_BYTES;
  const shown = opts.name ?? fileId;
  let file;
  try {
    file = (await client.files.info({ file: fileId })).file;
  } catch (e) {
    const error = platformError(e);
    if (error === undefined) throw e;
    throw new SharedArchiveRefusedError(`Slack answered files.info about ${shown} with \`${error}\`${error === 'missing_scope' ? `: ${SCOPE_FIX}` : ''}`);
  }
  const name = file?.name ?? shown;
  const size = file?.size ?? 0;
  if (size > maxBytes) {
    throw new SharedArchiveRefusedError(`${name} is ${mib(size)}, over the ${mib(maxBytes)} read from Slack: run \`cilium-runbook analyze ${name}\` where the file is, or take a smaller sysdump (\`cilium sysdump --node-list <nodes>\`)`);
  }
  const url = file?.url_private_download ?? file?.url_private;
  if (url === undefined) throw new SharedArchiveRefusedError(`Slack gave no download address for ${name} (a file from another workspace or an external service)`);
  const res = await (opts.fetch ?? fetch)(url, { headers: { Authorization: `Bearer ${botToken}` }, redirect: 'manual', signal: AbortSignal.timeout(120_000) });
  if ((res.status >= 300 && res.status < 400) || (res.headers.get('content-type') ?? '').startsWith('text/html')) {
    await res.body?.cancel();
    throw new SharedArchiveRefusedError(`Slack sent its sign-in page instead of ${name}: ${SCOPE_FIX}`);
  }
  if (!res.ok) {
    await res.body?.cancel();
    // 5xx is worth the job's retry; anything else will not change.
    if (res.status >= 500) throw new Error(`Slack answered HTTP ${res.status} to the download of ${name}`);
    throw new SharedArchiveRefusedError(`Slack answered HTTP ${res.status} to the download of ${name}`);
  }
  const bytes = await readBounded(res, maxBytes);
  if (bytes === null) throw new SharedArchiveRefusedError(`${name} is over the ${mib(maxBytes)} read from Slack: run \`cilium-runbook analyze ${name}\` where the file is`);
  return { name, bytes };
}
