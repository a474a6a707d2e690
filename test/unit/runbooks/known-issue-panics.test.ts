// Issue #16, known bugs shown as Go panics: the stack trace stays with the pasted log that ends in it (behind CRI or
// container prefixes), whose program panicked is read from the stack, a known bug's frame outranks the crash-loop
// fallback, and a signature whose config constraint holds pins the bug without a version. Quotes are from threads
// other than the ones the entries were written from (#13300, #33268, PR #11749, aws/amazon-vpc-cni-k8s#3230) where
// the rule is general.
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../runbooks/engine/contract.ts';
import { analyzePastedText } from '../../../runbooks/engine/pasted/analyze-pasted.ts';
import { segment } from '../../../runbooks/engine/pasted/segment.ts';
import { panicOrigin } from '../../../runbooks/engine/panic-origin.ts';
import { orderFindings } from '../../../runbooks/engine/precedence.ts';
import { finding } from '../bot/report-fixture.ts';
import { agentLogs, exampleEvidence, missing } from './fixtures.ts';

const ids = (fs: readonly Finding[]) => fs.map((f) => f.runbookId);

/** #13300 (v1.8.3): a panic after the agent's last log line, then its stack. */
const UPSERT_SERVICE_PANIC = [
  'level=info msg="Initializing node addressing" subsys=daemon',
  'panic: runtime error: invalid memory address or nil pointer dereference',
  '[signal SIGSEGV: segmentation violation code=0x1 addr=0x18 pc=0x1d3aa37]',
  '',
  'goroutine 61 [running]:',
  'github.com/cilium/cilium/pkg/service.(*Service).UpsertService(0xc0001a67e0, 0xc0006f9980, 0x0, 0x0, 0x0)',
  '        /go/src/github.com/cilium/cilium/pkg/service/service.go:289 +0xdf7',
];

/** PR #11749: an operator panic (operator/k8s_pod_controller.go). */
const OPERATOR_PANIC = [
  'panic: runtime error: invalid memory address or nil pointer dereference',
  '[signal SIGSEGV: segmentation violation code=0x1 addr=0x118 pc=0x1dcb219]',
  'goroutine 161 [running]:',
  'main.enableUnmanagedKubeDNSController.func1(0x28aa1a0, 0xc00069e880, 0x3d3d0a0, 0xd9fc43ebeec50347)',
  '\t/go/src/github.com/cilium/cilium/operator/k8s_pod_controller.go:67 +0xa69',
  'github.com/cilium/cilium/pkg/controller.(*Controller).runController(0xc000789a00)',
  '\t/go/src/github.com/cilium/cilium/pkg/controller/controller.go:205 +0xa2a',
];

/** aws/amazon-vpc-cni-k8s#3230: another CNI's panic. */
const AWS_CNI_PANIC = [
  'panic: runtime error: invalid memory address or nil pointer dereference',
  '[signal SIGSEGV: segmentation violation code=0x1 addr=0x28 pc=0xaaaacc82deac]',
  '',
  'goroutine 1 [running, locked to thread]:',
  'main.del(0x40000ec100, {0xaaaacd019c60, 0xaaaacd596460}, {0xaaaacd019c88, 0xaaaacd596460}, {0xaaaacd019cb0, 0xaaaacd596460}, {0xaaaacd01cbf8, 0x40000b6450})',
  '\t/go/src/github.com/aws/amazon-vpc-cni-k8s/cmd/routed-eni-cni-plugin/cni.go:478 +0x19bc',
];

const pasted = (lines: readonly string[]) => exampleEvidence({ ...agentLogs(lines), agentPod: missing('not-found', 'pasted text') });

