// Issue #16: the cilium-cli status box's `Hubble Relay: disabled` (no hubble-relay Deployment) is hubble-disabled,
// an info finding that says enable-hubble itself was not read. Box quoted from cilium/cilium#24587 (samples.ts).
import { describe, expect, it } from 'vitest';
import { analyzePastedText } from '../../../../runbooks/engine/pasted/analyze-pasted.ts';
import { relayFromCliStatus } from '../../../../runbooks/engine/pasted/cli-status.ts';
import { CLI_STATUS_24237 } from './samples.ts';

describe('Hubble Relay in the cilium-cli status box', () => {
  it('#24587: "Hubble Relay: disabled" → hubble-disabled (info, observed), saying the agents\' Hubble was not read', () => {
    const { report } = analyzePastedText(`${CLI_STATUS_24237}\n`, { ciliumVersion: '1.13.0' });
    const f = report.findings[0];
    expect(f).toMatchObject({ runbookId: 'hubble-disabled', severity: 'info', title: 'Hubble Relay not deployed' });
    expect(f?.summary).toContain('was not read');
    expect(f?.evidence[0]?.text).toBe('Hubble Relay: disabled');
    expect(f?.fixSteps[0]?.helmValues).toContain('enabled: true\n  relay:');
  });

  it('reads the relay line only: OK, disabled, or nothing (error counts need the pods)', () => {
    expect(relayFromCliStatus([' /¯¯\\__/¯¯\\    Hubble Relay:    OK'])).toBe(true);
    expect(relayFromCliStatus([' /¯¯\\__/¯¯\\    Hubble:    disabled'])).toBe(false);
    expect(relayFromCliStatus([' /¯¯\\__/¯¯\\    Hubble Relay:    1 errors'])).toBeNull();
    expect(relayFromCliStatus([' \\__/¯¯\\__/    ClusterMesh:     disabled'])).toBeNull();
  });

  it('a box whose relay is OK gives no Hubble finding', () => {
    const { report } = analyzePastedText(`${CLI_STATUS_24237.replace('Hubble Relay:    disabled', 'Hubble Relay:    OK')}\n`);
    expect(report.findings.map((x) => x.runbookId)).not.toContain('hubble-disabled');
  });
});
