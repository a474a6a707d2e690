// The CLI for the engineer without Slack: the same collectors and runbooks, against the kubeconfig, as a child
// process through the package's bin shim.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKubeEmulator, type KubeEmulator } from '../../sandbox/kube/index.ts';
import { resolveScenario } from '../../sandbox/scenario/index.ts';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '../../bin/cilium-runbook.js');

async function cli(args: string[], stdin?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const child = run(process.execPath, [BIN, ...args], { env: process.env, maxBuffer: 64 * 1024 * 1024 });
    if (stdin !== undefined) child.child.stdin?.end(stdin);
    const { stdout, stderr } = await child;
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: err.code ?? -1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

// Each test spawns the CLI (tsx start-up) several times: a loaded 2-core CI machine needs more than the default 30 s.
describe('cilium-runbook CLI', { timeout: 120_000 }, () => {
  let kube: KubeEmulator;
  const dir = mkdtempSync(join(tmpdir(), 'cli-test-'));
  beforeAll(async () => {
    kube = await startKubeEmulator({ scenario: resolveScenario('kube-proxy-conflict') });
  });
  afterAll(async () => {
    await kube.stop();
  });

  it('diagnose --json against the kubeconfig: the finding, exit code 3 for critical, evidence saved for offline use', async () => {
    const evidencePath = join(dir, 'evidence.json');
    const r = await cli(['diagnose', 'node-2', '--kubeconfig', kube.kubeconfigPath, '--json', '--evidence-out', evidencePath]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(3);
    const report = JSON.parse(r.stdout) as { findings: Array<{ runbookId: string }> };
    expect(report.findings.map((f) => f.runbookId)).toContain('kube-proxy-conflict');

    const offline = await cli(['analyze', evidencePath]);
    expect(offline.code).toBe(3);
    expect(offline.stdout).toMatch(/\[CRITICAL\].*kube-proxy-conflict/);
  });

  it('an unknown node exits 1 naming the closest nodes and what to do', async () => {
    const r = await cli(['diagnose', 'node-22', '--kubeconfig', kube.kubeconfigPath]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/node "node-22" does not exist in .*Did you mean "node-2"/);
    expect(r.stderr).toMatch(/kubectl get nodes/);
    const nosuch = await cli(['diagnose', 'nosuch', '--kubeconfig', kube.kubeconfigPath]);
    expect(nosuch.code).toBe(1);
    expect(nosuch.stderr).toMatch(/Did you mean "node-\d+"/);
  });

  it('refuses bad input with a message and exit code 2', async () => {
    const badNode = await cli(['diagnose', 'node;rm', '--kubeconfig', kube.kubeconfigPath]);
    expect(badNode.code).toBe(2);
    expect(badNode.stderr).toMatch(/is not a node name/);
    const badFile = join(dir, 'bad.json');
    writeFileSync(badFile, JSON.stringify({ schemaVersion: 1, cluster: 'x', nodeName: 'n', collectedAt: 'now', node: { ok: true, value: { name: 5 } } }));
    const bad = await cli(['analyze', badFile]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/node\.value\./);
    const notJson = join(dir, 'not.json');
    writeFileSync(notJson, '{');
    expect((await cli(['analyze', notJson])).stderr).toMatch(/is not JSON/);
    expect((await cli(['frobnicate'])).code).toBe(2);
  });

  it('an unknown node is a clear error', async () => {
    const r = await cli(['diagnose', 'node-99', '--kubeconfig', kube.kubeconfigPath]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/node "node-99" does not exist/);
  });

  it('analyze reads the issue\'s minimal document from standard input and prints the findings JSON', async () => {
    const doc = {
      node: { name: 'node-7', kernelVersion: '4.19.0-18-cloud-amd64', osImage: 'Debian GNU/Linux 10 (buster)' },
      cilium: { version: '1.12.19', config: { 'kube-proxy-replacement': 'true', 'enable-bandwidth-manager': 'true' } },
      kubeProxy: { daemonSetPresent: true },
    };
    const r = await cli(['analyze', '-', '--json'], JSON.stringify(doc));
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as { findings: Array<{ runbook: string; severity: string; summary: string; evidence: unknown[] }> };
    expect(out.findings.map((f) => f.runbook)).toContain('bandwidth-manager-unsupported');
    for (const f of out.findings) expect(Object.keys(f).sort()).toEqual(['evidence', 'runbook', 'severity', 'summary']);
    const bad = await cli(['analyze', '-'], JSON.stringify({ node: { name: 'n', kernelVersion: 5 } }));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/node\.kernelVersion/);
  });

  it('collect writes an evidence file that analyze accepts', async () => {
    const r = await cli(['collect', 'node-2', '--kubeconfig', kube.kubeconfigPath]);
    expect(r.code).toBe(0);
    const evidence = JSON.parse(r.stdout) as { schemaVersion: number; nodeName: string };
    expect(evidence).toMatchObject({ schemaVersion: 1, nodeName: 'node-2' });
    const again = await cli(['analyze', '-', '--json'], r.stdout);
    expect(JSON.parse(again.stdout)).toMatchObject({ findings: expect.arrayContaining([expect.objectContaining({ runbook: 'kube-proxy-conflict' })]) as unknown });
  });
});
