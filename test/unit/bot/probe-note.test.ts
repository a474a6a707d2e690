// The report says which facts the node probe read, in Slack and in the CLI, and says nothing when none were.
import { describe, expect, it } from 'vitest';
import { renderReport } from '../../../bot/render/report-blocks.ts';
import { renderReportText } from '../../../bot/render/report-text.ts';
import { finding, report } from './report-fixture.ts';

describe('the node probe note', () => {
  it('names the facts read by the probe', () => {
    const r = { ...report([finding('kernel-too-old')]), readByProbe: ['iptables', 'hostKernel'] };
    const blocks = JSON.stringify(renderReport(r).messages.flatMap((m) => m.blocks));
    expect(blocks).toContain('Read by the node probe: `iptables` `hostKernel`');
    expect(renderReportText(r)).toContain('Read by the node probe: iptables, hostKernel');
  });

  it('is absent when the agent answered everything', () => {
    const r = report([finding('kernel-too-old')]);
    expect(JSON.stringify(renderReport(r).messages.flatMap((m) => m.blocks))).not.toContain('node probe');
    expect(renderReportText(r)).not.toContain('node probe');
  });
});
