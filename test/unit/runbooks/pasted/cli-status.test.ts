// Issue #16: the cilium-cli status box's `Hubble Relay: disabled` (no hubble-relay Deployment) is hubble-disabled,
// an info finding that says enable-hubble itself was not read. Box quoted from cilium/cilium#24587 (samples.ts).
import { describe, expect, it } from 'vitest';
import { analyzePastedText } from '../../../../runbooks/engine/pasted/analyze-pasted.ts';
import { agentVersionFromCliStatus, operatorFromCliStatus, relayFromCliStatus, relayReadyFromCliStatus } from '../../../../runbooks/engine/pasted/cli-status.ts';
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

// cilium/cilium-cli#334, verbatim: the relay Deployment is there but its replica is unavailable.
const BOX_334 = [
  'DaemonSet         cilium             Desired: 2, Ready: 2/2, Available: 2/2',
  'Deployment        cilium-operator    Desired: 1, Ready: 1/1, Available: 1/1',
  'Deployment        hubble-relay       Desired: 1, Unavailable: 1/1',
  'Containers:       cilium             Running: 2',
  '                  cilium-operator    Running: 1',
  '                  hubble-relay       Running: 1',
  'Image versions    cilium             quay.io/cilium/cilium:v1.9.8: 2',
  '                  cilium-operator    quay.io/cilium/operator-generic:v1.9.8: 1',
  '                  hubble-relay       quay.io/cilium/hubble-relay:v1.9.8: 1',
  'Errors:           hubble-relay       hubble-relay    1 pods of DaemonSet hubble-relay are not ready',
];

describe('Deployment rows and image versions in the box', () => {
  it('cilium-cli#334: the relay row "Desired: 1, Unavailable: 1/1" is a relay deployed and not ready → hubble-disabled warning, never critical', () => {
    expect(relayReadyFromCliStatus(BOX_334)).toBe(false);
    const { report } = analyzePastedText(`${BOX_334.join('\n')}\n`);
    expect(report.findings[0]).toMatchObject({ runbookId: 'hubble-disabled', severity: 'warning', title: 'Hubble Relay not ready' });
    expect(report.findings.some((f) => f.severity === 'critical')).toBe(false);
  });

  it('reads the operator (image, version, ready replicas) and the agent version from the image rows', () => {
    expect(operatorFromCliStatus(BOX_334)).toEqual({ image: 'quay.io/cilium/operator-generic:v1.9.8', version: '1.9.8', replicas: 1, readyReplicas: 1 });
    expect(agentVersionFromCliStatus(BOX_334)).toBe('1.9.8');
  });

  it('an operator a minor release behind the agents is crd-upgrade-drift (constructed from #334 with the operator tag changed)', () => {
    const skew = BOX_334.map((l) => l.replace('operator-generic:v1.9.8', 'operator-generic:v1.8.3'));
    const { report } = analyzePastedText(`${skew.join('\n')}\n`);
    expect(report.findings.map((f) => f.runbookId)).toContain('crd-upgrade-drift');
    expect(report.findings.find((f) => f.runbookId === 'crd-upgrade-drift')?.summary).toContain('1.8.3');
  });

  it('two agent images (a rollout in progress) give no single agent version', () => {
    const rolling = [...BOX_334.slice(0, 7), '                  cilium             quay.io/cilium/cilium:v1.10.0: 1', ...BOX_334.slice(7)];
    expect(agentVersionFromCliStatus(rolling)).toBeNull();
  });
});
