// Downloads a sysdump shared in Slack with the bot token (as bot/slack-file-download.ts does: size checked against
// the limit before a byte is fetched, a missing files:read scope reported as such, never read as the archive).
import type { WebClient } from '@slack/web-api';
import { SharedArchiveRefusedError } from '../../jobs/sysdump-share/sysdump-share-worker.ts';
import { downloadSlackFile, FILES_READ_SCOPE_FIX } from '../slack-file-download.ts';

/** The largest sysdump read from Slack: a 100-node sysdump with logs is tens of MiB (cilium-cli caps each log at 100 MiB by --logs-limit-bytes, but few are near it). */
export const MAX_SHARED_SYSDUMP_BYTES = 200 * 1024 * 1024;

const mib = (bytes: number): string => `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;

export async function downloadSharedSysdump(
  client: WebClient,
  botToken: string,
  fileId: string,
  opts: { maxBytes?: number; fetch?: typeof fetch; name?: string } = {},
): Promise<{ name: string; bytes: Uint8Array }> {
  const maxBytes = opts.maxBytes ?? MAX_SHARED_SYSDUMP_BYTES;
  const got = await downloadSlackFile(client, botToken, fileId, { maxBytes, timeoutMs: 120_000, name: opts.name, fetch: opts.fetch });
  const name = got.info?.name ?? opts.name ?? fileId;
  if (got.ok) return { name, bytes: got.bytes };
  const f = got.failure;
  switch (f.kind) {
    case 'files-info':
      throw new SharedArchiveRefusedError(`Slack answered files.info about ${name} with \`${f.error}\`${f.error === 'missing_scope' ? `: ${FILES_READ_SCOPE_FIX}` : ''}`);
    case 'too-large':
      throw new SharedArchiveRefusedError(`${name} is ${mib(f.size)}, over the ${mib(maxBytes)} read from Slack: run \`cilium-runbook analyze ${name}\` where the file is, or take a smaller sysdump (\`cilium sysdump --node-list <nodes>\`)`);
    case 'refused':
      throw new SharedArchiveRefusedError(`${name}: ${f.why}`);
    case 'no-url':
      throw new SharedArchiveRefusedError(`Slack gave no download address for ${name} (a file from another workspace or an external service)`);
    case 'sign-in':
      throw new SharedArchiveRefusedError(`Slack sent its sign-in page instead of ${name}: ${FILES_READ_SCOPE_FIX}`);
    case 'http':
      // 5xx is worth the job's retry; anything else will not change.
      if (f.status >= 500) throw new Error(`Slack answered HTTP ${f.status} to the download of ${name}`);
      throw new SharedArchiveRefusedError(`Slack answered HTTP ${f.status} to the download of ${name}`);
    case 'over-limit':
      throw new SharedArchiveRefusedError(`${name} is over the ${mib(maxBytes)} read from Slack: run \`cilium-runbook analyze ${name}\` where the file is`);
  }
}
