// The text a person pasted, back from the form Slack stores a message in: Slack escapes `&`, `<` and `>` as
// entities, wraps URLs it auto-links as `<https://…>` or `<https://…|shown text>` and mentions as `<@U…>`, and a paste
// usually sits in ``` fences (docs.slack.dev/messaging/formatting-message-text#escaping). Pure: no I/O.

/** Slack's link and mention markup: `<target>` or `<target|label>`. */
const MARKUP = /<([^<>|\s]+)(?:\|([^<>]*))?>/g;

function unwrapMarkup(s: string): string {
  return s.replace(MARKUP, (_all, target: string, label: string | undefined) => {
    if (label !== undefined) return label;
    // A mention or channel keeps its id; a link its address (what the person typed).
    return target.replace(/^mailto:/, '');
  });
}

function unescapeEntities(s: string): string {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** Removes ``` fences: a fence on its own line goes, and one glued to text at a line's start or end is cut off. */
function stripFences(s: string): string {
  return s
    .split('\n')
    .map((line) => line.replace(/^\s*```/, '').replace(/```\s*$/, ''))
    .join('\n');
}

/** The pasted text of a message's `text` field, as the person typed it. */
export function pastedText(messageText: string): string {
  // Markup first: its `<…>` are real brackets, while entities become brackets only after.
  return unescapeEntities(unwrapMarkup(stripFences(messageText))).replace(/\r\n/g, '\n').trim();
}