describe('a pasted Go panic keeps its stack trace in the agent log', () => {
  it('#13300: the frames after the last log line belong to it', () => {
    const parts = segment(`${UPSERT_SERVICE_PANIC.join('\n')}\n`);
    expect(parts).toHaveLength(1);
    expect(parts[0]).toMatchObject({ kind: 'cilium-log' });
    expect(parts[0]?.lines.at(-1)).toContain('service.go:289');
  });

  it('#33268 lines behind a `kubectl logs --prefix` column: the prefix is dropped and the stack stays', () => {
    const text = [
      '[pod/cilium-x7k2p/cilium-agent] time="2024-06-19T13:21:59Z" level=info msg="regenerating all endpoints" reason="one or more identities created or deleted" subsys=endpoint-manager',
      '[pod/cilium-x7k2p/cilium-agent] panic: runtime error: invalid memory address or nil pointer dereference',
      '[pod/cilium-x7k2p/cilium-agent] goroutine 260 [running]:',
      '[pod/cilium-x7k2p/cilium-agent] github.com/cilium/cilium/pkg/egressgateway.(*Manager).addEndpoint(0xc001626d80, 0xc001e3ee00)',
      '[pod/cilium-x7k2p/cilium-agent]         /go/src/github.com/cilium/cilium/pkg/egressgateway/manager.go:460 +0x286',
    ].join('\n');
    const parts = segment(text);
    expect(parts.map((p) => p.kind)).toEqual(['cilium-log']);
    expect(parts[0]?.lines[0]).toMatch(/^time="2024-06-19T13:21:59Z"/);
    expect(parts[0]?.lines).toHaveLength(5);
  });

  it('#33468: a CRI-prefixed stack (containerd log file) stays too', () => {
    const text = [
      '2024-06-26T09:23:08.877430323Z stderr F fatal error: concurrent map iteration and map write',
      '2024-06-26T09:23:08.880679156Z stderr F goroutine 41516 [running]:',
      '2024-06-26T09:23:08.880685482Z stderr F github.com/cilium/cilium/pkg/auth.(*authMapGarbageCollector).cleanupEndpoints(0x4000894000, {0x40011a0780?, 0x4001a105a0?})',
    ].join('\n');
    expect(segment(text).map((p) => p.lines.length)).toEqual([3]);
  });

  it('#13887: klog\'s "Observed a panic" between the log lines and the stack stays in the log', () => {
    const text = [
      'level=info msg="Discovered new CiliumNode custom resource" name=ip-192-168-125-196.eu-west-2.compute.internal subsys=ipam',
      'Observed a panic: "invalid memory address or nil pointer dereference" (runtime error: invalid memory address or nil pointer dereference)',
      'goroutine 693 [running]:',
      'k8s.io/apimachinery/pkg/util/runtime.logPanic(0x1f5e260, 0x3b094f0)',
      '        /go/src/github.com/cilium/cilium/vendor/k8s.io/apimachinery/pkg/util/runtime/runtime.go:74 +0xa3',
    ].join('\n');
    expect(segment(text).map((p) => [p.kind, p.lines.length])).toEqual([['cilium-log', 5]]);
  });

  it('#24396: a log viewer\'s numbered lines (fragments, no log line) keep their stack, and the known bug is found', () => {
    const text = [
      '188 2023-03-15T16:37:15.327129738Z Observed a panic: "invalid memory address or nil pointer dereference" (runtime error: invalid memory address or nil pointer der    eference)',
      '189 2023-03-15T16:37:15.328109280Z goroutine 461 [running]:',
      '196 2023-03-15T16:37:15.328137988Z github.com/cilium/cilium/operator/watchers.endpointUpdated(0x4000886ea0)',
      '197 2023-03-15T16:37:15.328139196Z  /go/src/github.com/cilium/cilium/operator/watchers/cilium_endpoint.go:216 +0x4c',
    ].join('\n');
    expect(segment(text).map((p) => [p.kind, p.lines.length])).toEqual([['log-fragment', 4]]);
    expect(analyzePastedText(text, { ciliumVersion: '1.13.0' }).report.findings[0]).toMatchObject({ runbookId: 'version-advisory', severity: 'warning' });
  });

  it('one line that merely starts with a container name is left as it is', () => {
    expect(segment('cilium-agent failed to start on node-1\n')[0]?.lines[0]).toBe('cilium-agent failed to start on node-1');
  });
});

