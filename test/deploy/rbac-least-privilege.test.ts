// The read-only overlay's RBAC, rendered by the real `kubectl kustomize`, loaded into the Kubernetes API emulator;
// the real bot diagnoses two scenarios as the service account. Everything it asks must be granted, every grant
// must be needed by something it asked, and what it does not need must be refused.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ApiException, CoreV1Api } from '@kubernetes/client-node';
import { pino } from 'pino';
import { startBot } from '../../bot/bot.ts';
import { loadKubeConfig } from '../../jobs/kube/client-node-cluster.ts';
import { resolveScenario, type KubeObject } from '../../sandbox/scenario/index.ts';
import { brokenNodeOf, DEMO_CHANNEL, startSandboxStack, type SandboxStack } from '../../sandbox/sandbox-stack.ts';
import { BOT_USER, kustomize, type RenderedObject } from './render.ts';
import { grantsFor, grantText, requestAttrs, uncoveredRequests, unneededGrants, type Grant, type RequestAttrs } from './rbac-rules.ts';

const SA = { namespace: 'cilium-runbook', name: 'bot' };
const TOKEN = 'deploy-test-bot-token-0001';
/** Grants that a scenario run cannot exercise, with why. Empty today: the two scenarios together use every grant. */
const UNUSED_BY_DESIGN: Record<string, string> = {};

const rbacObjects = (objects: RenderedObject[]): KubeObject[] =>
  objects.filter((o) => o.apiVersion === 'rbac.authorization.k8s.io/v1');

async function startAsBot(scenario: string, rbac: KubeObject[]): Promise<SandboxStack> {
  const s = await startSandboxStack({ scenario: resolveScenario(scenario), redisUrl: inject('redisUrl'), startBot: false });
  s.kube.addUser({ token: TOKEN, username: BOT_USER });
  s.kube.loadRbac(rbac);
  s.bot = await startBot({ ...s.config, kube: { kubeconfigPath: s.kube.kubeconfigFor(BOT_USER), inCluster: false } }, { logger: pino({ level: 'silent' }) });
  return s;
}

/** `/cilium diagnose <node>`, then waits for the job to finish (completed or failed) rather than for a message
 * format, and returns the thread as text. */
