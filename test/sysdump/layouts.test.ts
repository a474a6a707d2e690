// Each cilium-cli file layout (jobs/sysdump/layouts.ts) read from a small archive built here with that release's
// exact file names, written out literally so a wrong template in the reader fails: the layout is recognised, the
// agent's logs (current and -prev), the init container's logs, cilium-config and the bugtool facts are read with
// source 'sysdump', and what the archive lacks is unavailable "not in the sysdump archive", never healthy.
import { describe, expect, it } from 'vitest';
import { SysdumpArchive } from '../../jobs/sysdump/sysdump-archive.ts';
import { evidenceFromSysdump } from '../../jobs/sysdump/sysdump-evidence.ts';
import { analyze } from '../../runbooks/engine/analyze.ts';
import { AGENT, AGENT_B, buildSysdump, INIT_LINE, INIT_PREV_LINE, NODE, NODE_B, PREVIOUS_LINE, TS, type FixtureNames } from './sysdump-fixture.ts';

const CASES: { id: string; source: string; gzipBugtool: boolean; names: FixtureNames }[] = [
  {
    id: 'cilium-cli-current',
    source: 'cilium/cilium-cli sysdump/constants.go @010667fe; cilium/cilium cilium-cli/sysdump/constants.go @02674019',
    gzipBugtool: true,
    names: {
      nodes: `k8s-nodes-${TS}.yaml`,
      pods: `k8s-pods-${TS}.yaml`,
      events: `k8s-events-${TS}.yaml`,
      config: `cilium-configmap-${TS}.yaml`,
      daemonSet: `cilium-daemonset-${TS}.yaml`,
      operator: `cilium-operator-deployment-${TS}.yaml`,
      log: (p, c) => `logs-${p}-${c}-${TS}.log`,
      prevLog: (p, c) => `logs-${p}-${c}-${TS}-prev.log`,
      bugtool: (p) => `cilium-bugtool-${p}-${TS}.tar.gz`,
    },
  },
  {
    id: 'cilium-cli-2021-long',
    source: 'cilium/cilium-cli sysdump/constants.go, revision with ciliumConfigMapFileName = "cilium-config-configmap-<ts>.yaml"',
    gzipBugtool: false,
    names: {
      nodes: `k8s-nodes-${TS}.yaml`,
      pods: `k8s-pods-${TS}.yaml`,
      events: `k8s-events-${TS}.yaml`,
      config: `cilium-config-configmap-${TS}.yaml`,
      daemonSet: `cilium-daemonset-${TS}.yaml`,
      operator: `cilium-operator-deployment-${TS}.yaml`,
      log: (p, c) => `logs-${p}-${c}-${TS}.log`,
      prevLog: (p, c) => `logs-${p}-${c}-${TS}-prev.log`,
      bugtool: (p) => `cilium-bugtool-${p}-${TS}.tar`,
    },
  },
  {
    id: 'cilium-cli-2021-short',
    source: 'cilium/cilium-cli sysdump/constants.go, revision with ciliumConfigMapFileName = "cilium-cm-<ts>.yaml"',
    gzipBugtool: false,
    names: {
      nodes: `k8s-no-${TS}.yaml`,
      pods: `po-${TS}.yaml`,
      events: `k8s-ev-${TS}.yaml`,
      config: `cilium-cm-${TS}.yaml`,
      daemonSet: `cilium-ds-${TS}.yaml`,
      operator: `cilium-operator-deploy-${TS}.yaml`,
      log: (p, c) => `${p}-${c}-${TS}.log`,
      prevLog: (p, c) => `${p}-${c}-${TS}-prev.log`,
      bugtool: (p) => `cilium-bugtool-${p}-${TS}.tar`,
    },
  },
];

