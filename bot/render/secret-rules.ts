// Our half of redaction: secrets by what surrounds them (`key=value`, `scheme://user:pw@`, `Authorization:`),
// which no token-format list can know, plus the token formats this bot meets in Kubernetes and Cilium logs.
// Runs on raw text, before any escaping or clipping (an escaped `&amp;` used to end a value after 1 character).
// Widened by test/fuzz/secrets.test.ts and the corpus in test/unit/bot/secret-corpus.ts.

export const mask = (kind: string): string => `[redacted:${kind}]`;

/** Words that make a key secret when its name ends with them: `password`, `PGPASSWORD`, `adminPassword`, `apiToken`. */
const SECRET_WORD =
  'password|passwd|passphrase|pwd|secret|token|api[_-]?key|apikey|client-key-data|private[_-]?key(?:[_-]?id)?|access[_-]?key(?:[_-]?id)?|account[_-]?key|credentials?';
/** A key name: the secret word with any prefix (`DB_`, `admin`, `bootstrap`), or `pass` as a whole word part (`DB_PASS`). */
const SECRET_KEY = `[A-Za-z0-9_.-]*?(?:${SECRET_WORD})|(?:[A-Za-z0-9_.-]*[_.-])?pass`;
/** `=`, `:` or their URL encodings (`password%3Dhunter2` in a logged query string). */
const KEY_SEP = '(?:[=:]|%3[dDaA])';

type Rule = [RegExp, string | ((...m: string[]) => string)];

