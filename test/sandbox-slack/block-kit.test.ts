// Block Kit validation as chat.postMessage answers it, seen through the real WebClient's error shape.
import { WebClient, type WebAPIPlatformError } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSlackEmulator, validateBlocks, type SlackEmulator } from '../../sandbox/slack/index.ts';
import { capturedLogger } from './captured-logger.ts';

const CH = 'C0INCIDENT';
let emu: SlackEmulator;
let client: WebClient;

beforeAll(async () => {
  emu = await startSlackEmulator();
  client = new WebClient(emu.botToken, { slackApiUrl: emu.apiUrl, retryConfig: { retries: 0 }, logger: capturedLogger() });
});
afterAll(async () => {
  await emu.stop();
});

type Rejection = WebAPIPlatformError['data'] & { errors?: string[] };

async function rejection(blocks: unknown[], text = 'fallback'): Promise<Rejection> {
  const err = await client.chat
    .postMessage({ channel: CH, text, blocks: blocks as never })
    .then(() => undefined, (e: unknown) => e as WebAPIPlatformError);
  if (!err) throw new Error('expected the post to be rejected');
  return err.data;
}

const section = (text: string): unknown => ({ type: 'section', text: { type: 'mrkdwn', text } });
const button = (label: string, extra: Record<string, unknown> = {}): unknown => ({
  type: 'button',
  action_id: 'act',
  text: { type: 'plain_text', text: label },
  ...extra,
});

