// The table of secret forms (secret-corpus.ts) against each rule set alone and against both, as redactSecrets runs
// them. The figures are the measurement asked for in issue 17 item 3: neither set alone covers the corpus.
import { describe, expect, it } from 'vitest';
import { redactSecrets } from '../../../bot/render/redact.ts';
import { redactWithOwnRules } from '../../../bot/render/secret-rules.ts';
import { redactWithSecretlint } from '../../../bot/render/secretlint-pass.ts';
import { NOT_SECRETS, SECRET_CORPUS } from './secret-corpus.ts';

const caught = (redact: (s: string) => string): string[] => SECRET_CORPUS.filter((c) => !redact(c.line).includes(c.secret)).map((c) => c.form);

describe('secret corpus', () => {
  it.each(SECRET_CORPUS.map((c) => [c.form, c] as const))('%s is masked, visibly', (_form, c) => {
    const out = redactSecrets(c.line);
    expect(out).not.toContain(c.secret);
    expect(out).toMatch(/\[redacted:[a-z0-9-]+\]/);
  });

  it.each(SECRET_CORPUS.map((c) => [c.form, c] as const))('%s is masked inside a logfmt-quoted error value too', (_form, c) => {
    const quoted = `level=error msg="call failed" error="${c.line.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}" subsys=daemon`;
    const escapedSecret = c.secret.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
    expect(redactSecrets(quoted)).not.toContain(escapedSecret);
  });

  it.each(NOT_SECRETS)('leaves %s unchanged', (line) => {
    expect(redactSecrets(line)).toBe(line);
  });

  it('measures both rule sets: ours and secretlint each miss forms the other catches; combined catches all', () => {
    const ours = caught(redactWithOwnRules);
    const theirs = caught(redactWithSecretlint);
    const both = caught(redactSecrets);
    expect(both).toHaveLength(SECRET_CORPUS.length);
    // Context forms (key=value, URL credentials, Authorization schemes) are ours alone…
    expect(theirs).not.toEqual(expect.arrayContaining(['PGPASSWORD=', 'redis://:pw@host', 'Digest response=', 'password%3D']));
    expect(ours).toEqual(expect.arrayContaining(['PGPASSWORD=', 'redis://:pw@host', 'Digest response=', 'password%3D']));
    // …and vendor token formats without context are secretlint's alone.
    expect(theirs).toEqual(expect.arrayContaining(['Hugging Face hf_', 'Databricks dapi', 'Tailscale tskey-']));
    expect(ours).not.toEqual(expect.arrayContaining(['Hugging Face hf_']));
    console.info(`secret corpus (${SECRET_CORPUS.length} forms) caught by: ours ${ours.length}, secretlint ${theirs.length}, combined ${both.length}`);
  });
});
