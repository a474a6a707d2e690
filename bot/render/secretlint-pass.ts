// The maintained half of redaction: secretlint's recommended preset (token formats of Slack, GitHub, GitLab, npm,
// Stripe, AWS, OpenAI, …, kept current upstream), driven synchronously. @secretlint/core's lintSource is async and
// built for files; every rule's `file(source)` handler is a plain synchronous scan that calls `context.report`, so
// the rules are run here directly, in-process and offline, on every string that is about to leave the process.
// Rules: https://github.com/secretlint/secretlint/tree/master/packages/%40secretlint/secretlint-rule-preset-recommend
import { rules } from '@secretlint/secretlint-rule-preset-recommend';

interface Range {
  start: number;
  end: number;
  kind: string;
}

interface ScannerSource {
  content: string;
  filePath: string;
  ext: string;
  contentType: 'text';
}

interface ScannerRule {
  meta: { id: string; type: string };
  create(context: ScannerContext, options: Record<string, unknown>): { file?: (source: ScannerSource) => unknown };
}

interface ScannerContext {
  createTranslator: () => (id: string) => string;
  report: (d: { range: readonly [number, number] }) => void;
  ignore: () => void;
}

/** Our names for what both rule sets know, so a mask reads the same whichever set found it. */
const SAME_AS_OURS: Record<string, string> = { slack: 'slack-token', github: 'github-token', gitlab: 'gitlab-token', npm: 'npm-token', stripe: 'stripe-key', aws: 'aws-key', privatekey: 'private-key', basicauth: 'password' };

/** `@secretlint/secretlint-rule-hashicorp-vault` → `hashicorp-vault`: the mask names the rule that found it. */
function kindOf(id: string): string {
  const rule = id.replace(/^@secretlint\/secretlint-rule-/, '');
  return SAME_AS_OURS[rule] ?? rule;
}

// Scanners only: the preset's comment filter (`secretlint-disable`) must not let a log line switch redaction off.
// Each rule is created once; its handler reports into `found`, set for the duration of one scan.
let found: Range[] = [];
const HANDLERS = (rules as unknown as ScannerRule[])
  .filter((r) => r.meta.type === 'scanner')
  .map((rule) => {
    const kind = kindOf(rule.meta.id);
    const context: ScannerContext = {
      createTranslator: () => (id: string) => id,
      report: ({ range }) => void found.push({ start: range[0], end: range[1], kind }),
      ignore: () => undefined,
    };
    return rule.create(context, { allows: [] }).file;
  });

/** Where secretlint's recommended rules find a secret in `text` (ranges may overlap). */
export function secretlintRanges(text: string): Range[] {
  found = [];
  // A neutral text file: no rule takes its `.json`/`.p12`/`package.json` branches, which read the disk.
  const source: ScannerSource = { content: text, filePath: 'evidence.txt', ext: '.txt', contentType: 'text' };
  for (const file of HANDLERS) {
    try {
      void file?.(source);
    } catch {
      // A rule that throws on odd input must not stop the others (or the post): ours still run before.
    }
  }
  const out = found;
  found = [];
  return out;
}

/** Masks every range secretlint reports, as `[redacted:<rule>]`; overlapping ranges are merged. */
export function redactWithSecretlint(text: string): string {
  // A range over one of our masks (`postgres://u:[redacted:password]@db/app`) has nothing left to hide.
  const masked = [...text.matchAll(/\[redacted:[a-z0-9-]+\]/g)].map((m) => [m.index, m.index + m[0].length] as const);
  const ranges = secretlintRanges(text)
    .filter((r) => r.end > r.start && !masked.some(([s, e]) => r.start < e && s < r.end))
    .sort((a, b) => a.start - b.start || b.end - a.end);
  if (ranges.length === 0) return text;
  let out = '';
  let last = 0;
  for (const r of ranges) {
    if (r.end <= last) continue;
    out += text.slice(last, Math.max(last, r.start)) + `[redacted:${r.kind}]`;
    last = r.end;
  }
  return out + text.slice(last);
}
