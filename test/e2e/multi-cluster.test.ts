// One bot, several clusters: `--cluster` picks a context of the kubeconfig; every report names its cluster.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { pino } from 'pino';
import { startBot } from '../../bot/bot.ts';
import { startKubeEmulator, type KubeEmulator } from '../../sandbox/kube/index.ts';
import { resolveScenario } from '../../sandbox/scenario/index.ts';
import { DEMO_CHANNEL, startSandboxStack, type SandboxStack } from '../../sandbox/sandbox-stack.ts';

interface Kubeconfig {
  clusters: Array<{ name: string; cluster: unknown }>;
  contexts: Array<{ name: string; context: { cluster: string; user: string; namespace?: string } }>;
  users: Array<{ name: string; user: unknown }>;
}

/** Two emulators' kubeconfigs merged into one file with contexts `ctx-prod` and `ctx-staging`. */
function mergeKubeconfigs(parts: Array<{ path: string; name: string }>): string {
  const merged = { apiVersion: 'v1', kind: 'Config', clusters: [] as unknown[], contexts: [] as unknown[], users: [] as unknown[], 'current-context': `ctx-${parts[0]?.name ?? ''}` };
  for (const { path, name } of parts) {
    const k = parse(readFileSync(path, 'utf8')) as Kubeconfig;
    merged.clusters.push({ name, cluster: k.clusters[0]?.cluster });
    merged.users.push({ name: `admin-${name}`, user: k.users[0]?.user });
    merged.contexts.push({ name: `ctx-${name}`, context: { cluster: name, user: `admin-${name}`, namespace: 'kube-system' } });
  }
  const file = join(mkdtempSync(join(tmpdir(), 'multi-kc-')), 'kubeconfig');
  writeFileSync(file, stringify(merged));
  return file;
}

let s: SandboxStack;
let staging: KubeEmulator;

beforeAll(async () => {
  s = await startSandboxStack({ scenario: resolveScenario('healthy'), redisUrl: inject('redisUrl'), startBot: false });
  staging = await startKubeEmulator({ scenario: resolveScenario('kernel-too-old') });
  const kubeconfig = mergeKubeconfigs([
    { path: s.kube.kubeconfigPath, name: 'prod' },
    { path: staging.kubeconfigPath, name: 'staging' },
  ]);
  s.bot = await startBot(
    { ...s.config, clusterName: 'prod', extraClusters: [{ name: 'staging', context: 'ctx-staging' }], kube: { kubeconfigPath: kubeconfig, context: 'ctx-prod', inCluster: false } },
    { logger: pino({ level: 'silent' }) },
  );
});
afterAll(async () => {
  await s.stop();
  await staging.stop();
});

async function diagnose(text: string): Promise<string> {
  const before = s.slack.messages(DEMO_CHANNEL.id).length;
  await s.slack.slashCommand({ text, userId: 'U0ONCALL', channelId: DEMO_CHANNEL.id, command: '/cilium', via: 'socket' });
  const root = await s.slack.waitFor(() => s.slack.messages(DEMO_CHANNEL.id)[before], { timeoutMs: 10_000 });
  await s.slack.waitFor(() => s.slack.thread(DEMO_CHANNEL.id, root.ts).some((m) => (m.text ?? '').startsWith('Diagnosis of')), { timeoutMs: 20_000 });
  return s.slack.renderThread(DEMO_CHANNEL.id, root.ts);
}

describe('several clusters from one bot', () => {
  it('the default cluster and --cluster staging each diagnose their own nodes, and say which cluster', async () => {
    const prod = await diagnose('diagnose node-1');
    expect(prod).toMatch(/cluster `prod`/);
    expect(prod).not.toMatch(/\(critical, /);
    const stg = await diagnose('diagnose node-legacy-01 --cluster staging');
    expect(stg).toMatch(/cluster `staging`/);
    expect(stg).toContain('`kernel-too-old` (critical');
  });

  it('a node of another cluster is unknown here, and an unknown cluster names the served ones', async () => {
    const wrong = await s.slack.slashCommand({ text: 'diagnose node-legacy-01', userId: 'U0ONCALL', channelId: DEMO_CHANNEL.id, command: '/cilium', via: 'socket' });
    const notHere = await s.slack.waitFor(() => s.slack.responseUrlPosts(wrong.responseUrl)[0], { timeoutMs: 10_000 });
    expect(JSON.stringify(notHere.body)).toMatch(/does not exist in cluster `prod`/);
    const unknown = await s.slack.slashCommand({ text: 'diagnose node-1 --cluster dev', userId: 'U0ONCALL', channelId: DEMO_CHANNEL.id, command: '/cilium', via: 'socket' });
    const refused = await s.slack.waitFor(() => s.slack.responseUrlPosts(unknown.responseUrl)[0], { timeoutMs: 10_000 });
    expect(JSON.stringify(refused.body)).toMatch(/Unknown cluster `dev`; this bot serves `prod`, `staging`/);
  });
});