async function diagnose(s: SandboxStack, node: string): Promise<string> {
  const sent = await s.slack.slashCommand({ text: `diagnose ${node}`, userId: 'U0ONCALL', channelId: DEMO_CHANNEL.id, command: '/cilium', via: 'socket' });
  expect(sent.status).toBe(200);
  const root = await s.slack.waitFor(() => s.slack.messages(DEMO_CHANNEL.id)[0], { timeoutMs: 10_000, description: 'root message' });
  const queue = s.bot?.queue.queue;
  if (queue === undefined) throw new Error('no bot');
  const deadline = Date.now() + 20_000;
  while ((await queue.getJobCountByTypes('completed', 'failed')) === 0) {
    if (Date.now() > deadline) throw new Error(`the diagnose job did not finish; thread:\n${s.slack.renderThread(DEMO_CHANNEL.id, root.ts)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  expect(await queue.getJobCountByTypes('failed')).toBe(0);
  return s.slack.renderThread(DEMO_CHANNEL.id, root.ts);
}

const RUNS = [
  { scenario: 'kube-proxy-conflict', node: 'node-2', finding: 'kube-proxy-conflict' },
  { scenario: 'kernel-too-old', node: undefined, finding: 'kernel-too-old' },
] as const;

describe('read-only overlay RBAC is exactly what the bot uses', () => {
  let rendered: RenderedObject[] = [];
  let grants: Grant[] = [];
  const requests: RequestAttrs[] = [];
  const users = new Set<string>();
  const transcripts: Record<string, string> = {};
  let last: SandboxStack | undefined;

  beforeAll(async () => {
    rendered = await kustomize('deploy/overlays/read-only');
    grants = grantsFor(rendered, SA);
    for (const run of RUNS) {
      const s = await startAsBot(run.scenario, rbacObjects(rendered));
      try {
        transcripts[run.scenario] = await diagnose(s, run.node ?? brokenNodeOf(s.scenario) ?? '');
        for (const e of s.kube.requestLog.entries()) {
          users.add(e.user);
          requests.push(...requestAttrs(e));
        }
      } finally {
        if (run === RUNS[RUNS.length - 1]) last = s;
        else await s.stop();
      }
    }
  }, 120_000);

  afterAll(async () => {
    await last?.stop();
  });

  it('the bot still produces its reports as the service account, with nothing missing for lack of permission', () => {
    for (const run of RUNS) {
      expect(transcripts[run.scenario]).toContain(run.finding);
      expect(transcripts[run.scenario]).not.toMatch(/forbidden|cannot (get|list|create)/i);
    }
  });

  it('every request was made as the service account and none was refused (403) or unauthenticated (401)', () => {
    expect([...users]).toEqual([BOT_USER]);
    expect(requests.length).toBeGreaterThan(10);
    const refused = requests.filter((r) => r.status === 403 || r.status === 401).map((r) => `${r.status} ${r.verb} ${r.resource} ${r.path}`);
    expect(refused).toEqual([]);
    // …and not merely because the emulator was lenient: each request is covered by a rendered grant, except the
    // self-review that Kubernetes allows every authenticated user.
    const uncovered = uncoveredRequests(grants, requests, () => false).map((r) => `${r.verb} ${r.apiGroup}/${r.resource} ${r.path}`);
    expect(uncovered).toEqual([]);
  });

  it('every granted verb × resource × name is needed by at least one request of the bot', () => {
    const unneeded = unneededGrants(grants, requests).map(grantText).filter((g) => !(g in UNUSED_BY_DESIGN));
    expect(unneeded).toEqual([]);
  });

  it('exec and logs are exercised on the scenarios that need them', () => {
    expect(requests.some((r) => r.resource === 'pods/exec' && r.status === 101)).toBe(true);
    expect(requests.some((r) => r.resource === 'pods/log' && r.status === 200)).toBe(true);
  });

  it('what the bot does not need is refused as that service account', async () => {
    const stack = last;
    if (stack === undefined) throw new Error('no stack');
    const core = loadKubeConfig({ kubeconfigPath: stack.kube.kubeconfigFor(BOT_USER) }).makeApiClient(CoreV1Api);
    const agent = stack.kube.store.list('v1', 'Pod', 'kube-system').find((p) => p.metadata.labels?.['k8s-app'] === 'cilium')?.metadata.name ?? 'cilium-x';
    const node = stack.kube.store.list('v1', 'Node')[0]?.metadata.name ?? 'node-1';
    const attempts: Array<[string, () => Promise<unknown>]> = [
      ['list secrets (all namespaces)', () => core.listSecretForAllNamespaces()],
      ['get a secret in kube-system', () => core.readNamespacedSecret({ namespace: 'kube-system', name: 'cilium-ca' })],
      ['list configmaps in kube-system', () => core.listNamespacedConfigMap({ namespace: 'kube-system' })],
      ['get another configmap in kube-system', () => core.readNamespacedConfigMap({ namespace: 'kube-system', name: 'coredns' })],
      ['get cilium-config outside kube-system', () => core.readNamespacedConfigMap({ namespace: 'default', name: 'cilium-config' })],
      ['get a pod (only list is granted)', () => core.readNamespacedPod({ namespace: 'kube-system', name: agent })],
      ['logs outside kube-system', () => core.readNamespacedPodLog({ namespace: 'default', name: 'web' })],
      ['watch nodes', () => core.listNode({ watch: true, timeoutSeconds: 1 })],
      ['delete the agent pod', () => core.deleteNamespacedPod({ namespace: 'kube-system', name: agent, dryRun: 'All' })],
      ['cordon a node', () => core.patchNode({ name: node, body: [{ op: 'replace', path: '/spec/unschedulable', value: true }], dryRun: 'All' })],
      ['create a pod', () => core.createNamespacedPod({ namespace: 'default', body: { metadata: { name: 'x' }, spec: { containers: [{ name: 'x', image: 'x' }] } }, dryRun: 'All' })],
    ];
    for (const [what, call] of attempts) {
      const outcome = await call().then(() => 'allowed', (e: unknown) => (e instanceof ApiException ? e.code : String(e)));
      expect({ what, outcome }).toEqual({ what, outcome: 403 });
    }
  });
});
