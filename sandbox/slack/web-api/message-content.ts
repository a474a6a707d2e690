// Turns text/blocks/attachments parameters into message content, or into the error Slack would answer:
// invalid_blocks_format, invalid_blocks (+errors[] and [ERROR] messages), msg_blocks_too_long, no_text,
// too_many_attachments; over-long text is truncated with a [WARN] (protocols.md A.4).
import { randomBytes } from 'node:crypto';
import { blocksTextLength, isObject } from '../block-kit/checks.ts';
import { validateBlocks } from '../block-kit/validate.ts';
import { jsonField, str, type Params } from '../http/body.ts';

export const MAX_TEXT = 40_000;
/** Cumulative text of all blocks; Slack does not document it (bolt-js #2509/#2867 observe ~12-13k). */
export const MAX_BLOCKS_TEXT = 12_000;

export type ApiBody = Record<string, unknown> & { ok: boolean };

export interface MessageContent {
  text?: string;
  blocks?: unknown[];
  attachments?: unknown[];
  warnings: string[];
  messages: string[];
}

export type ContentResult = { ok: true; content: MessageContent } | { ok: false; body: ApiBody };

/** Slack fills in a random block_id for blocks sent without one (visible in interaction payloads). */
function withBlockIds(blocks: unknown[]): unknown[] {
  return blocks.map((b) =>
    isObject(b) && b.block_id === undefined ? { ...b, block_id: randomBytes(3).toString('base64url') } : b,
  );
}

export function failure(error: string, extra: Record<string, unknown> = {}): ApiBody {
  return { ok: false, error, ...extra };
}

export function withWarnings(body: ApiBody, c: { warnings: string[]; messages: string[] }): ApiBody {
  if (c.warnings.length === 0) return body;
  return { ...body, warning: c.warnings.join(','), response_metadata: { warnings: c.warnings, messages: c.messages } };
}

export function readMessageContent(
  params: Params,
  opts: { requireContent: boolean; overLongText: 'truncate' | 'reject' },
): ContentResult {
  const c: MessageContent = { warnings: [], messages: [] };
  const blocks = jsonField(params, 'blocks');
  if (blocks.present) {
    if (blocks.malformed || !Array.isArray(blocks.value)) return { ok: false, body: failure('invalid_blocks_format') };
    const errors = validateBlocks(blocks.value);
    if (errors.length > 0) {
      return {
        ok: false,
        body: failure('invalid_blocks', { errors, response_metadata: { messages: errors.map((e) => `[ERROR] ${e}`) } }),
      };
    }
    if (blocksTextLength(blocks.value) > MAX_BLOCKS_TEXT) return { ok: false, body: failure('msg_blocks_too_long') };
    c.blocks = withBlockIds(blocks.value);
  }
  const attachments = jsonField(params, 'attachments');
  if (attachments.present) {
    if (attachments.malformed || !Array.isArray(attachments.value)) return { ok: false, body: failure('invalid_attachments') };
    if (attachments.value.length > 100) return { ok: false, body: failure('too_many_attachments') };
    c.attachments = attachments.value;
  }
  const text = str(params, 'text');
  if (text !== undefined) {
    if (text.length > MAX_TEXT) {
      if (opts.overLongText === 'reject') return { ok: false, body: failure('msg_too_long') };
      c.text = text.slice(0, MAX_TEXT);
      c.warnings.push('message_truncated');
      c.messages.push(
        '[WARN] Your message was truncated but still posted. The `text` field accepts up to 40,000 characters.',
      );
    } else {
      c.text = text;
    }
  }
  const hasContent = (c.text ?? '') !== '' || (c.blocks?.length ?? 0) > 0 || (c.attachments?.length ?? 0) > 0;
  if (opts.requireContent && !hasContent) return { ok: false, body: failure('no_text') };
  return { ok: true, content: c };
}