describe('whose panic it is', () => {
  it('reads the agent, the operator, another program, or nothing from the stack', () => {
    expect(panicOrigin(pasted(UPSERT_SERVICE_PANIC))).toBe('cilium-agent');
    expect(panicOrigin(pasted(OPERATOR_PANIC))).toBe('cilium-operator');
    expect(panicOrigin(pasted(AWS_CNI_PANIC))).toBe('other');
    expect(panicOrigin(pasted(['panic: runtime error: index out of range', '\t/usr/local/go/src/runtime/panic.go:884 +0x20c']))).toBeNull();
  });

  it('the crash-loop fallback words an operator panic as the operator\'s, and says nothing of another CNI\'s', () => {
    const operator = analyzePastedText(`${OPERATOR_PANIC.join('\n')}\n`).report.findings;
    expect(operator[0]).toMatchObject({ runbookId: 'agent-crashloop', severity: 'warning', title: 'cilium-operator exited on a fatal error' });
    expect(analyzePastedText(`${AWS_CNI_PANIC.join('\n')}\n`).report.findings).toEqual([]);
    const agent = analyzePastedText(`${UPSERT_SERVICE_PANIC.join('\n')}\n`).report.findings;
    expect(agent[0]).toMatchObject({ runbookId: 'agent-crashloop', severity: 'warning', title: 'cilium-agent exited on a fatal error' });
  });
});

describe('a known bug recognised by its panic frame', () => {
  it('#24366 pasted with its stack on 1.11.14: critical, and the fallback is gone', () => {
    const text = [
      'level=info msg="Finished regenerating restored endpoints" regenerated=5 subsys=daemon total=5',
      'panic: runtime error: invalid memory address or nil pointer dereference',
      'goroutine 996 [running]:',
      'github.com/cilium/cilium/daemon/cmd.(*Daemon).cleanStaleCEPs(0xc0000e4c80, {0x2f8e088, 0xc00007c020}, {0x2f2b040, 0xc0003a40e0}, {0x2fcf838, 0xc0007fc3a0}, 0x0)',
    ].join('\n');
    const { report } = analyzePastedText(text, { ciliumVersion: '1.11.14' });
    expect(report.findings[0]).toMatchObject({ runbookId: 'version-advisory', severity: 'critical' });
    expect(ids(report.findings)).not.toContain('agent-crashloop');
    // On the fixed release the same stack is an unrecognised panic again.
    expect(analyzePastedText(text, { ciliumVersion: '1.11.15' }).report.findings[0]).toMatchObject({ runbookId: 'agent-crashloop', severity: 'warning' });
  });

  it('with no version read, the known bug still comes before the fallback, as a warning', () => {
    const text = [
      'panic: runtime error: invalid memory address or nil pointer dereference',
      'goroutine 356 [running]:',
      'github.com/cilium/cilium/operator/pkg/bgpv2.(*peerConfigStatusReconciler).reconcileStatus(0xc001792d20, {0x447c978, 0xc000620ae0}, {0xc0017ffd78?, 0x4b37b3?})',
    ].join('\n');
    const { report } = analyzePastedText(text);
    expect(ids(report.findings)).toEqual(['version-advisory', 'agent-crashloop']);
    expect(report.findings[0]).toMatchObject({ severity: 'warning', confidence: 'medium' });
  });

  it('orders a specific finding, then a tentative advisory, then the fallback, within one severity', () => {
    const specific = finding('map-full', { severity: 'warning', basis: 'explicit', confidence: 'certain' });
    const guess = finding('version-advisory', { severity: 'warning', basis: 'explicit', confidence: 'medium' });
    const fallback = finding('agent-crashloop', { severity: 'warning', basis: 'explicit', confidence: 'medium' });
    expect(ids(orderFindings([{ finding: fallback, rank: 100 }, { finding: guess, rank: 14 }, { finding: specific, rank: 40 }])))
      .toEqual(['map-full', 'version-advisory', 'agent-crashloop']);
  });
});

describe('a signature whose config constraint holds pins the bug without a version', () => {
  const line = 'level=error msg="Error while inserting service in LB map" error="unable to update service w.x.y.z:443 with the value a.b.c.d:443 (991): Unable to update element for map with file descriptor 16: argument list too long" k8sNamespace=default k8sSvcName=XXX subsys=daemon';

  it('#8587: with enable-legacy-services=true stated, the known bug leads (high) and replaces the map-full reading', () => {
    const { report } = analyzePastedText(`${line}\n`, { config: { 'enable-legacy-services': 'true' } });
    expect(report.findings[0]).toMatchObject({ runbookId: 'version-advisory', confidence: 'high' });
    expect(ids(report.findings)).not.toContain('map-full');
  });

  it('without the config the line stays map-full\'s: the constraint is what makes it this bug', () => {
    const { report } = analyzePastedText(`${line}\n`);
    expect(report.findings[0]?.runbookId).toBe('map-full');
  });
});
