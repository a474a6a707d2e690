// `cilium-runbook preflight` against the Kubernetes API emulator, as a child process through the bin shim (issue 19):
// the kernel-too-old scenario fails for 1.18 (every legacy node listed, exit 3), the healthy one passes (exit 0).
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKubeEmulator, type KubeEmulator } from '../../sandbox/kube/index.ts';
import { resolveScenario } from '../../sandbox/scenario/index.ts';
import type { PreflightReport } from '../../runbooks/engine/preflight/index.ts';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '../../bin/cilium-runbook.js');

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { env: process.env, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: err.code ?? -1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

const LEGACY = Array.from({ length: 12 }, (_, i) => `node-legacy-${String(i + 1).padStart(2, '0')}`);

describe('cilium-runbook preflight on the kernel-too-old scenario', { timeout: 120_000 }, () => {
  let kube: KubeEmulator;
  const dir = mkdtempSync(join(tmpdir(), 'preflight-cli-'));
  beforeAll(async () => {
    kube = await startKubeEmulator({ scenario: resolveScenario('kernel-too-old') });
  });
  afterAll(async () => {
    await kube.stop();
  });

  it('--target 1.18.2 lists every node 1.18 would break (kernel < 5.10) in one line for the pool and exits 3', async () => {
    const r = await cli(['preflight', '--target', '1.18.2', '--kubeconfig', kube.kubeconfigPath, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(3);
    const report = JSON.parse(r.stdout) as PreflightReport;
    expect(report.verdict).toBe('fail');
    expect(report.kernelFloor).toBe('5.10.0');
    const floor = report.groups.filter((g) => g.kind === 'kernel-floor');
    expect(floor).toHaveLength(1);
    expect(floor[0]?.pool).toBe('workers-legacy');
    expect(floor[0]?.nodes).toEqual(LEGACY);
    expect(floor[0]?.sentence).toMatch(/^12 nodes in pool `workers-legacy`: kernel 4\.14\.\d+ < 5\.10\.0 required by Cilium 1\.18\+$/);
    // The Amazon Linux 2023 nodes (6.1) meet the floor: no kernel problem names them.
    const named = report.groups.filter((g) => g.kind === 'kernel-floor' || g.kind === 'feature').flatMap((g) => g.nodes);
    expect(named).not.toContain('node-1');
    expect(report.notFixableByValues.some((t) => /< 5\.10\.0/.test(t))).toBe(true);
  });

  it('the text form names the pool once and the fix', async () => {
    const r = await cli(['preflight', '--target', 'v1.18.2', '--kubeconfig', kube.kubeconfigPath]);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/FAIL — the upgrade would break 12 of 15 nodes/);
    expect(r.stdout.match(/\[BREAKS\] 12 nodes in pool `workers-legacy`: kernel/g)).toHaveLength(1);
    expect(r.stdout).toMatch(/No Helm value lowers the floor/);
  });

  it('--target 1.15.6 (the running release) names the floor of that release, 4.19.57', async () => {
    const r = await cli(['preflight', '--target', '1.15.6', '--kubeconfig', kube.kubeconfigPath, '--json']);
    const report = JSON.parse(r.stdout) as PreflightReport;
    expect(r.code).toBe(3);
    expect(report.groups.find((g) => g.kind === 'kernel-floor')?.sentence).toMatch(/< 4\.19\.57 required by Cilium 1\.13–1\.15/);
  });

  it('bad input exits 2: an unknown version format, an unreadable or malformed values file', async () => {
    const bad = await cli(['preflight', '--target', '1.18', '--kubeconfig', kube.kubeconfigPath]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/"1\.18" is not a Cilium version: give major\.minor\.patch/);
    expect((await cli(['preflight', '--kubeconfig', kube.kubeconfigPath])).stderr).toMatch(/--target is required/);
    const missing = await cli(['preflight', '--target', '1.18.2', '--values', join(dir, 'nope.yaml'), '--kubeconfig', kube.kubeconfigPath]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read the values file .*nope\.yaml: no such file/);
    const list = join(dir, 'list.yaml');
    writeFileSync(list, '- a\n- b\n');
    const notMap = await cli(['preflight', '--target', '1.18.2', '--values', list, '--kubeconfig', kube.kubeconfigPath]);
    expect(notMap.code).toBe(2);
    expect(notMap.stderr).toMatch(/must be a mapping of Helm values/);
  });
});

describe('cilium-runbook preflight on the healthy scenario', { timeout: 120_000 }, () => {
  let kube: KubeEmulator;
  const dir = mkdtempSync(join(tmpdir(), 'preflight-cli-'));
  beforeAll(async () => {
    kube = await startKubeEmulator({ scenario: resolveScenario('healthy') });
  });
  afterAll(async () => {
    await kube.stop();
  });

  it('--target 1.18.2 passes with exit 0', async () => {
    const r = await cli(['preflight', '--target', '1.18.2', '--kubeconfig', kube.kubeconfigPath, '--json']);
    expect(r.stderr).toBe('');
    const report = JSON.parse(r.stdout) as PreflightReport;
    expect(report.groups.filter((g) => g.severity === 'breaks')).toEqual([]);
    expect(report.verdict).toBe('pass');
    expect(report.nodesChecked).toBe(3);
    expect(r.code).toBe(0);
  });

  it('Helm values turning on a feature the 6.1 kernels lack (netkit, 6.7) fail, with the values diff that clears it', async () => {
    const values = join(dir, 'values.yaml');
    writeFileSync(values, 'bpf:\n  datapathMode: netkit\n');
    const r = await cli(['preflight', '--target', '1.18.2', '--values', values, '--kubeconfig', kube.kubeconfigPath, '--json']);
    expect(r.code).toBe(3);
    const report = JSON.parse(r.stdout) as PreflightReport;
    expect(report.groups[0]?.sentence).toMatch(/^3 nodes.*netkit devices \(datapath-mode=netkit\) needs kernel 6\.7\.0/);
    expect(report.valuesDiff).toBe('bpf:\n  datapathMode: veth');
  });
});
