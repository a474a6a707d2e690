// Text helpers for Slack mrkdwn: escaping, code blocks and cutting at a limit with a visible marker.

/** Slack treats &, < and > as control characters in mrkdwn. */
export function escapeMrkdwn(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A fenced code block; backticks inside are broken up so they cannot end the block early. */
export function codeBlock(s: string): string {
  return '```' + escapeMrkdwn(s).replace(/```/g, '`\u200b``') + '```';
}

/** Cuts `s` to at most `max` characters, saying so. Callers that must not lose text attach the full text as a file. */
export function clip(s: string, max: number, marker = '…'): string {
  if (s.length <= max) return s;
  return s.slice(0, Math.max(0, max - marker.length)) + marker;
}
