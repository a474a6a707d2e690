// `/cilium preflight`: the grammar, the job run against the Kubernetes API emulator with a recording sink, and the
// Slack rendering of its report.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCiliumCommand } from '../../../bot/command-grammar.ts';
import { InvalidCommandError } from '../../../bot/errors.ts';
import { renderPreflightBlocks } from '../../../bot/render/preflight-blocks.ts';
import { processPreflightJob, type PreflightSink } from '../../../jobs/preflight/preflight-worker.ts';
import type { PreflightJob } from '../../../jobs/preflight/preflight-job.ts';
import { ClientNodeCluster, loadKubeConfig } from '../../../jobs/kube/client-node-cluster.ts';
import type { PreflightReport } from '../../../runbooks/engine/preflight/index.ts';
import { startKubeEmulator, type KubeEmulator } from '../../../sandbox/kube/index.ts';
import { resolveScenario } from '../../../sandbox/scenario/index.ts';

describe('the preflight grammar', () => {
  it('takes a version, inline Helm values and a cluster', () => {
    expect(parseCiliumCommand('preflight v1.18.2')).toEqual({ kind: 'preflight', target: '1.18.2' });
    expect(parseCiliumCommand('preflight 1.18.2 --values bandwidthManager.enabled=false,bpf.datapathMode=veth,bpf.mapDynamicSizeRatio=1 --cluster prod')).toEqual({
      kind: 'preflight', target: '1.18.2', cluster: 'prod', values: { bandwidthManager: { enabled: false }, bpf: { datapathMode: 'veth', mapDynamicSizeRatio: 1 } },
    });
  });

  it('refuses a missing or malformed version, malformed values and unknown options, with the usage', () => {
    for (const [text, message] of [
      ['preflight', /needs the target version/],
      ['preflight 1.18', /is not a Cilium version/],
      ['preflight 1.18.2 1.18.3', /one target version/],
      ['preflight 1.18.2 --values a=$(id)', /--values` takes Helm paths and values/],
      ['preflight 1.18.2 --values', /needs Helm values/],
      ['preflight 1.18.2 --force', /Unknown option/],
    ] as const) {
      expect(() => parseCiliumCommand(text), text).toThrow(InvalidCommandError);
      expect(() => parseCiliumCommand(text), text).toThrow(message);
    }
  });
});

describe('the preflight job against the emulator', () => {
  let kube: KubeEmulator;
  beforeAll(async () => {
    kube = await startKubeEmulator({ scenario: resolveScenario('kernel-too-old') });
  });
  afterAll(async () => {
    await kube.stop();
  });

  it('posts the failing report for the job\'s thread; the Slack rendering names the pool and the fix', async () => {
    const posted: { job: PreflightJob; report: PreflightReport }[] = [];
    const sink: PreflightSink = { report: (job, report) => { posted.push({ job, report }); return Promise.resolve(); }, failed: () => Promise.reject(new Error('not expected')) };
    const reader = new ClientNodeCluster('sandbox', loadKubeConfig({ kubeconfigPath: kube.kubeconfigPath }));
    const data: PreflightJob = { cluster: 'sandbox', target: '1.18.2', channelId: 'C0INCIDENT', threadTs: '1700000000.000100', requestedBy: 'U0ONCALL', requestedAt: new Date(0).toISOString() };
    await processPreflightJob({ id: '1', data }, { clusters: (name) => (name === 'sandbox' ? reader : undefined), sink });
    expect(posted).toHaveLength(1);
    expect(posted[0]?.job.threadTs).toBe('1700000000.000100');
    const report = posted[0]?.report;
    expect(report?.verdict).toBe('fail');
    const rendered = renderPreflightBlocks(report as PreflightReport);
    const text = JSON.stringify(rendered.messages.map((m) => m.blocks));
    expect(rendered.headline).toMatch(/FAIL — the upgrade would break 12 of 15 nodes/);
    expect(text).toMatch(/12 nodes in pool `workers-legacy`: kernel 4\.14\.\d+ &lt; 5\.10\.0 required by Cilium 1\.18\+/);
    expect(text).toContain('No Helm value lowers the floor');
  });

  it('an unknown cluster is unrecoverable', async () => {
    const data: PreflightJob = { cluster: 'other', target: '1.18.2', channelId: 'C0INCIDENT', threadTs: '1700000000.000100', requestedBy: 'U0ONCALL', requestedAt: new Date(0).toISOString() };
    await expect(processPreflightJob({ id: '2', data }, { clusters: () => undefined, sink: { report: () => Promise.resolve(), failed: () => Promise.resolve() } })).rejects.toThrow(/unknown cluster "other"/);
  });
});
