// Each overlay's RBAC, rendered by the real `kubectl kustomize` (for Cilium outside kube-system: with the documented
// patch of deploy/examples/cilium-namespace), loaded into the Kubernetes API emulator; the real bot diagnoses as the
// service account. Everything it asks must be granted, every grant must be needed by something it asked, what it
// does not need must be refused, and with the exec overlay every command it runs must be one the policy allows.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ApiException, CoreV1Api, Exec } from '@kubernetes/client-node';
import { pino } from 'pino';
import { startBot } from '../../bot/bot.ts';
import { loadKubeConfig } from '../../jobs/kube/client-node-cluster.ts';
import { resolveScenario } from '../../sandbox/scenario/index.ts';
import { brokenNodeOf, DEMO_CHANNEL, startSandboxStack, type SandboxStack } from '../../sandbox/sandbox-stack.ts';
import { z } from 'zod';
import { parseNodeProbeEnv } from '../../jobs/collect/node-probe/probe-config.ts';
import { allowedArgv, execPolicy, execRequests, type ExecOptions } from './exec-policy.ts';
import { relocateCilium } from './relocate-cilium.ts';
import { BOT_USER, kustomizeForCiliumNamespace, type RenderedObject } from './render.ts';
import { grantsFor, grantText, requestAttrs, uncoveredRequests, unneededGrants, type RequestAttrs } from './rbac-rules.ts';

const SA = { namespace: 'cilium-runbook', name: 'bot' };
const TOKEN = 'deploy-test-bot-token-0001';
/** Allowed argv no scenario run can exercise, with why. */
const EXEC_UNUSED_BY_DESIGN: Record<string, string> = {
  '["cilium","status","--verbose"]': 'the status CLI of Cilium before 1.15 (renamed cilium-dbg in 1.15); the scenarios these runs use are 1.15+',
};
/** Grants no scenario run can exercise, with why. */
const UNUSED_BY_DESIGN: Record<string, string> = {
  'get core/configmaps[kube-proxy-config] @kube-system': "EKS's name for kube-proxy's ConfigMap; the scenarios are kubeadm-like",
  'list cilium.io/ciliumendpoints @cluster': 'read by `/cilium diagnose pod` (the pod\'s CiliumEndpoint); these runs diagnose nodes',
};

interface Case {
  overlay: 'read-only' | 'read-only-exec' | 'node-probe';
  ciliumNamespace: string;
  runs: Array<{ scenario: string; node?: string; finding: string }>;
}
const KUBE_PROXY = { scenario: 'kube-proxy-conflict', node: 'node-2', finding: 'kube-proxy-conflict' };
const KERNEL = { scenario: 'kernel-too-old', finding: 'kernel-too-old' };
const CASES: Case[] = [
  { overlay: 'read-only', ciliumNamespace: 'kube-system', runs: [KUBE_PROXY, KERNEL] },
  { overlay: 'read-only-exec', ciliumNamespace: 'kube-system', runs: [KUBE_PROXY, KERNEL] },
  { overlay: 'read-only', ciliumNamespace: 'cilium', runs: [KUBE_PROXY] },
  { overlay: 'read-only-exec', ciliumNamespace: 'cilium', runs: [KUBE_PROXY] },
  // The agent crash-loops on kernel-too-old: the probe runs (create, poll, log, delete, and the sweeper's list).
  { overlay: 'node-probe', ciliumNamespace: 'kube-system', runs: [KERNEL] },
];
/** Without exec in the agent (no exec overlay). */
const noExec = (c: Case): boolean => c.overlay !== 'read-only-exec';
const caseName = (c: Case): string => `${c.overlay} with Cilium in ${c.ciliumNamespace}`;

/**
 * What today's collector (jobs/collect) still gets wrong against these overlays, recorded from its runs. The
 * collector change of this round (exec only after canI, Cilium found in any namespace, the agent DaemonSet and
 * CiliumNodeConfig read) closes them: each entry must then be deleted, and the test fails until it is.
 */
const PENDING_COLLECTOR: Record<string, string[]> = {};

