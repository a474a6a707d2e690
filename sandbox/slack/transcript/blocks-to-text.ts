// Block Kit → plain text lines for the transcript: header, section (text, fields, accessory), context,
// divider, actions (buttons as `[ Label ]`), image, rich_text, markdown. mrkdwn is left as written, except that
// its three escaped characters are shown as Slack shows them (&lt; → <).
import { isObject, type Json } from '../block-kit/checks.ts';

function unescapeMrkdwn(s: string): string {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

function textOf(v: unknown): string {
  if (typeof v === 'string') return v;
  if (isObject(v) && typeof v.text === 'string') return v.type === 'mrkdwn' ? unescapeMrkdwn(v.text) : v.text;
  return '';
}

function elementToText(el: unknown): string {
  if (!isObject(el)) return '';
  switch (el.type) {
    case 'button':
      return `[ ${textOf(el.text)} ]`;
    case 'image':
      return `[image: ${typeof el.alt_text === 'string' ? el.alt_text : ''}]`;
    case 'overflow':
      return '[ ⋯ ]';
    case 'plain_text':
    case 'mrkdwn':
      return textOf(el);
    default: {
      const label = textOf(el.placeholder) || String(el.type);
      return `[ ${label} ▾ ]`;
    }
  }
}

function richTextToLines(el: unknown): string[] {
  if (!isObject(el) || !Array.isArray(el.elements)) return [];
  const inline = (parts: unknown[]): string =>
    parts
      .map((p) => {
        if (!isObject(p)) return '';
        if (typeof p.text === 'string') return p.text;
        if (p.type === 'link' && typeof p.url === 'string') return p.url;
        if (p.type === 'user' && typeof p.user_id === 'string') return `<@${p.user_id}>`;
        if (p.type === 'emoji' && typeof p.name === 'string') return `:${p.name}:`;
        return '';
      })
      .join('');
  const lines: string[] = [];
  for (const sub of el.elements) {
    if (!isObject(sub) || !Array.isArray(sub.elements)) continue;
    if (sub.type === 'rich_text_preformatted') lines.push('```', ...inline(sub.elements).split('\n'), '```');
    else if (sub.type === 'rich_text_quote') lines.push(...inline(sub.elements).split('\n').map((l) => `> ${l}`));
    else if (sub.type === 'rich_text_list') {
      sub.elements.forEach((item, i) => {
        const marker = sub.style === 'ordered' ? `${i + 1}.` : '•';
        lines.push(`${marker} ${isObject(item) && Array.isArray(item.elements) ? inline(item.elements) : ''}`);
      });
    } else lines.push(...inline(sub.elements).split('\n'));
  }
  return lines;
}

function blockToLines(b: Json): string[] {
  switch (b.type) {
    case 'header':
      return [`## ${textOf(b.text)}`];
    case 'divider':
      return ['────────────────────────────────────────'];
    case 'section': {
      const lines = textOf(b.text) ? textOf(b.text).split('\n') : [];
      if (Array.isArray(b.fields)) {
        for (let i = 0; i < b.fields.length; i += 2) {
          const pair = b.fields.slice(i, i + 2).map((f) => textOf(f).replace(/\n/g, ' '));
          lines.push(pair.map((p) => p.padEnd(38)).join('  ').trimEnd());
        }
      }
      if (b.accessory !== undefined) lines.push(`    ${elementToText(b.accessory)}`);
      return lines;
    }
    case 'context':
      return [`  ${(Array.isArray(b.elements) ? b.elements : []).map(elementToText).join(' · ')}`];
    case 'actions':
      return [(Array.isArray(b.elements) ? b.elements : []).map(elementToText).join(' ')];
    case 'image':
      return [`[image: ${typeof b.alt_text === 'string' ? b.alt_text : ''}]`];
    case 'rich_text':
      return richTextToLines(b);
    case 'markdown':
      return typeof b.text === 'string' ? b.text.split('\n') : [];
    case 'input':
      return [`${textOf(b.label)}: ${elementToText(b.element)}`];
    default:
      return [`[${String(b.type)} block]`];
  }
}

/** The message body as Slack would show it: blocks when present, the text fallback (mrkdwn) otherwise. */
export function messageBodyLines(text: string, blocks: unknown[]): string[] {
  if (blocks.length === 0) return text === '' ? [] : unescapeMrkdwn(text).split('\n');
  return blocks.flatMap((b) => (isObject(b) ? blockToLines(b) : []));
}
