// The last step before a message goes to Slack: whatever the earlier steps did to its strings (redaction, escaping,
// a diff prepended), every text is cut to Slack's Block Kit limit and the message to 50 blocks, and what was cut goes
// to a file, so Slack never answers `invalid_blocks` and the report always posts. Limits: @slack/types
// block-kit/blocks.d.ts and composition-objects.d.ts; https://docs.slack.dev/reference/block-kit/blocks
import type { KnownBlock } from '@slack/types';
import { clip } from './mrkdwn.ts';

export const SLACK_LIMITS = {
  blocksPerMessage: 50,
  sectionText: 3000,
  contextElements: 10,
  headerText: 150,
  buttonText: 75,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  /** Slack takes 40,000 and truncates the rest; the notification text never needs more than this. */
  messageText: 3000,
} as const;

export interface SlackMessage {
  text: string;
  blocks: KnownBlock[];
}

export interface Attachment {
  filename: string;
  title: string;
  content: string;
}

/** mrkdwn back to the text it shows, for a file: the entities are the only markup the renderers add to data. */
export function unescapeMrkdwn(s: string): string {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

type TextObject = { type: string; text: string };

/** Every text a block shows, in order, as plain lines (the file a rejected or overflowing message becomes). */
export function blocksAsText(blocks: KnownBlock[]): string {
  const lines: string[] = [];
  for (const b of blocks) {
    if (b.type === 'section' || b.type === 'header') {
      if (b.text !== undefined) lines.push(unescapeMrkdwn(b.text.text));
    } else if (b.type === 'context') {
      lines.push(b.elements.map((e) => ('text' in e && typeof e.text === 'string' ? unescapeMrkdwn(e.text) : '')).join(' '));
    } else if (b.type === 'divider') lines.push('---');
  }
  return lines.join('\n\n');
}

/** Cuts one text object to `max`; the whole text goes to `overflow` when it is longer. */
function fitText<T extends TextObject>(t: T, max: number, note: (file: string) => string, spill: (content: string) => string): T {
  const text = t.text === '' ? '-' : t.text;
  if (text.length <= max) return text === t.text ? t : { ...t, text };
  const suffix = note(spill(t.type === 'mrkdwn' ? unescapeMrkdwn(text) : text));
  return { ...t, text: clip(text, max - suffix.length) + suffix };
}

/**
 * Makes `message` valid for Slack: every section and context text within 3,000 characters (the rest in a file named
 * after `name`), headers, buttons and confirms cut, at most 50 blocks (the rest in a file), `text` cut and non-empty.
 */
export function fitMessage(message: SlackMessage, name: string): { message: SlackMessage; overflow: Attachment[] } {
  const overflow: Attachment[] = [];
  const spill = (content: string): string => {
    const filename = `${name}-overflow-${overflow.length + 1}.txt`;
    overflow.push({ filename, title: `${name}: text that did not fit in a message`, content });
    return filename;
  };
  const moved = (file: string): string => `\n_(cut; all of it in \`${file}\` below)_`;
  const cut = (file: string): string => ` (all in ${file})`;
  let blocks = message.blocks.map((b): KnownBlock => {
    switch (b.type) {
      case 'section':
        return b.text === undefined ? b : { ...b, text: fitText(b.text, SLACK_LIMITS.sectionText, moved, spill) };
      case 'header':
        return { ...b, text: fitText(b.text, SLACK_LIMITS.headerText, () => '', (c) => c) };
      case 'context': {
        const elements = b.elements.slice(0, SLACK_LIMITS.contextElements).map((e) => ('text' in e && typeof e.text === 'string' ? fitText(e, SLACK_LIMITS.sectionText, moved, spill) : e));
        return { ...b, elements };
      }
      case 'actions':
        return { ...b, elements: b.elements.map((e) => (e.type === 'button' ? fitButton(e, cut, spill) : e)) };
      default:
        return b;
    }
  });
  if (blocks.length > SLACK_LIMITS.blocksPerMessage) {
    const kept = blocks.slice(0, SLACK_LIMITS.blocksPerMessage - 1);
    const file = spill(blocksAsText(blocks.slice(kept.length)));
    blocks = [...kept, { type: 'context', elements: [{ type: 'mrkdwn', text: `${blocks.length - kept.length} more blocks did not fit; they are in \`${file}\` below.`, verbatim: true }] }];
  }
  const text = message.text === '' ? 'cilium-runbook' : clip(message.text, SLACK_LIMITS.messageText);
  return { message: { text, blocks }, overflow };
}

type Button = Extract<Extract<KnownBlock, { type: 'actions' }>['elements'][number], { type: 'button' }>;

function fitButton(b: Button, note: (file: string) => string, spill: (content: string) => string): Button {
  const plain = (t: { type: 'plain_text'; text: string }, max: number) => ({ ...t, text: clip(t.text === '' ? '-' : t.text, max) });
  return {
    ...b,
    text: plain(b.text, SLACK_LIMITS.buttonText),
    ...(b.confirm !== undefined && {
      confirm: {
        ...b.confirm,
        ...(b.confirm.title !== undefined && { title: plain(b.confirm.title, SLACK_LIMITS.confirmTitle) }),
        ...(b.confirm.text !== undefined && { text: fitText(b.confirm.text, SLACK_LIMITS.confirmText, note, spill) }),
        ...(b.confirm.confirm !== undefined && { confirm: plain(b.confirm.confirm, SLACK_LIMITS.confirmButton) }),
        ...(b.confirm.deny !== undefined && { deny: plain(b.confirm.deny, SLACK_LIMITS.confirmButton) }),
      },
    }),
  };
}
