// The message shortcut's input side: Slack's stored message text back to the paste, the adapter's reading of a
// text (evidence document or agent log, recognised or not), and shared files refused for size, type or access.
import { describe, expect, it } from 'vitest';
import type { WebClient } from '@slack/web-api';
import { pastedText } from '../../../bot/shortcut/message-text.ts';
import { analyzeMessageText } from '../../../bot/pasted-analysis.ts';
import { readSharedTextFile, SharedFileRefusedError } from '../../../bot/shortcut/message-files.ts';
import { EvidenceParseError } from '../../../runbooks/index.ts';

const MEMLOCK = 'level=fatal msg="unable to set memory resource limits" error="failed to set memlock rlimit: operation not permitted" subsys=daemon';

describe('pastedText', () => {
  it('undoes Slack\'s entities, link markup and code fences', () => {
    const stored = '```level=info msg="Establishing connection to apiserver" host="<https://10.96.0.1:443>" subsys=k8s-client\nlevel=warning msg="a &lt;b&gt; &amp; c" see <https://docs.cilium.io|docs.cilium.io>```';
    expect(pastedText(stored)).toBe('level=info msg="Establishing connection to apiserver" host="https://10.96.0.1:443" subsys=k8s-client\nlevel=warning msg="a <b> & c" see docs.cilium.io');
  });

  it('keeps text without markup as it is, trimmed', () => {
    expect(pastedText('  IPAM:  IPv4: 510/511 allocated from 10.0.0.0/23,\n')).toBe('IPAM:  IPv4: 510/511 allocated from 10.0.0.0/23,');
  });
});

describe('analyzeMessageText (adapter)', () => {
  it('agent log lines: recognised as an agent log, counted, analysed', async () => {
    const r = await analyzeMessageText(`some words first\n${MEMLOCK}\nlevel=info msg="up" subsys=daemon`);
    expect(r.parts).toEqual([{ kind: 'cilium-log', lines: 2, label: 'agent log (2 lines)' }]);
    expect(r.report.findings.map((f) => f.runbookId)).toContain('memlock-rlimit');
  });

  it('a JSON or YAML evidence document: recognised as one, read by evidenceFromDocument', async () => {
    const json = await analyzeMessageText(JSON.stringify({ node: { kernelVersion: '4.14.352-268.568.amzn2.x86_64' }, cilium: { version: '1.16.3' } }, null, 2));
    expect(json.parts).toEqual([{ kind: 'evidence-document', lines: 8 }]);
    expect(json.report.findings.map((f) => f.runbookId)).toContain('kernel-too-old');
    const yaml = await analyzeMessageText(`node:\n  kernelVersion: 4.14.352-268.568.amzn2.x86_64\ncilium:\n  version: "1.16.3"\n`);
    expect(yaml.parts[0]?.kind).toBe('evidence-document');
    expect(yaml.report.findings.map((f) => f.runbookId)).toContain('kernel-too-old');
  });

  it('a malformed document names the field; chatter is recognised as nothing', async () => {
    await expect(analyzeMessageText('{"node": {"kernelVersion": 4}}')).rejects.toThrow(EvidenceParseError);
    await expect(analyzeMessageText('{"node": {"kernelVersion": 4}}')).rejects.toThrow(/node\.kernelVersion/);
    expect((await analyzeMessageText('pods stuck in ContainerCreating, help')).parts).toEqual([]);
    // JSON that is not an evidence document is read as text, not refused.
    expect((await analyzeMessageText('{"kind": "Pod"}')).parts).toEqual([]);
  });
});

/** A WebClient whose files.info answers `file`; nothing else is called. */
function clientWith(file: Record<string, unknown>): WebClient {
  return { files: { info: () => Promise.resolve({ ok: true, file }) } } as unknown as WebClient;
}

describe('readSharedTextFile', () => {
  const base = { name: 'agent.log', mimetype: 'text/plain', filetype: 'text', size: 10, url_private_download: 'http://127.0.0.1:9/files-pri/T1-F1/download/agent.log' };
  const never = (() => Promise.reject(new Error('must not download'))) as typeof fetch;

  it('refuses by files.info before downloading: too large, not text', async () => {
    await expect(readSharedTextFile(clientWith({ ...base, size: 3 * 1024 * 1024 }), 'xoxb-t', 'F1', { fetch: never })).rejects.toMatchObject({ reason: 'too-large', fileName: 'agent.log' });
    await expect(readSharedTextFile(clientWith({ ...base, name: 'x.png', mimetype: 'image/png', filetype: 'png', pretty_type: 'PNG' }), 'xoxb-t', 'F1', { fetch: never })).rejects.toThrow(/a PNG file, not text/);
  });

  it('a files.info refusal becomes a refusal naming the file and the fix (missing_scope → files:read)', async () => {
    const refusing = (error: string) => ({ files: { info: () => Promise.reject(Object.assign(new Error(error), { data: { ok: false, error } })) } }) as unknown as WebClient;
    await expect(readSharedTextFile(refusing('missing_scope'), 'xoxb-t', 'F1', { fetch: never, name: 'agent.log' })).rejects.toMatchObject({ reason: 'no-access', fileName: 'agent.log', message: expect.stringMatching(/missing_scope.*files:read/) as unknown });
    await expect(readSharedTextFile(refusing('file_not_found'), 'xoxb-t', 'F1', { fetch: never })).rejects.toThrow(/deleted/);
  });

  it('sends the bot token; a sign-in page answer is reported as the missing files:read scope', async () => {
    let auth: string | null = null;
    const signIn = ((_url: string, init?: RequestInit) => {
      auth = new Headers(init?.headers).get('authorization');
      return Promise.resolve(new Response('<!DOCTYPE html><html></html>', { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' } }));
    }) as typeof fetch;
    const err = await readSharedTextFile(clientWith(base), 'xoxb-t', 'F1', { fetch: signIn }).catch((e: unknown) => e);
    expect(auth).toBe('Bearer xoxb-t');
    expect(err).toBeInstanceOf(SharedFileRefusedError);
    expect(String(err)).toMatch(/files:read/);
  });

  it('reads text; refuses bytes beyond the limit even when files.info said less, and binary content', async () => {
    const body = (b: Uint8Array | string) => (() => Promise.resolve(new Response(b, { status: 200, headers: { 'content-type': 'text/plain' } }))) as typeof fetch;
    expect(await readSharedTextFile(clientWith(base), 'xoxb-t', 'F1', { fetch: body(MEMLOCK) })).toEqual({ name: 'agent.log', text: MEMLOCK });
    await expect(readSharedTextFile(clientWith(base), 'xoxb-t', 'F1', { fetch: body('x'.repeat(2048)), maxBytes: 1024 })).rejects.toMatchObject({ reason: 'too-large' });
    await expect(readSharedTextFile(clientWith(base), 'xoxb-t', 'F1', { fetch: body(new Uint8Array([0x6c, 0, 0xff])) })).rejects.toMatchObject({ reason: 'not-text' });
  });
});

