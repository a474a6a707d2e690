// Secrets never reach Slack. Part 1: redactSecrets as a property: realistic secrets of every kind the issue names,
// embedded at random positions in random text and Cilium log lines, are always masked with a visible
// `[redacted:…]`, and every bundled Cilium log line (and every object and exec output of every bundled scenario)
// comes through unchanged. Part 2: end to end: secrets seeded into the broken node's agent logs, its events and the
// cilium-config ConfigMap; a real diagnosis runs through the bot; nothing the Slack emulator stored (messages with
// their edit history, ephemerals, files, response_url posts, every Web API call's params) contains any of them.
import { createHmac, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { escapeMrkdwn } from '../../bot/render/mrkdwn.ts';
import { redactSecrets } from '../../bot/render/redact.ts';
import { listScenarios, resolveScenario, type KubeObject, type Scenario } from '../../sandbox/scenario/index.ts';
import { agentStartLines, generateCluster, healthyAgentLog, mapCreateCrashLog, MAP_CREATE_ENOMEM_ERROR, MAP_CREATE_ENOMEM_FATAL } from '../../sandbox/scenario/generate.ts';
import { DEMO_CHANNEL } from '../../sandbox/sandbox-stack.ts';
import { fuzzStack, type FuzzStack } from './stack.ts';
import { SECRET_CORPUS } from '../unit/bot/secret-corpus.ts';

const chars = (alphabet: string, min: number, max: number) => fc.string({ unit: fc.constantFrom(...alphabet), minLength: min, maxLength: max });
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const DIGITS = '0123456789';
const ALNUM = UPPER + LOWER + DIGITS;
const B64 = `${ALNUM}+/`;
/** Strong enough to be a real secret: mixed case and a digit, so it cannot be an ordinary word. */
const strong = (alphabet: string, min: number, max: number) => chars(alphabet, min, max).filter((s) => /[A-Z]/.test(s) && /[a-z]/.test(s) && /[0-9]/.test(s));
const password = strong(`${ALNUM}!#$%^*_+-.~@`, 8, 24);

/** `text` as it appears in a log line; `secrets` must never appear in anything posted; `kind` the expected mask. */
export interface Seeded {
  kind: string;
  text: string;
  secrets: string[];
}

const b64url = (s: string) => Buffer.from(s).toString('base64url');
export const secretArbs: Record<string, fc.Arbitrary<Seeded>> = {
  slackBot: fc.tuple(chars(DIGITS, 10, 13), chars(DIGITS, 10, 13), strong(ALNUM, 24, 24)).map(([a, b, c]) => ({ kind: 'slack-token', text: `xoxb-${a}-${b}-${c}`, secrets: [`${a}-${b}-${c}`, c] })),
  slackUser: fc.tuple(chars(DIGITS, 10, 13), strong(ALNUM, 32, 32)).map(([a, c]) => ({ kind: 'slack-token', text: `xoxp-${a}-${a}-${a}-${c}`, secrets: [c] })),
  slackApp: fc.tuple(chars(UPPER + DIGITS, 10, 11), chars(DIGITS, 13, 13), chars('0123456789abcdef', 64, 64)).map(([a, b, c]) => ({ kind: 'slack-token', text: `xapp-1-A${a}-${b}-${c}`, secrets: [c] })),
  bearer: strong(`${ALNUM}._~+/-`, 20, 60).map((t) => ({ kind: 'token', text: `Authorization: Bearer ${t}`, secrets: [t] })),
  basic: fc.tuple(chars(LOWER, 4, 10), password).map(([u, p]) => {
    const t = Buffer.from(`${u}:${p}`).toString('base64');
    return { kind: 'token', text: `Authorization: Basic ${t}`, secrets: [t] };
  }),
  jwt: fc.tuple(chars(LOWER, 3, 12), strong(ALNUM, 20, 40)).map(([sub, key]) => {
    const head = b64url('{"alg":"RS256","kid":"k1"}');
    const body = b64url(JSON.stringify({ iss: 'https://kubernetes.default.svc', sub: `system:serviceaccount:kube-system:${sub}`, exp: 1900000000 }));
    const sig = createHmac('sha256', key).update(`${head}.${body}`).digest('base64url');
    return { kind: 'jwt', text: `${head}.${body}.${sig}`, secrets: [sig, `${head}.${body}`] };
  }),
  awsKeyId: chars(UPPER + DIGITS, 16, 16).map((k) => ({ kind: 'aws-key', text: `AKIA${k}`, secrets: [`AKIA${k}`] })),
  awsSecret: strong(B64, 40, 40).map((k) => ({ kind: 'key', text: `aws_secret_access_key = ${k}`, secrets: [k] })),
  gcpKey: chars(`${ALNUM}_-`, 35, 35).map((k) => ({ kind: 'gcp-key', text: `key=AIza${k}`, secrets: [`AIza${k}`] })),
  gcpServiceAccount: fc.tuple(chars('0123456789abcdef', 40, 40), strong(B64, 64, 64)).map(([id, body]) => ({
    kind: 'private-key', text: `{"type":"service_account","private_key_id":"${id}","private_key":"-----BEGIN PRIVATE KEY-----\\n${body}\\n-----END PRIVATE KEY-----\\n"}`, secrets: [id, body],
  })),
  azureAccountKey: strong(B64, 86, 86).map((k) => ({ kind: 'key', text: `DefaultEndpointsProtocol=https;AccountName=diag;AccountKey=${k}==;EndpointSuffix=core.windows.net`, secrets: [k] })),
  azureSas: strong(B64, 43, 43).map((k) => ({ kind: 'azure-sas', text: `https://diag.blob.core.windows.net/c/x?sv=2022-11-02&sr=b&sig=${encodeURIComponent(`${k}=`)}`, secrets: [k, encodeURIComponent(`${k}=`)] })),
  passwordPair: fc.tuple(fc.constantFrom('password', 'PASSWORD', 'passwd', 'db_password', 'client_secret', 'api_key', 'apiKey', 'secret'), fc.constantFrom('=', ': ', ' = ', '='), password).map(([k, sep, p]) => ({ kind: /key/i.test(k) ? 'key' : 'password', text: `${k}${sep}${p}`, secrets: [p] })),
  quotedPassword: fc.tuple(password, chars(LOWER, 3, 8)).map(([p, w]) => ({ kind: 'password', text: `password="${p} ${w}${p}"`, secrets: [p] })),
  escapedPassword: password.map((p) => ({ kind: 'password', text: `error="login failed: password=\\"${p}\\" rejected"`, secrets: [p] })),
  jsonPassword: password.map((p) => ({ kind: 'password', text: `{"user":"admin","password":"${p}"}`, secrets: [p] })),
  urlPassword: fc.tuple(fc.constantFrom('postgres', 'https', 'redis', 'amqp', 'mysql'), chars(LOWER, 3, 10), password.filter((p) => !p.includes('@'))).map(([scheme, u, p]) => ({ kind: 'password', text: `${scheme}://${u}:${p}@db.internal.example:5432/app`, secrets: [`${u}:${p}@`, p] })),
  pem: fc.tuple(fc.constantFrom('RSA ', 'EC ', 'OPENSSH ', ''), fc.array(strong(B64, 64, 64), { minLength: 2, maxLength: 5 })).map(([t, lines]) => ({
    kind: 'private-key', text: `-----BEGIN ${t}PRIVATE KEY-----\n${lines.join('\n')}\n-----END ${t}PRIVATE KEY-----`, secrets: lines,
  })),
  kubeToken: strong(`${ALNUM}._-`, 30, 60).map((t) => ({ kind: 'token', text: `    token: ${t}`, secrets: [t] })),
  kubeClientKey: strong(B64, 60, 120).map((k) => ({ kind: 'key', text: `    client-key-data: ${k}=`, secrets: [k] })),
  secretDataJson: fc.tuple(strong(B64, 12, 40), strong(B64, 12, 40)).map(([a, b]) => ({ kind: 'secret-data', text: `{"apiVersion":"v1","kind":"Secret","metadata":{"name":"db"},"data":{"username":"${a}","tls.key":"${b}"}}`, secrets: [a, b] })),
  githubToken: strong(ALNUM, 36, 36).map((t) => ({ kind: 'github-token', text: `ghp_${t}`, secrets: [t] })),
  slackWebhook: fc.tuple(chars(UPPER + DIGITS, 9, 11), strong(ALNUM, 24, 24)).map(([b, t]) => ({ kind: 'slack-webhook', text: `https://hooks.slack.com/services/T0CILIUM1/B${b}/${t}`, secrets: [t] })),
};
export const anySecret = fc.oneof(...Object.values(secretArbs));

/** Every log line the sandbox knows Cilium prints, plus every line of every bundled scenario. */
function ciliumLines(): string[] {
  const ctx = { memoryBytes: 16 * 2 ** 30, apiserver: 'https://10.100.0.1:443', kubeProxyReplacement: true };
  const lines = new Set<string>([...agentStartLines(ctx), ...healthyAgentLog(ctx).split('\n'), ...mapCreateCrashLog({ ...ctx, kubeProxyReplacement: false }).split('\n'), MAP_CREATE_ENOMEM_ERROR, MAP_CREATE_ENOMEM_FATAL]);
  for (const name of listScenarios()) {
    const s = resolveScenario(name);
    for (const t of [...s.logs.flatMap((l) => [l.current ?? '', l.previous ?? '']), ...s.exec.flatMap((e) => [e.stdout, e.stderr]), ...s.objects.map((o) => JSON.stringify(o))]) {
      for (const line of t.split('\n')) lines.add(line);
    }
  }
  lines.delete('');
  return [...lines];
}
const CILIUM_LINES = ciliumLines();

/** Logfmt-quoted, as the agent prints an error value (quotes and newlines escaped). */
const logfmt = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

/** A leak check that also catches the JSON-escaped and mrkdwn-escaped forms. */
function leaks(haystack: string, secrets: string[]): string[] {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return secrets.filter((s) => [s, JSON.stringify(s).slice(1, -1), esc(s)].some((form) => haystack.includes(form)));
}

describe('redactSecrets', () => {
  const separator = fc.constantFrom(' ', '\n', '\t', '"', '=', '(', ', ', ' msg="', '\\n', ';');
  const filler = fc.oneof(fc.constantFrom(...CILIUM_LINES), fc.string({ maxLength: 80 }), fc.string({ unit: 'grapheme', maxLength: 40 }));

  // How a secret reaches the renderer: as printed, inside a logfmt value (once or twice), inside JSON, and
  // mrkdwn-escaped (evidence is escaped before it is redacted). The end-to-end test below found the last three.
  const encodings: Record<string, (s: string) => string> = {
    raw: (x) => x,
    logfmt: (x) => logfmt(x),
    logfmtTwice: (x) => logfmt(logfmt(x)),
    json: (x) => JSON.stringify(x).slice(1, -1),
    mrkdwn: (x) => escapeMrkdwn(x),
    logfmtMrkdwn: (x) => escapeMrkdwn(logfmt(x)),
  };
  const encoding = fc.constantFrom(...Object.keys(encodings));

  it('20,000 secrets of every kind, encoded as logs carry them, at random positions in random text: always masked, visibly', () => {
    fc.assert(
      fc.property(anySecret, encoding, filler, filler, separator, separator, (seed, enc, before, after, s1, s2) => {
        fc.pre(seed.secrets.every((s) => !before.includes(s) && !after.includes(s)));
        const text = `${before}${s1}${(encodings[enc] as (s: string) => string)(seed.text)}${s2}${after}`;
        const out = redactSecrets(text);
        expect(leaks(out, seed.secrets), `${seed.kind}: ${out}`).toEqual([]);
        expect(out).toContain('[redacted:');
      }),
      { numRuns: 20_000 },
    );
  });

  it('each kind names itself in the mask, e.g. [redacted:aws-key]', () => {
    for (const [name, arb] of Object.entries(secretArbs)) {
      for (const seed of fc.sample(arb, { numRuns: 20, seed: 1 })) {
        const out = redactSecrets(`level=error msg="call failed" error="${seed.text}" subsys=k8s-client`);
        expect(out, name).toContain(`[redacted:${seed.kind}]`);
      }
    }
  });

  it('secrets survive no clip: a quote cut in the middle of a PEM block or JWT still hides what is left', () => {
    for (const seed of fc.sample(fc.oneof(secretArbs.pem as fc.Arbitrary<Seeded>, secretArbs.jwt as fc.Arbitrary<Seeded>), { numRuns: 200, seed: 2 })) {
      const cut = seed.text.slice(0, Math.floor(seed.text.length * 0.7));
      const out = redactSecrets(`evidence: ${cut}…`);
      for (const s of seed.secrets) expect(out).not.toContain(s.slice(0, 40));
    }
  });

  it(`every bundled Cilium log line, exec output and scenario object (${CILIUM_LINES.length} lines) comes through unchanged`, () => {
    const changed = CILIUM_LINES.filter((l) => redactSecrets(l) !== l);
    expect(changed).toEqual([]);
  });

  it('ordinary words near secret-looking keys are kept', () => {
    for (const line of [
      'level=info msg="Basic connectivity check passed" subsys=health',
      'level=warning msg="Unable to read service account token" error="open /var/run/secrets/kubernetes.io/serviceaccount/token: no such file or directory" subsys=k8s-client',
      'level=info msg="Secret synced" name=cilium-ca subsys=k8s-watcher',
      'image=quay.io/cilium/cilium@sha256:4a1e3f0d54b0e0a9a7f1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f5a6b',
      'level=info msg="Policy imported via API" policyRevision=42 subsys=daemon',
      'level=info msg="  --enable-ipsec-key-watcher=\'true\'" subsys=daemon',
    ]) expect(redactSecrets(line)).toBe(line);
  });
});


/**
 * Five crash-looping agents whose last error lines (what the agent-crashloop runbook quotes, 5 per node, and cuts
 * to 160 characters in its summary) each carry one seed; the same seeds go into their events and cilium-config.
 */
function seededCluster(seeds: Seeded[]): { scenario: Scenario; nodes: string[] } {
  const count = Math.max(5, Math.ceil(seeds.length / 5));
  const base = generateCluster({ nodes: count, broken: { count, reason: 'bpf-map-create-failed' }, name: 'secrets' });
  const ctx = { memoryBytes: 16 * 2 ** 30, apiserver: 'https://10.100.0.1:443', kubeProxyReplacement: true };
  const agents = base.objects.filter((o) => o.kind === 'Pod' && o.metadata.labels?.['k8s-app'] === 'cilium');
  const nodes = agents.map((a) => (a as { spec?: { nodeName?: string } }).spec?.nodeName ?? '');
  const perNode = (i: number) => seeds.slice(i * 5, i * 5 + 5);
  const logs = base.logs.map((l) => {
    const i = agents.findIndex((a) => a.metadata.name === l.pod);
    if (i < 0) return l;
    const mine = perNode(i);
    const errors = mine.map((seed, n) => (n === mine.length - 1
      ? `level=fatal msg="failed to start: daemon creation failed" error="${logfmt(seed.text)}" subsys=daemon`
      : `level=error msg="Failed to initialize datapath" error="${logfmt(seed.text)}" subsys=daemon`));
    const log = `${[...agentStartLines(ctx), ...errors].join('\n')}\n`;
    return { ...l, current: log, previous: log };
  });
  const objects = base.objects.map((o): KubeObject => {
    if (o.kind === 'Event') return { ...o, message: `${(o as { message?: string }).message ?? ''} ${seeds[o.metadata.name.length % seeds.length]?.text ?? ''}` };
    if (o.kind === 'ConfigMap' && o.metadata.name === 'cilium-config') {
      const data = { ...((o as { data?: Record<string, string> }).data ?? {}) };
      seeds.forEach((seed, n) => void (data[`debug-note-${n}`] = seed.text));
      return { ...o, data };
    }
    return o;
  });
  return { scenario: { ...base, logs, objects }, nodes };
}

describe('no secret reaches Slack end to end', () => {
  let s: FuzzStack | undefined;
  afterAll(async () => {
    await s?.stop();
  });

  it('secrets of every kind in agent logs, events and config: five real diagnoses post none of them, and show the masks', async () => {
    const seeds = Object.values(secretArbs).map((arb, k) => fc.sample(arb, { numRuns: 1, seed: 100 + k })[0] as Seeded);
    // A random per-run secret too, so nothing here can pass by matching fixed strings.
    const random = `${randomBytes(24).toString('base64url')}X9a`;
    seeds.push({ kind: 'token', text: `token=${random}`, secrets: [random] });
    expect(seeds.length).toBeLessThanOrEqual(25);
    const { scenario, nodes } = seededCluster(seeds);
    s = await fuzzStack(scenario, { mode: 'socket' });
    const slack = s.slack;
    for (const node of nodes) {
      await slack.slashCommand({ text: `diagnose ${node}`, userId: 'U0ONCALL', channelId: DEMO_CHANNEL.id, command: '/cilium', via: 'socket' });
      const root = await slack.waitFor(() => slack.messages(DEMO_CHANNEL.id).find((m) => m.text.includes(node) || slack.thread(DEMO_CHANNEL.id, m.ts).some((r) => r.text.includes(node))), { timeoutMs: 10_000 });
      await slack.waitFor(() => slack.thread(DEMO_CHANNEL.id, root.ts).some((m) => m.text.startsWith('Diagnosis of')) || undefined, { timeoutMs: 25_000, description: `report for ${node}` });
    }
    // Also the postmortem export (a file upload) and the timeline, which re-render the incident.
    await slack.slashCommand({ text: 'export INC-1', userId: 'U0ONCALL', channelId: DEMO_CHANNEL.id, command: '/cilium', via: 'socket' });
    // A file is listed from files.getUploadURLExternal on, with its bytes only once they are uploaded: wait for every
    // upload to complete, or a leak in a file could be missed.
    await slack.waitFor(() => (slack.files().some((f) => f.name.endsWith('-postmortem.md')) && slack.files().every((f) => f.completed)) || undefined, { timeoutMs: 10_000, description: 'export file' });
    const tl = await slack.slashCommand({ text: 'timeline INC-2', userId: 'U0ONCALL', channelId: DEMO_CHANNEL.id, command: '/cilium', via: 'socket' });
    await slack.waitFor(() => slack.responseUrlPosts(tl.responseUrl)[0], { timeoutMs: 10_000, description: 'timeline' });

    const roots = slack.messages(DEMO_CHANNEL.id);
    expect(roots.length).toBe(5);
    const stored = JSON.stringify({
      messages: [...roots, ...roots.flatMap((m) => slack.thread(DEMO_CHANNEL.id, m.ts))],
      ephemerals: slack.ephemerals(),
      responseUrlPosts: slack.responseUrlPosts(),
      calls: slack.calls().map((c) => c.params),
    });
    const files = slack.files().map((f) => f.content.toString('utf8')).join('\n');
    const everything = `${stored}\n${files}`;
    const leaked = seeds.flatMap((seed) => leaks(everything, seed.secrets).map((x) => `${seed.kind}: ${x}`));
    expect(leaked).toEqual([]);
    // The net did its work visibly: the reports quoted the seeded lines, masked.
    const transcripts = roots.map((r) => slack.renderThread(DEMO_CHANNEL.id, r.ts)).join('\n');
    expect(transcripts).toMatch(/agent-crashloop/);
    const kinds = new Set([...transcripts.matchAll(/\[redacted:([a-z0-9-]+)\]/g)].map((m) => m[1]));
    expect([...kinds].sort()).toEqual(expect.arrayContaining(['aws-key', 'jwt', 'password', 'private-key', 'slack-token', 'token']));
    expect(kinds.size).toBeGreaterThanOrEqual(10);
  });
});

describe('issue 17 end to end: the corpus of secret forms, injected mentions, a note', () => {
  let s: FuzzStack | undefined;
  afterAll(async () => {
    await s?.stop();
  });

  it('every corpus form in agent logs, events and config: no secret in any message, edit, ephemeral, file or log line; no mention from data', async () => {
    const attack = '<!channel> <@U0ATTACKER> <https://evil.example|Re-authenticate here>';
    const seeds: Seeded[] = SECRET_CORPUS.map((c) => ({ kind: c.form, text: c.line, secrets: [c.secret] }));
    seeds.push({ kind: 'attack', text: `${attack} \u202E ${'`'.repeat(4)} PGPASSWORD=AttackPw77x`, secrets: ['AttackPw77x'] });
    const { scenario, nodes } = seededCluster(seeds);
    s = await fuzzStack(scenario, { mode: 'socket' });
    const slack = s.slack;
    for (const node of nodes) {
      await slack.slashCommand({ text: `diagnose ${node}`, userId: 'U0ONCALL', channelId: DEMO_CHANNEL.id, command: '/cilium', via: 'socket' });
      const root = await slack.waitFor(() => slack.messages(DEMO_CHANNEL.id).find((m) => slack.thread(DEMO_CHANNEL.id, m.ts).some((r) => r.text.includes(node))), { timeoutMs: 10_000 });
      await slack.waitFor(() => slack.thread(DEMO_CHANNEL.id, root.ts).some((m) => m.text.startsWith('Diagnosis of')) || undefined, { timeoutMs: 25_000, description: `report for ${node}` });
    }
    // A note carrying mentions, a disguised link and a secret; the open-incident list; a command with a mention.
    await slack.slashCommand({ text: `note INC-1 ${attack} DB_PASS=s3cr3tDbPa55`, userId: 'U0ONCALL', channelId: DEMO_CHANNEL.id, command: '/cilium', via: 'socket' });
    const list = await slack.slashCommand({ text: 'incidents', userId: 'U0ONCALL', channelId: DEMO_CHANNEL.id, command: '/cilium', via: 'socket' });
    await slack.slashCommand({ text: '<!here> apiToken=t0k3nValue9931XY', userId: 'U0ONCALL', channelId: DEMO_CHANNEL.id, command: '/cilium', via: 'socket' });
    await slack.waitFor(() => slack.responseUrlPosts(list.responseUrl)[0], { timeoutMs: 10_000, description: 'incidents list' });
    const root1 = slack.messages(DEMO_CHANNEL.id).find((m) => m.text.startsWith('INC-1'));
    await slack.waitFor(() => (root1 !== undefined && slack.thread(DEMO_CHANNEL.id, root1.ts).some((m) => m.text.includes('Re-authenticate'))) || undefined, { timeoutMs: 10_000, description: 'note' });
    await slack.waitFor(() => slack.files().every((f) => f.completed) || undefined, { timeoutMs: 10_000, description: 'uploads' });

    const roots = slack.messages(DEMO_CHANNEL.id);
    const posted = JSON.stringify({
      messages: [...roots, ...roots.flatMap((m) => slack.thread(DEMO_CHANNEL.id, m.ts))],
      ephemerals: slack.ephemerals(),
      responseUrlPosts: slack.responseUrlPosts(),
      calls: slack.calls().map((c) => c.params),
    });
    const everything = `${posted}\n${slack.files().map((f) => f.content.toString('utf8')).join('\n')}\n${JSON.stringify(s.logs)}`;
    const leaked = [...seeds, { kind: 'note', text: '', secrets: ['s3cr3tDbPa55', 't0k3nValue9931XY'] }].flatMap((seed) => leaks(everything, seed.secrets).map((x) => `${seed.kind}: ${x}`));
    expect(leaked).toEqual([]);
    // Mentions and links only from the bot's templates: the seeded ones are nowhere in what Slack was sent.
    for (const bad of ['<!channel>', '<!here>', '<@U0ATTACKER>', '<https://evil.example']) expect(posted).not.toContain(bad);
    expect(posted).not.toContain('\u202e');
    // Every report was posted (none refused by the emulator's Block Kit validation) and quoted the seeded lines.
    const transcripts = roots.map((r) => slack.renderThread(DEMO_CHANNEL.id, r.ts)).join('\n');
    expect(transcripts.match(/Diagnosis of /g)?.length).toBeGreaterThanOrEqual(nodes.length);
    expect(transcripts).toContain('[redacted:');
    expect(slack.calls().filter((c) => c.error === 'invalid_blocks').map((c) => c.method)).toEqual([]);
  });
});