/** Where the case departs from "exactly what the bot uses, nothing refused, a complete report". */
function gaps(c: Case, rendered: RenderedObject[], requests: RequestAttrs[], execs: ExecOptions[], transcripts: string[]): string[] {
  const grants = grantsFor(rendered, SA);
  const found: string[] = [];
  // Named for objects with fixed names (cilium-config, kube-proxy…); pod names are generated.
  const named = (r: RequestAttrs): string => (r.name !== undefined && (r.resource === 'configmaps' || r.resource === 'daemonsets') ? `[${r.name}]` : '');
  const key = (r: RequestAttrs): string => `${r.verb} ${r.apiGroup === '' ? 'core' : r.apiGroup}/${r.resource}${named(r)} @${r.namespace ?? 'cluster'}`;
  for (const r of new Set(requests.filter((x) => x.status === 403 || x.status === 401).map(key))) found.push(`refused: ${r}`);
  for (const r of new Set(uncoveredRequests(grants, requests, () => false).map(key))) found.push(`not granted: ${r}`);
  for (const g of unneededGrants(grants, requests).map(grantText).filter((t) => !(t in UNUSED_BY_DESIGN))) found.push(`unused: ${g}`);
  c.runs.forEach((run, i) => {
    const text = transcripts[i] ?? '';
    if (!text.includes(run.finding)) found.push(`${run.scenario}: report lacks ${run.finding}`);
    if (/forbidden|cannot (get|list|create)/i.test(text)) found.push(`${run.scenario}: report says forbidden`);
    if (c.overlay === 'read-only' && !text.includes('deploy/overlays/read-only-exec')) found.push(`${run.scenario}: report does not say how to enable exec`);
  });
  // With the exec overlay, the policy's list is the bot's commands, no more: an entry nobody runs is a stale grant.
  const policy = execPolicy(rendered);
  if (policy !== undefined) {
    const allowed = allowedArgv(policy).map((argv) => JSON.stringify(argv));
    const sent = new Set(execs.map((e) => JSON.stringify(e.command)));
    for (const argv of allowed.filter((a) => !sent.has(a) && !(a in EXEC_UNUSED_BY_DESIGN))) found.push(`exec never ran: ${argv}`);
    for (const argv of [...sent].filter((a) => !allowed.includes(a))) found.push(`exec not allowed by the policy: ${argv}`);
  }
  return found.sort();
}

async function startAsBot(scenario: string, ciliumNamespace: string, rendered: RenderedObject[]): Promise<SandboxStack> {
  const rbac = rendered.filter((o) => o.apiVersion === 'rbac.authorization.k8s.io/v1');
  const s = await startSandboxStack({ scenario: relocateCilium(resolveScenario(scenario), ciliumNamespace), redisUrl: inject('redisUrl'), startBot: false });
  s.kube.addUser({ token: TOKEN, username: BOT_USER });
  s.kube.loadRbac(rbac);
  // The node-probe overlay's settings and namespace, as the bot reads them from its ConfigMap (envFrom).
  const settings = rendered.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'cilium-runbook-node-probe');
  const probe = settings === undefined ? null : parseNodeProbeEnv(z.object({ data: z.record(z.string(), z.string()) }).parse(settings).data).config;
  for (const ns of rendered.filter((o) => o.kind === 'Namespace' && o.metadata.name !== 'cilium-runbook')) s.kube.store.put(ns);
  s.bot = await startBot({ ...s.config, ...(probe !== null && { nodeProbe: probe }), kube: { kubeconfigPath: s.kube.kubeconfigFor(BOT_USER), inCluster: false } }, { logger: pino({ level: 'silent' }) });
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

const outcomeOf = (call: () => Promise<unknown>): Promise<number | string> =>
  call().then(() => 'allowed', (e: unknown) => (e instanceof ApiException ? e.code : e instanceof Error ? e.message : String(e)));

