// Issue #16 audit: kernel-config-missing, crd-upgrade-drift and kube-proxy-conflict are critical only when the agent
// is seen failing (a fatal or startup-failure line, or a pod read unhealthy); the same evidence with the pod state
// unread is a medium-confidence warning that says so. Lines are the fixtures' quotes (their threads named there).
import { describe, expect, it } from 'vitest';
import { kernelConfigMissing } from '../../../runbooks/catalogue/kernel-config-missing.ts';
import { crdUpgradeDrift } from '../../../runbooks/catalogue/crd-upgrade-drift.ts';
import { analyzePastedText } from '../../../runbooks/engine/pasted/analyze-pasted.ts';
import { agentLogs, crashingPod, exampleEvidence, LINES, missing, ok, withNode } from './fixtures.ts';

const unread = { agentPod: missing('not-found', 'pod not read') };
// cilium/cilium#36189, verbatim: the 1.16 agent exits because the kernel has no vxlan device support.
const VXLAN_FATAL = 'time="2024-11-26T14:07:37Z" level=fatal msg="failed to start: daemon creation failed: error while initializing daemon: failed while reinitializing datapath: failed to setup vxlan tunnel device: setting up vxlan device: creating vxlan device: creating device cilium_vxlan: operation not supported, maybe kernel module for vxlan is not available?" subsys=daemon';
// The same failure said at error level by a caller that logs and goes on (the wording of #36189, level changed): the
// line alone does not say whether the agent stopped.
const VXLAN_ERROR = VXLAN_FATAL.replace('level=fatal', 'level=error').replace('failed to start: daemon creation failed: error while initializing daemon: ', '');
const newKernel = withNode({ kernelVersion: '6.1.0-18-amd64' });

describe('kernel-config-missing: critical needs the agent failing', () => {
  it('#36189: the fatal startup line stays critical with the pod state unread', () => {
    const f = kernelConfigMissing.match(exampleEvidence({ ...newKernel, ...unread, ...agentLogs([VXLAN_FATAL]) }));
    expect(f).toMatchObject({ severity: 'critical', explainsAgentCrash: true });
  });

  it('near miss: the same cause at error level with no startup failure, pod unread → warning, medium, saying so', () => {
    const f = kernelConfigMissing.match(exampleEvidence({ ...newKernel, ...unread, ...agentLogs([VXLAN_ERROR]) }));
    expect(f).toMatchObject({ severity: 'warning', confidence: 'medium', explainsAgentCrash: false, proposals: [] });
    expect(f?.summary).toContain('state was not read');
  });

  it('the error-level line with the agent pod read crash-looping → critical', () => {
    const f = kernelConfigMissing.match(exampleEvidence({ ...newKernel, agentPod: crashingPod(), ...agentLogs([VXLAN_ERROR]) }));
    expect(f).toMatchObject({ severity: 'critical', explainsAgentCrash: true });
  });

  it('the error-level line with the agent pod read Ready → warning, not saying the state was unread', () => {
    const f = kernelConfigMissing.match(exampleEvidence({ ...newKernel, ...agentLogs([VXLAN_ERROR]) }));
    expect(f?.severity).toBe('warning');
    expect(f?.summary).not.toContain('state was not read');
  });

  it('#20726: ≤ 1.13 newDaemon\'s "unable to initialize Kube proxy replacement options" (error level) is a startup failure → critical', () => {
    const f = kernelConfigMissing.match(exampleEvidence({ ...withNode({ kernelVersion: '5.18.14' }), ...unread, ...agentLogs([LINES.nodePortNeeds]) }));
    expect(f?.severity).toBe('critical');
  });

  it('#44967: the 1.18 "Start hook failed" requirement line stays critical with the pod unread', () => {
    const f = kernelConfigMissing.match(exampleEvidence({ ...withNode({ kernelVersion: '6.18.13-arch1-1' }), ...unread, ...agentLogs([LINES.slogDce]) }));
    expect(f?.severity).toBe('critical');
  });
});

describe('crd-upgrade-drift: one "still waiting" line is a normal start', () => {
  const skewed = { operator: ok({ image: 'quay.io/cilium/operator-generic:v1.15.6', version: '1.15.6', replicas: 2, readyReplicas: 2 }) };

  it('near miss: operator skew beside a single CRD-wait line, pod unread → warning, not explaining a crash', () => {
    const f = crdUpgradeDrift.match(exampleEvidence({ ...skewed, ...unread, ...agentLogs([LINES.crdWait]) }));
    expect(f).toMatchObject({ severity: 'warning', explainsAgentCrash: false });
  });

  it('the wait repeated (3 lines) → critical, explaining the stuck agent', () => {
    const f = crdUpgradeDrift.match(exampleEvidence({ ...skewed, ...unread, ...agentLogs([LINES.crdWait, LINES.crdWait, LINES.crdWait]) }));
    expect(f).toMatchObject({ severity: 'critical', explainsAgentCrash: true });
  });

  it('a single wait line with the agent pod read crash-looping → critical', () => {
    const f = crdUpgradeDrift.match(exampleEvidence({ ...skewed, agentPod: crashingPod(), ...agentLogs([LINES.crdWait]) }));
    expect(f?.severity).toBe('critical');
  });
});

describe('kube-proxy-conflict: a pasted pod table does not read the node\'s own pods', () => {
  const TABLE = [
    'NAMESPACE     NAME                               READY   STATUS    RESTARTS   AGE',
    'kube-system   cilium-8x7kq                       1/1     Running   0          10m',
    'kube-system   kube-proxy-4tq9z                   1/1     Running   0          3d',
    '',
  ].join('\n');

  it('kube-proxy Running in a pasted table beside KPR → warning, medium, saying the node\'s pods were not read', () => {
    const f = analyzePastedText(TABLE, { config: { 'kube-proxy-replacement': 'true' } }).report.findings.find((x) => x.runbookId === 'kube-proxy-conflict');
    expect(f).toMatchObject({ severity: 'warning', confidence: 'medium' });
    expect(f?.summary).toContain('were not read');
  });

  it('near miss: no kube-proxy-replacement stated → no finding at all', () => {
    const ids = analyzePastedText(TABLE, { config: { 'kube-proxy-replacement': 'false' } }).report.findings.map((x) => x.runbookId);
    expect(ids).not.toContain('kube-proxy-conflict');
  });
});
