// Downloading a shared sysdump: the size from files.info is checked before a byte is fetched, the body is bounded
// again while read (files.info can be stale), and Slack's sign-in page (a token without files:read) is never read as
// the archive. The Web API client and fetch are stand-ins that record what was asked.
import type { WebClient } from '@slack/web-api';
import { describe, expect, it } from 'vitest';
import { downloadSharedSysdump, MAX_SHARED_SYSDUMP_BYTES } from '../../../bot/sysdump/sysdump-download.ts';
import { SharedArchiveRefusedError } from '../../../jobs/sysdump-share/sysdump-share-worker.ts';

const NAME = 'cilium-sysdump-20241203-101500.zip';
const URL_DL = 'http://127.0.0.1:1/files-pri/T1-F1/download/' + NAME;

function client(size: number): WebClient {
  const info = () => Promise.resolve({ ok: true, file: { id: 'F1', name: NAME, size, url_private_download: URL_DL } });
  return { files: { info } } as unknown as WebClient;
}

function recordingFetch(res: () => Response): { fetch: typeof fetch; calls: Array<{ url: string; auth: string | null }> } {
  const calls: Array<{ url: string; auth: string | null }> = [];
  const f: typeof fetch = (input, init) => {
    calls.push({ url: input instanceof Request ? input.url : input.toString(), auth: new Headers(init?.headers).get('authorization') });
    return Promise.resolve(res());
  };
  return { fetch: f, calls };
}

describe('downloadSharedSysdump', () => {
  it('reads the file with the bot token', async () => {
    const body = new Uint8Array([0x50, 0x4b, 5, 6]);
    const r = recordingFetch(() => new Response(body, { headers: { 'content-type': 'application/zip' } }));
    const got = await downloadSharedSysdump(client(4), 'xoxb-test', 'F1', { fetch: r.fetch });
    expect(got.name).toBe(NAME);
    expect([...got.bytes]).toEqual([...body]);
    expect(r.calls).toEqual([{ url: URL_DL, auth: 'Bearer xoxb-test' }]);
  });

  it('over the limit by files.info: refused with the size and what to do, nothing downloaded', async () => {
    const r = recordingFetch(() => new Response('x'));
    const err = await downloadSharedSysdump(client(MAX_SHARED_SYSDUMP_BYTES + 1), 'xoxb-test', 'F1', { fetch: r.fetch }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SharedArchiveRefusedError);
    expect((err as Error).message).toMatch(/200\.0 MiB, over the 200\.0 MiB read from Slack: run `cilium-runbook analyze/);
    expect(r.calls).toEqual([]);
  });

  it('a body longer than files.info said is cut at the limit and refused', async () => {
    const r = recordingFetch(() => new Response(new Uint8Array(64)));
    await expect(downloadSharedSysdump(client(8), 'xoxb-test', 'F1', { fetch: r.fetch, maxBytes: 16 })).rejects.toThrow(/over the 0\.0 MiB read from Slack/);
  });

  it('Slack\'s sign-in page names the missing files:read scope', async () => {
    const r = recordingFetch(() => new Response('<html>sign in</html>', { headers: { 'content-type': 'text/html; charset=utf-8' } }));
    await expect(downloadSharedSysdump(client(4), 'xoxb-test', 'F1', { fetch: r.fetch })).rejects.toThrow(/sign-in page .*files:read/);
  });

  it('a 5xx is an ordinary error (the job retries), a 404 a refusal', async () => {
    const e503 = await downloadSharedSysdump(client(4), 'xoxb-test', 'F1', { fetch: recordingFetch(() => new Response('', { status: 503 })).fetch }).catch((e: unknown) => e);
    expect(e503).not.toBeInstanceOf(SharedArchiveRefusedError);
    await expect(downloadSharedSysdump(client(4), 'xoxb-test', 'F1', { fetch: recordingFetch(() => new Response('', { status: 404 })).fetch })).rejects.toBeInstanceOf(SharedArchiveRefusedError);
  });
});