describe('Block Kit validation', () => {
  it('rejects 51 blocks with the recorded message', async () => {
    const data = await rejection(Array.from({ length: 51 }, () => ({ type: 'divider' })));
    expect(data.error).toBe('invalid_blocks');
    expect(data.errors).toEqual(['no more than 50 items allowed [json-pointer:/blocks]']);
    expect(data.response_metadata?.messages).toEqual(['[ERROR] no more than 50 items allowed [json-pointer:/blocks]']);
    expect(emu.calls('chat.postMessage').at(-1)).toMatchObject({ ok: false, error: 'invalid_blocks' });
  });

  it('accepts exactly 50 blocks and 3000-char section text', async () => {
    await expect(client.chat.postMessage({ channel: CH, text: 'x', blocks: Array.from({ length: 50 }, () => ({ type: 'divider' })) })).resolves.toMatchObject({ ok: true });
    await expect(client.chat.postMessage({ channel: CH, text: 'x', blocks: [section('a'.repeat(3000))] as never })).resolves.toMatchObject({ ok: true });
  });

  it('rejects a 3001-char section text like Slack (union failure, then the length)', async () => {
    const data = await rejection([section('a'.repeat(3001))]);
    expect(data.errors).toEqual([
      'failed to match all allowed schemas [json-pointer:/blocks/0/text]',
      'must be less than 3001 characters [json-pointer:/blocks/0/text/text]',
    ]);
  });

  it('rejects a 76-char button label, a 2001-char value and a 256-char action_id', async () => {
    const data = await rejection([
      { type: 'actions', elements: [button('b'.repeat(76), { value: 'v'.repeat(2001), action_id: 'a'.repeat(256) })] },
    ]);
    expect(data.errors).toEqual(
      expect.arrayContaining([
        'must be less than 76 characters [json-pointer:/blocks/0/elements/0/text/text]',
        'must be less than 2001 characters [json-pointer:/blocks/0/elements/0/value]',
        'must be less than 256 characters [json-pointer:/blocks/0/elements/0/action_id]',
      ]),
    );
  });

  it('checks header length and plain_text-only places', () => {
    expect(validateBlocks([{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } }])).toEqual([
      'must be less than 151 characters [json-pointer:/blocks/0/text/text]',
    ]);
    expect(validateBlocks([{ type: 'header', text: { type: 'mrkdwn', text: '*h*' } }])).toEqual([
      'must be a valid enum value [json-pointer:/blocks/0/text/type]',
    ]);
    expect(validateBlocks([{ type: 'actions', elements: [{ type: 'button', action_id: 'a', text: { type: 'mrkdwn', text: 'x' } }] }])).toContain(
      'must be a valid enum value [json-pointer:/blocks/0/elements/0/text/type]',
    );
  });

  it('checks confirm dialogs, context and actions element counts, fields and unknown types', () => {
    const confirm = {
      title: { type: 'plain_text', text: 't'.repeat(101) },
      text: { type: 'mrkdwn', text: 'x'.repeat(301) },
      confirm: { type: 'plain_text', text: 'c'.repeat(31) },
      deny: { type: 'plain_text', text: 'd'.repeat(31) },
    };
    const errs = validateBlocks([{ type: 'actions', elements: [button('Cordon', { confirm })] }]);
    expect(errs).toEqual(
      expect.arrayContaining([
        'must be less than 101 characters [json-pointer:/blocks/0/elements/0/confirm/title/text]',
        'must be less than 301 characters [json-pointer:/blocks/0/elements/0/confirm/text/text]',
        'must be less than 31 characters [json-pointer:/blocks/0/elements/0/confirm/confirm/text]',
        'must be less than 31 characters [json-pointer:/blocks/0/elements/0/confirm/deny/text]',
      ]),
    );
    const ctx = { type: 'context', elements: Array.from({ length: 11 }, () => ({ type: 'mrkdwn', text: 'x' })) };
    expect(validateBlocks([ctx])).toEqual(['no more than 10 items allowed [json-pointer:/blocks/0/elements]']);
    const acts = { type: 'actions', elements: Array.from({ length: 26 }, (_, i) => button('b', { action_id: `a${i}` })) };
    expect(validateBlocks([acts])).toEqual(['no more than 25 items allowed [json-pointer:/blocks/0/elements]']);
    const fields = { type: 'section', fields: Array.from({ length: 11 }, () => ({ type: 'mrkdwn', text: 'f' })) };
    expect(validateBlocks([fields])).toEqual(['no more than 10 items allowed [json-pointer:/blocks/0/fields]']);
    const longField = { type: 'section', fields: [{ type: 'mrkdwn', text: 'f'.repeat(2001) }] };
    expect(validateBlocks([longField])).toContain('must be less than 2001 characters [json-pointer:/blocks/0/fields/0/text]');
    expect(validateBlocks([{ type: 'sectoin' }])).toEqual(['unsupported type: sectoin [json-pointer:/blocks/0/type]']);
    expect(validateBlocks([{ type: 'divider', block_id: 'x' }, { type: 'divider', block_id: 'x' }])).toEqual([
      'duplicate block_id: x [json-pointer:/blocks/1/block_id]',
    ]);
    expect(validateBlocks([{ type: 'divider', block_id: 'b'.repeat(256) }])).toEqual([
      'must be less than 256 characters [json-pointer:/blocks/0/block_id]',
    ]);
  });

  it('rejects blocks whose total text is too long, and malformed blocks', async () => {
    const many = Array.from({ length: 5 }, () => section('x'.repeat(2900)));
    expect((await rejection(many)).error).toBe('msg_blocks_too_long');
    const r = await fetch(`${emu.apiUrl}chat.postMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Bearer ${emu.botToken}` },
      body: new URLSearchParams({ channel: CH, text: 'x', blocks: '{"type":"divider"}' }).toString(),
    });
    expect(await r.json()).toEqual({ ok: false, error: 'invalid_blocks_format' });
  });

  it('truncates text over 40 000 characters with a warning instead of rejecting', async () => {
    const r = await client.chat.postMessage({ channel: CH, text: 'y'.repeat(40_010) });
    expect(r.ok).toBe(true);
    expect(r.response_metadata?.warnings).toEqual(['message_truncated']);
    expect(emu.message(CH, r.ts ?? '')?.text).toHaveLength(40_000);
  });
});
