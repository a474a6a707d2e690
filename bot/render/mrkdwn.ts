// The one way data becomes Slack text. Data (cluster fields, log lines, a user's note) is escaped; link and mention
// syntax (`<@U…>`, `<#C…>`, `<url|label>`) comes only from the bot's own templates, through slackUser/slackChannel/
// slackLink, which check what they wrap. Slack's rules: `&`, `<`, `>` are control characters in mrkdwn and in a
// message's top-level `text` (https://docs.slack.dev/messaging/formatting-message-text#escaping); there is no escape
// for `*`, `_`, `~` or a code fence, so those are replaced by look-alikes where they would format.
import type { MrkdwnElement } from '@slack/types';

/**
 * Characters that change how text reads without being seen: C0/C1 controls (not tab or newline), soft hyphen,
 * bidi embeddings, overrides and isolates (`U+202E` turns `exe.txt` into `txt.exe`), zero-width spaces and joiners,
 * word joiner and invisible operators, the BOM. Shown as `[U+202E]` so a reader sees that something was there.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const INVISIBLE = /[\u0000-\u0008\u000B-\u000C\u000E-\u001F\u007F-\u009F\u00AD\u061C\u115F\u1160\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u206F\u3164\uFEFF\uFFA0]/g;

export function neutraliseInvisible(s: string): string {
  return s.replace(INVISIBLE, (c) => `[U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}]`);
}

/** A backtick that cannot open or close a code span or block: MODIFIER LETTER GRAVE ACCENT. */
const GRAVE = '\u02CB';

/**
 * Escapes data for mrkdwn (and for a message's top-level `text`): `&`, `<`, `>`, invisible characters. With
 * `literal: true` (titles and labels the template makes bold) `*`, `~`, backticks and word-edge `_` cannot format
 * either: a data title reading `*URGENT*` stays as written instead of becoming bold.
 */
export function escapeMrkdwn(s: string, opts: { literal?: boolean } = {}): string {
  let out = neutraliseInvisible(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  if (opts.literal === true) {
    out = out
      .replace(/\*/g, '\u2217')
      .replace(/~/g, '\u223C')
      .replace(/`/g, GRAVE)
      .replace(/(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])/g, '\uFF3F');
  }
  return out;
}

/** Data inside an inline code span: escaped, and a backtick in it cannot end the span. */
export function inlineCode(s: string): string {
  return '`' + escapeMrkdwn(s).replace(/`/g, GRAVE) + '`';
}

/** A fenced code block that data cannot close: every backtick inside becomes a look-alike (no run of three survives). */
export function codeBlock(s: string): string {
  return '```' + escapeMrkdwn(s).replace(/`/g, GRAVE) + '```';
}

/** `text` as a mrkdwn text object that Slack does not auto-link (URLs, #channels, @mentions typed as text). */
export function mrkdwn(text: string): MrkdwnElement {
  // verbatim: https://docs.slack.dev/reference/block-kit/composition-objects/text-object
  return { type: 'mrkdwn', text, verbatim: true };
}

const SLACK_USER = /^[UW][A-Z0-9]{2,}$/;
const SLACK_CHANNEL = /^[CGD][A-Z0-9]{2,}$/;
/** https only; none of the characters that end Slack's link syntax. */
const SAFE_URL = /^https:\/\/[^\s<>|"]+$/;

/** A user mention from the bot's template; anything that is not a Slack user id is shown as escaped text. */
export function slackUser(id: string): string {
  return SLACK_USER.test(id) ? `<@${id}>` : escapeMrkdwn(id);
}

export function slackChannel(id: string): string {
  return SLACK_CHANNEL.test(id) ? `<#${id}>` : escapeMrkdwn(id);
}

/** A link whose label is data: the URL must be a plain https URL, the label is escaped (and cannot bold itself). */
export function slackLink(url: string, label: string): string {
  const text = escapeMrkdwn(label, { literal: true });
  return SAFE_URL.test(url) ? `<${url.replace(/&/g, '&amp;')}|${text}>` : `${text} (${escapeMrkdwn(url)})`;
}

/**
 * Cuts `s` to at most `max` characters, saying so. Never inside an escape (`&am…` would show as text), a surrogate
 * pair or a `<…>` link of the bot's own. Callers that must not lose text attach the full text as a file.
 */
export function clip(s: string, max: number, marker = '…'): string {
  if (s.length <= max) return s;
  let end = Math.max(0, max - marker.length);
  const amp = s.lastIndexOf('&', end);
  if (amp !== -1 && amp > end - 5 && !s.slice(amp, end).includes(';') && /^&(?:amp|lt|gt);/.test(s.slice(amp))) end = amp;
  const open = s.lastIndexOf('<', end);
  if (open !== -1 && s.indexOf('>', open) >= end) end = open;
  const code = s.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return s.slice(0, end) + marker;
}