describe.each(CASES)('$overlay overlay, Cilium in $ciliumNamespace: RBAC is exactly what the bot uses', (c) => {
  let rendered: RenderedObject[] = [];
  const requests: RequestAttrs[] = [];
  const execs: ExecOptions[] = [];
  const users = new Set<string>();
  const transcripts: string[] = [];
  let last: SandboxStack | undefined;

  beforeAll(async () => {
    rendered = await kustomizeForCiliumNamespace(`deploy/overlays/${c.overlay}`, c.ciliumNamespace);
    for (const run of c.runs) {
      const s = await startAsBot(run.scenario, c.ciliumNamespace, rendered);
      try {
        transcripts.push(await diagnose(s, run.node ?? brokenNodeOf(s.scenario) ?? ''));
        const entries = s.kube.requestLog.entries();
        for (const e of entries) {
          users.add(e.user);
          requests.push(...requestAttrs(e));
        }
        execs.push(...execRequests(entries));
      } finally {
        if (run === c.runs[c.runs.length - 1]) last = s;
        else await s.stop();
      }
    }
  }, 120_000);

  afterAll(async () => {
    await last?.stop();
  });

  it('the Cilium-namespace rules land in the Cilium namespace, kube-proxy rules in kube-system', () => {
    const roles = rendered.filter((o) => o.kind === 'Role' || o.kind === 'RoleBinding');
    const inCilium = roles.filter((o) => o.metadata['labels'] !== undefined && (o.metadata['labels'] as Record<string, string>)['cilium-runbook.io/cilium-namespace'] === 'true');
    expect(inCilium.length).toBeGreaterThanOrEqual(2);
    for (const o of inCilium) expect(o.metadata.namespace, `${o.kind}/${o.metadata.name}`).toBe(c.ciliumNamespace);
    for (const o of roles.filter((r) => r.metadata.name.includes('kube-proxy'))) expect(o.metadata.namespace).toBe('kube-system');
  });

  it('every request was made as the service account, all granted, every grant used, the reports complete', () => {
    expect([...users]).toEqual([BOT_USER]);
    expect(requests.length).toBeGreaterThan(10);
    expect(gaps(c, rendered, requests, execs, transcripts)).toEqual(PENDING_COLLECTOR[caseName(c)] ?? []);
  });

  it(noExec(c) ? 'grants no exec at all, and no exec was let through' : 'every exec is one the admission policy allows: container, no stdin or TTY, a listed argv', () => {
    const policy = execPolicy(rendered);
    if (noExec(c)) {
      expect(policy).toBeUndefined();
      expect(grantsFor(rendered, SA).filter((g) => g.resource === 'pods/exec' || g.resource === 'pods/attach' || g.resource === 'pods/portforward')).toEqual([]);
      expect(requests.filter((r) => r.resource === 'pods/exec' && r.status < 400)).toEqual([]);
      return;
    }
    if (policy === undefined) throw new Error('the exec overlay renders no ValidatingAdmissionPolicy');
    const allowed = allowedArgv(policy).map((argv) => JSON.stringify(argv));
    for (const e of execs) {
      expect(e).toMatchObject({ namespace: c.ciliumNamespace, container: 'cilium-agent', stdin: false, tty: false });
      expect(allowed).toContain(JSON.stringify(e.command));
    }
    // Whether every listed command ran is one of the gaps above (the collector decides what runs).
  });

  it('what the bot does not need is refused as that service account', async () => {
    const stack = last;
    if (stack === undefined) throw new Error('no stack');
    const cns = c.ciliumNamespace;
    const kc = loadKubeConfig({ kubeconfigPath: stack.kube.kubeconfigFor(BOT_USER) });
    const core = kc.makeApiClient(CoreV1Api);
    const agent = stack.kube.store.list('v1', 'Pod', cns).find((p) => p.metadata.labels?.['k8s-app'] === 'cilium')?.metadata.name ?? 'cilium-x';
    const node = stack.kube.store.list('v1', 'Node')[0]?.metadata.name ?? 'node-1';
    const attempts: Array<[string, () => Promise<unknown>]> = [
      ['list secrets (all namespaces)', () => core.listSecretForAllNamespaces()],
      [`get a secret in ${cns}`, () => core.readNamespacedSecret({ namespace: cns, name: 'cilium-ca' })],
      [`list configmaps in ${cns}`, () => core.listNamespacedConfigMap({ namespace: cns })],
      ['get another configmap in kube-system', () => core.readNamespacedConfigMap({ namespace: 'kube-system', name: 'coredns' })],
      ['get cilium-config outside the Cilium namespace', () => core.readNamespacedConfigMap({ namespace: 'default', name: 'cilium-config' })],
      ['get a pod (only list is granted)', () => core.readNamespacedPod({ namespace: cns, name: agent })],
      ['logs outside the Cilium namespace', () => core.readNamespacedPodLog({ namespace: 'default', name: 'web' })],
      ['watch nodes', () => core.listNode({ watch: true, timeoutSeconds: 1 })],
      ['delete the agent pod', () => core.deleteNamespacedPod({ namespace: cns, name: agent, dryRun: 'All' })],
      ['cordon a node', () => core.patchNode({ name: node, body: [{ op: 'replace', path: '/spec/unschedulable', value: true }], dryRun: 'All' })],
      ['create a pod', () => core.createNamespacedPod({ namespace: 'default', body: { metadata: { name: 'x' }, spec: { containers: [{ name: 'x', image: 'x' }] } }, dryRun: 'All' })],
    ];
    for (const [what, call] of attempts) expect({ what, outcome: await outcomeOf(call) }).toEqual({ what, outcome: 403 });
    // Exec outside the Cilium namespace always, and anywhere without the exec overlay: the upgrade is refused.
    const execNamespaces = noExec(c) ? [cns, 'default'] : ['default'];
    for (const namespace of execNamespaces) {
      const pod = namespace === cns ? agent : 'web';
      // Whatever the client makes of a refused upgrade, the apiserver's answer is in its log.
      const before = stack.kube.requestLog.entries().length;
      await new Exec(kc).exec(namespace, pod, 'cilium-agent', ['cat', '/proc/version'], null, null, null, false).then((ws) => ws.close(), () => undefined);
      const logged = stack.kube.requestLog.entries().slice(before).filter((e) => e.path === `/api/v1/namespaces/${namespace}/pods/${pod}/exec`).map((e) => e.status);
      expect({ namespace, logged }).toEqual({ namespace, logged: [403] });
    }
  });
});