const TOKEN_RULES: Rule[] = [
  // PEM private keys; a block cut before its END line (a clipped quote) is masked to the end of the text.
  [/-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----|$)/g, mask('private-key')],
  // Distinctive prefixes need no word boundary before them: in logs they often follow a literal `\n` or `\t` escape.
  [/xox[abposre]-[A-Za-z0-9-]{8,}/g, mask('slack-token')],
  [/xapp-[A-Za-z0-9-]{8,}/g, mask('slack-token')],
  [/https:\/\/hooks\.slack\.com\/(?:services|workflows)\/[A-Za-z0-9/_-]+/g, mask('slack-webhook')],
  // JWTs (also with the signature cut off by a clip).
  [/eyJ[A-Za-z0-9_-]{8,}\.(?:eyJ)?[A-Za-z0-9_-]{4,}(?:\.[A-Za-z0-9_-]*)?/g, mask('jwt')],
  // Any `Authorization:` credential whatever its scheme (`token …` is GitHub's); Digest is masked by its `response=`.
  [/((?:Proxy-)?Authorization\\*["']?\s*[:=]\s*\\*["']?)(?!Digest\b)([A-Za-z][A-Za-z0-9_-]*)(\s+)[^\s"'\\,;]{4,}/gi, (_m, head = '', scheme = '', sp = '') => `${head}${scheme}${sp}${mask('token')}`],
  [/(\bresponse\s*=\s*\\*"?)[0-9a-fA-F]{16,}/g, (_m, head = '') => `${head}${mask('digest')}`],
  // Authorization headers without the header name. Basic needs a digit, + or / in its token: "Basic connectivity" stays.
  [/(?<![A-Za-z0-9])(Bearer|bearer|BEARER)(\s+)[A-Za-z0-9._~+/=-]{8,}/g, (_m, scheme = '', sp = '') => `${scheme}${sp}${mask('token')}`],
  [/(?<![A-Za-z0-9])(Basic|basic|BASIC)(\s+)([A-Za-z0-9+/]{8,}={0,2})/g, (m, scheme = '', sp = '', token = '') => (/[0-9+/=]/.test(token) || /^.+[A-Z]/.test(token) ? `${scheme}${sp}${mask('token')}` : m)],
  // Cloud and forge tokens: AWS key ids, GCP keys and OAuth tokens, Azure SAS signatures, GitHub, GitLab, npm, Stripe.
  [/(?<![A-Z0-9])(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\b/g, mask('aws-key')],
  [/AIza[0-9A-Za-z_-]{35}/g, mask('gcp-key')],
  [/ya29\.[0-9A-Za-z_-]{20,}/g, mask('gcp-token')],
  [/([?&;]sig=)[A-Za-z0-9%+/=]{16,}/g, (_m, p = '') => `${p}${mask('azure-sas')}`],
  [/gh[pousr]_[A-Za-z0-9]{20,}/g, mask('github-token')],
  // Fine-grained PATs are 93 characters; a clipped or test one is shorter and still a secret.
  [/github_pat_[A-Za-z0-9_]{8,}/g, mask('github-token')],
  [/glpat-[A-Za-z0-9_-]{8,}/g, mask('gitlab-token')],
  [/(?<![A-Za-z0-9])npm_[A-Za-z0-9]{20,}/g, mask('npm-token')],
  [/(?<![A-Za-z0-9])(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{8,}/g, mask('stripe-key')],
  // Passwords in URLs: scheme://user:password@host, also with an empty user (`redis://:pw@host`).
  [/\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@"'<>]*):([^\s@/"'<>]+)@/gi, (_m, head = '') => `${head}:${mask('password')}@`],
];

/** Key names ending in `key` whose value carries hex key material (`ipsec-key=3+ rfc4106(gcm(aes)) 0a1b… 128`). */
const HEX_KEY_VALUE = /((?<![A-Za-z0-9])[A-Za-z0-9_.-]*key\\*["']?[ \t]*[=:][ \t]*)([^\n"]*)/gi;

function redactHexKeyMaterial(text: string): string {
  return text.replace(HEX_KEY_VALUE, (m, head: string, value: string) => {
    const masked = value.replace(/(?<![0-9A-Za-z])(?:0x)?[0-9a-fA-F]{16,}(?![0-9A-Za-z])/g, mask('key'));
    return masked === value ? m : head + masked;
  });
}

/** `key=value` (and `key: value`, `"key": "value"`): the value may be bare, quoted, or quoted with escaped quotes. */
const KEY_VALUE = new RegExp(
  // Not after a letter, digit, `/` or `.` (`…/serviceaccount/token: no such file` is a path), but after a `\n` escape.
  // Quotes may carry any number of backslashes: a JSON value inside a logfmt value inside a quoted log line.
  `(?:(?<![A-Za-z0-9/._-])|(?<=\\\\[nrt]))(${SECRET_KEY})(\\\\*["']?[ \\t]*${KEY_SEP}[ \\t]*)(\\\\*["'])?`,
  'gi',
);

const NOT_A_VALUE = /^(?:<nil>|nil|null|none|true|false|\*+|""|'')$/i;

function maskKindFor(key: string): string {
  if (/token/i.test(key)) return 'token';
  return /key|data/i.test(key) ? 'key' : 'password';
}

/** Masks the value after each secret-looking key; quoted values to their closing quote, bare ones to a separator. */
function redactKeyValues(text: string): string {
  let out = '';
  let last = 0;
  KEY_VALUE.lastIndex = 0;
  for (let m = KEY_VALUE.exec(text); m !== null; m = KEY_VALUE.exec(text)) {
    const [whole, key = '', sep = '', quote] = m;
    const valueStart = m.index + whole.length;
    let valueEnd: number;
    if (quote !== undefined) {
      const q = quote.slice(-1);
      const close = text.indexOf(q, valueStart);
      const lineEnd = text.indexOf('\n', valueStart);
      valueEnd = close === -1 || (lineEnd !== -1 && lineEnd < close) ? (lineEnd === -1 ? text.length : lineEnd) : close;
      // The backslashes of an escaped closing quote belong to the quote, not the value.
      while (valueEnd > valueStart && text[valueEnd - 1] === '\\') valueEnd--;
    } else {
      // `&` does not end a bare value: `password=p&ssw0rd1` is one password (a query string loses its tail: fine).
      valueEnd = valueStart;
      while (valueEnd < text.length && !/[\s"',;})\]\\]/.test(text[valueEnd] ?? ' ')) valueEnd++;
    }
    const value = text.slice(valueStart, valueEnd);
    // Nothing to hide (empty, already masked, or a word like "token: <nil>"): leave as is.
    if (value.length < (quote === undefined ? 4 : 1) || value.startsWith('[redacted:') || NOT_A_VALUE.test(value)) continue;
    out += text.slice(last, m.index) + key + sep + (quote ?? '') + mask(maskKindFor(key));
    last = valueEnd;
    KEY_VALUE.lastIndex = Math.max(valueEnd, KEY_VALUE.lastIndex);
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

/** Our rules alone (redact.ts pairs them with secretlint's). */
export function redactWithOwnRules(text: string): string {
  let out = redactSecretObjects(text);
  for (const [re, replacement] of TOKEN_RULES) {
    out = typeof replacement === 'string' ? out.replace(re, replacement) : out.replace(re, replacement);
  }
  out = redactHexKeyMaterial(out);
  out = redactKeyValues(out);
  return redactBase64Runs(out);
}
