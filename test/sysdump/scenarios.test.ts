// Issue 18's "done when": a sysdump the sandbox writes from each shipped scenario gives, for the scenario's node,
// the same top finding as the live diagnosis of that cluster (collectEvidence over client-node against the
// emulator) and the one its `expect:` block names; its healthy nodes stay without a critical or warning finding.
// Also checks the archive is in the current cilium-cli layout and carries the running agents' bugtool archives.
import { describe, expect, it } from 'vitest';
import { collectEvidence } from '../../jobs/collect/collect-evidence.ts';
import { ClientNodeCluster, loadKubeConfig } from '../../jobs/kube/client-node-cluster.ts';
import { SysdumpArchive } from '../../jobs/sysdump/sysdump-archive.ts';
import { evidenceFromSysdump, fleetReportFromSysdump } from '../../jobs/sysdump/sysdump-evidence.ts';
import { runSweep } from '../../jobs/fleet/sweep.ts';
import { analyze } from '../../runbooks/engine/analyze.ts';
import { startKubeEmulator } from '../../sandbox/kube/index.ts';
import { listScenarios, resolveScenario } from '../../sandbox/scenario/index.ts';
import { writeSysdump } from '../../sandbox/sysdump/write-sysdump.ts';

const OPTS = { deadlineMs: 15_000, tailLines: 2000, limitBytes: 2 * 1024 * 1024 };
const AT = new Date('2026-12-03T10:00:00Z');

describe('a sysdump of every scenario reads like the live cluster', () => {
  it.each(listScenarios())('%s', async (name) => {
    const scenario = resolveScenario(name);
    const expected = scenario.expect;
    if (expected === undefined) throw new Error(`scenario ${name} has no expect: block`);
    const kube = await startKubeEmulator({ scenario });
    let live: string[];
    let sysdump: { name: string; bytes: Uint8Array };
    try {
      const reader = new ClientNodeCluster(name, loadKubeConfig({ kubeconfigPath: kube.kubeconfigPath }));
      live = analyze(await collectEvidence(reader, expected.node, OPTS)).findings.map((f) => f.runbookId);
      sysdump = await writeSysdump(kube.store, reader, { now: AT });
    } finally {
      await kube.stop();
    }
    expect(sysdump.name).toBe('cilium-sysdump-20261203-100000.zip');
    const archive = SysdumpArchive.open(sysdump.bytes, sysdump.name);
    expect(archive.layout.id).toBe('cilium-cli-current');
    const report = analyze(await evidenceFromSysdump(archive, expected.node));
    const fromArchive = report.findings.map((f) => f.runbookId);
    expect(fromArchive[0], `live: ${live.join(', ')}; sysdump: ${fromArchive.join(', ')}`).toBe(live[0]);
    expect(fromArchive[0]).toBe(expected.findings[0]);
    for (const healthy of expected.healthyNodes ?? []) {
      const findings = analyze(await evidenceFromSysdump(archive, healthy)).findings.filter((f) => f.severity !== 'info');
      expect(findings.map((f) => f.runbookId), `${healthy} must not be reported`).toEqual([]);
    }
  }, 60_000);

  it('carries a bugtool archive for each running agent, read as facts with source sysdump', async () => {
    const scenario = resolveScenario('healthy');
    const kube = await startKubeEmulator({ scenario });
    try {
      const reader = new ClientNodeCluster('healthy', loadKubeConfig({ kubeconfigPath: kube.kubeconfigPath }));
      const archive = SysdumpArchive.open((await writeSysdump(kube.store, reader, { now: AT })).bytes, 'healthy.zip');
      const node = scenario.expect?.node ?? '';
      const ev = await evidenceFromSysdump(archive, node);
      const pod = ev.agentPod.ok ? ev.agentPod.value.name : '';
      expect([...archive.files.keys()]).toContain(`cilium-bugtool-${pod}-20261203-100000.tar.gz`);
      expect(ev.kernelConfig.ok && ev.kernelConfig.value.options.CONFIG_BPF).toBe('y');
      expect(ev.hostKernel.ok && ev.hostKernel.value.source).toBe('sysdump');
      if (ev.iptables.ok) expect(ev.iptables.value.source).toBe('sysdump');
    } finally {
      await kube.stop();
    }
  }, 60_000);

  it('without --node: the same root-cause groups as a live sweep of the cluster (kernel-too-old)', async () => {
    const kube = await startKubeEmulator({ scenario: resolveScenario('kernel-too-old') });
    try {
      const reader = new ClientNodeCluster('kernel-too-old', loadKubeConfig({ kubeconfigPath: kube.kubeconfigPath }));
      const live = await runSweep(reader, { collect: OPTS });
      const archive = SysdumpArchive.open((await writeSysdump(kube.store, reader, { now: AT })).bytes, 'k.zip');
      const fromArchive = await fleetReportFromSysdump(archive);
      const shape = (groups: typeof live.groups) => groups.map((g) => ({ runbookId: g.runbookId, severity: g.severity, kernel: g.kernel, pool: g.pool, nodes: g.nodes }));
      expect(shape(fromArchive.groups)).toEqual(shape(live.groups));
      expect(fromArchive.groups[0]).toMatchObject({ runbookId: 'kernel-too-old', severity: 'critical' });
      expect(fromArchive.groups[0]?.nodes).toHaveLength(12);
      expect(fromArchive.totals.nodes).toBe(live.totals.nodes);
    } finally {
      await kube.stop();
    }
  }, 60_000);
});