describe.each(CASES)('sysdump layout $id ($source)', ({ id, gzipBugtool, names }) => {
  const open = (omit: string[] = []) => SysdumpArchive.open(buildSysdump(names, { gzipBugtool, omit }), `cilium-sysdump-${TS}.zip`);

  it('is recognised with its timestamp', () => {
    const archive = open();
    expect(archive.layout.id).toBe(id);
    expect(archive.ts).toBe(TS);
  });

  it('builds the node evidence: config, agent pod, logs current and previous, bugtool facts from the archive', async () => {
    const ev = await evidenceFromSysdump(open(), NODE);
    expect(ev.collectedAt).toBe('2024-06-07T08:09:10.000Z');
    expect(ev.ciliumConfig.ok && ev.ciliumConfig.value['kube-proxy-replacement']).toBe('false');
    expect(ev.agentPod.ok && ev.agentPod.value.name).toBe(AGENT);
    expect(ev.cilium.ok && ev.cilium.value.version).toBe('1.15.6');
    expect(ev.operator.ok).toBe(true);
    if (!ev.agentLogs.ok) throw new Error(ev.agentLogs.detail);
    expect(ev.agentLogs.value.current.text).toContain('Cilium 1.15.6');
    expect(ev.agentLogs.value.previous?.text).toContain(PREVIOUS_LINE);
    if (!ev.iptables.ok) throw new Error(ev.iptables.detail);
    // `iptables-save -c` counters are read through: two nat rules, one KUBE-SVC rule.
    expect(ev.iptables.value).toMatchObject({ source: 'sysdump', natRuleCount: 2, kubeProxyChains: { svc: 1, services: 1 } });
    if (!ev.hostKernel.ok) throw new Error(ev.hostKernel.detail);
    expect(ev.hostKernel.value.source).toBe('sysdump');
    expect(ev.hostKernel.value.procVersion).toMatch(/^Linux version 5\.10\.0-21-amd64 .*#1 SMP Debian 5\.10\.162-1/);
    if (!ev.agentStatus.ok) throw new Error(ev.agentStatus.detail);
    expect(ev.agentStatus.value).toMatchObject({ source: 'sysdump', verbose: true });
    expect(ev.agentStatus.value.text).toContain('Cilium:                  Ok   1.15.6');
    if (!ev.kernelConfig.ok) throw new Error(ev.kernelConfig.detail);
    expect(ev.kernelConfig.value.options).toMatchObject({ CONFIG_BPF: 'y', CONFIG_WIREGUARD: 'n' });
    // Not something a sysdump holds: unknown, not healthy.
    expect(ev.memlock.ok).toBe(false);
    expect(ev.crds).toMatchObject({ ok: false, reason: 'unavailable' });
  });

  it("reads a stuck init container's logs, current and previous, and says the bugtool is not in the archive", async () => {
    const ev = await evidenceFromSysdump(open(), NODE_B);
    if (!ev.initLogs.ok) throw new Error(ev.initLogs.detail);
    const config = ev.initLogs.value.find((l) => l.container === 'config');
    expect(config?.current?.text).toContain(INIT_LINE);
    expect(config?.previous?.text).toContain(INIT_PREV_LINE);
    expect(ev.iptables.ok).toBe(false);
    if (!ev.iptables.ok) expect(ev.iptables.detail).toContain(`not in the sysdump archive: no cilium-bugtool-${AGENT_B}-${TS}`);
    // The Debian kernel is new enough; the init container's API timeout is what the report leads with.
    expect(analyze(ev).findings[0]?.runbookId).toBe('apiserver-unreachable');
  });

  it('a part missing from the archive is unavailable, saying it was not in the archive', async () => {
    const ev = await evidenceFromSysdump(open([names.config, names.prevLog(AGENT, 'cilium-agent')]), NODE);
    expect(ev.ciliumConfig.ok).toBe(false);
    if (!ev.ciliumConfig.ok) expect(ev.ciliumConfig.detail).toContain(`${names.config} is not in the sysdump archive`);
    // cilium-cli writes -prev only for a container that restarted: its absence reads as "no previous container".
    expect(ev.agentLogs.ok && ev.agentLogs.value.previous).toBeNull();
    const report = analyze(ev);
    expect(report.inconclusive.map((i) => i.runbookId)).toContain('kube-proxy-conflict');
  });
});
