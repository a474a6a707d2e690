// The second net for secrets: collectors avoid reading secrets at all; whatever slips through (a token echoed in
// an agent log line) is masked before anything is posted. Masks are visible and say what was there
// (`[redacted:aws-key]`), so a reader knows something was removed and why.
// Widened by test/fuzz/secrets.test.ts: kubeconfig `client-key-data`, quoted and backslash-escaped values
// (`password=\"a b\"`), URL credentials, GCP/Azure/GitHub keys, Slack webhooks, cut JWTs and PEM blocks, base64
// Secret data; bundled Cilium log lines must come through unchanged.

const mask = (kind: string): string => `[redacted:${kind}]`;

/** Keys whose value is a secret in `key=value`, `key: value` and `"key": "value"` forms (case-insensitive). */
const SECRET_KEY =
  'password|passwd|pwd|secret|token|api[_-]?key|apikey|client[_-]?secret|client-key-data|private[_-]?key(?:[_-]?id)?|secret[_-]?access[_-]?key|access[_-]?key(?:[_-]?id)?|account[_-]?key|auth[_-]?token|access[_-]?token|refresh[_-]?token|id[_-]?token|session[_-]?token|credentials?|aws_secret_access_key';

const PATTERNS: Array<[RegExp, string | ((...m: string[]) => string)]> = [
  // PEM private keys; a block cut before its END line (a clipped quote) is masked to the end of the text.
  [/-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----|$)/g, mask('private-key')],
  // Slack tokens and incoming-webhook URLs.
  // Distinctive prefixes need no word boundary before them: in logs they often follow a literal `\n` or `\t` escape.
  [/xox[abposre]-[A-Za-z0-9-]{8,}/g, mask('slack-token')],
  [/xapp-[A-Za-z0-9-]{8,}/g, mask('slack-token')],
  [/https:\/\/hooks\.slack\.com\/(?:services|workflows)\/[A-Za-z0-9/_-]+/g, mask('slack-webhook')],
  // JWTs (also with the signature cut off by a clip).
  [/eyJ[A-Za-z0-9_-]{8,}\.(?:eyJ)?[A-Za-z0-9_-]{4,}(?:\.[A-Za-z0-9_-]*)?/g, mask('jwt')],
  // Authorization headers. Case-sensitive, and Basic needs a digit, + or / in its token: "Basic connectivity" stays.
  [/(?<![A-Za-z0-9])(Bearer|bearer|BEARER)(\s+)[A-Za-z0-9._~+/=-]{8,}/g, (_m, scheme = '', sp = '') => `${scheme}${sp}${mask('token')}`],
  [/(?<![A-Za-z0-9])(Basic|basic|BASIC)(\s+)([A-Za-z0-9+/]{8,}={0,2})/g, (m, scheme = '', sp = '', token = '') => (/[0-9+/=]/.test(token) || /^.+[A-Z]/.test(token) ? `${scheme}${sp}${mask('token')}` : m)],
  // Cloud keys: AWS access key ids, GCP API keys and OAuth tokens, Azure SAS signatures, GitHub tokens.
  [/(?<![A-Z0-9])(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\b/g, mask('aws-key')],
  [/AIza[0-9A-Za-z_-]{35}/g, mask('gcp-key')],
  [/ya29\.[0-9A-Za-z_-]{20,}/g, mask('gcp-token')],
  // `;` too: evidence is mrkdwn-escaped before it is redacted, so `&sig=` arrives as `&amp;sig=`.
  [/([?&;]sig=)[A-Za-z0-9%+/=]{16,}/g, (_m, p = '') => `${p}${mask('azure-sas')}`],
  [/gh[pousr]_[A-Za-z0-9]{30,}/g, mask('github-token')],
  // Passwords in URLs: scheme://user:password@host.
  [/\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@"'<>]+):([^\s@/"'<>]+)@/gi, (_m, head = '') => `${head}:${mask('password')}@`],
  // key=value pairs: the value may be bare, quoted, or quoted with backslash-escaped quotes (JSON inside logfmt).
  [
    // Not after a letter, digit, `/` or `.` (`…/serviceaccount/token: no such file` is a path), but after a `\n` escape.
    // Quotes may carry any number of backslashes: a JSON value inside a logfmt value inside a quoted log line.
    new RegExp(`(?:(?<![A-Za-z0-9/.])|(?<=\\\\[nrt]))(${SECRET_KEY})(\\\\*["']?\\s*[=:]\\s*)(\\\\*["'])?`, 'gi'),
    // Replaced by redactKeyValues (needs to find where the value ends).
    '',
  ],
];

/** Masks the value after each secret-looking key; quoted values to their closing quote, bare ones to a separator. */
function redactKeyValues(text: string, re: RegExp): string {
  let out = '';
  let last = 0;
  re.lastIndex = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const [whole, key = '', sep = '', quote] = m;
    const valueStart = m.index + whole.length;
    let valueEnd: number;
    if (quote !== undefined) {
      const close = text.indexOf(quote, valueStart);
      const lineEnd = text.indexOf('\n', valueStart);
      valueEnd = close === -1 || (lineEnd !== -1 && lineEnd < close) ? (lineEnd === -1 ? text.length : lineEnd) : close;
    } else {
      valueEnd = valueStart;
      while (valueEnd < text.length && !/[\s"',;}&)\]\\]/.test(text[valueEnd] ?? ' ')) valueEnd++;
    }
    const value = text.slice(valueStart, valueEnd);
    // Nothing to hide (empty, already masked, or a word like "token: <nil>"): leave as is.
    if (value.length < (quote === undefined ? 4 : 1) || value.startsWith('[redacted:') || /^(?:<nil>|null|none|true|false|\*+)$/i.test(value)) {
      continue;
    }
    out += text.slice(last, m.index) + key + sep + (quote ?? '') + mask(/key|data/i.test(key) && !/token/i.test(key) ? 'key' : /token/i.test(key) ? 'token' : 'password');
    last = valueEnd;
    re.lastIndex = Math.max(valueEnd, re.lastIndex);
  }
  return out + text.slice(last);
}

/** A Secret object printed in a log or event: every value under `data:`/`stringData:` (JSON or YAML). */
function redactSecretObjects(text: string): string {
  if (!/kind\\*["']?\s*:\s*\\*["']?Secret\b/.test(text)) return text;
  let out = text.replace(/(\\*"(?:data|stringData)\\*"\s*:\s*\{)[^}]*\}/g, (_m, head: string) => `${head}${mask('secret-data')}}`);
  out = out.replace(/^([ \t]*)(data|stringData):[ \t]*\n((?:\1[ \t]+[^\n]*(?:\n|$))+)/gm, (_m, indent: string, key: string) => `${indent}${key}: ${mask('secret-data')}\n`);
  return out;
}

/** Long base64 runs with mixed case and digits (PEM bodies, encoded keys): not hex digests, not words or paths. */
function redactBase64Runs(text: string): string {
  return text.replace(/(?<![A-Za-z0-9+/=])[A-Za-z0-9+/]{40,}={0,2}(?![A-Za-z0-9+/=])/g, (run) =>
    /[A-Z]/.test(run) && /[a-z]/.test(run) && /[0-9]/.test(run) && !/^(?:\/[A-Za-z0-9]*)+$/.test(run) ? mask('base64') : run,
  );
}

export function redactSecrets(text: string): string {
  let out = redactSecretObjects(text);
  for (const [re, replacement] of PATTERNS) {
    if (replacement === '') out = redactKeyValues(out, re);
    else out = typeof replacement === 'string' ? out.replace(re, replacement) : out.replace(re, replacement);
  }
  return redactBase64Runs(out);
}

/** Redacts every string inside a JSON-like value (blocks), keeping its shape. */
export function redactDeep<T>(value: T): T {
  if (typeof value === 'string') return redactSecrets(value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => redactDeep(v)) as T;
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactDeep(v as unknown)])) as T;
  }
  return value;
}
