// The paste recogniser: each part of a mixed paste is found by its own shape, becomes the fact it carries, and a fact
// nothing pasted speaks of stays "not collected". Samples are real output (samples.ts names the threads).
import { describe, expect, it } from 'vitest';
import { segment } from '../../../../runbooks/engine/pasted/segment.ts';
import { evidenceFromSegments } from '../../../../runbooks/engine/pasted/pasted-evidence.ts';
import { analyzePastedText } from '../../../../runbooks/engine/pasted/analyze-pasted.ts';
import { parseFlowLine } from '../../../../runbooks/engine/pasted/hubble-flows.ts';
import { IPTABLES } from '../fixtures.ts';
import { AVC_6358, CLI_STATUS_24237, DESCRIBE_AGENT_POD, EVENTS_15255, HUBBLE_3648, HUBBLE_PRINTER, LOCKDOWN_8117, STATUS_18331 } from './samples.ts';

const LOGS = [
  'level=info msg="Cilium 1.11.4 5fd6c1d 2022-04-20T15:19:33+02:00 go version go1.17.9 linux/amd64" subsys=daemon',
  'level=warning msg="Unable to update ipcache map entry on pod add" error="unable to update element for cilium_ipcache map" subsys=k8s-watcher',
  'goroutine 1 [running]:',
  'level=fatal msg="Error while creating daemon" error="some failure" subsys=daemon',
].join('\n');

describe('segment: a mixed paste', () => {
  const text = [
    '$ kubectl -n kube-system exec cilium-x7k2p -c cilium-agent -- cilium-dbg status --verbose', STATUS_18331, '',
    LOGS, '', AVC_6358, '', HUBBLE_3648, '', IPTABLES.kubeProxy, '', DESCRIBE_AGENT_POD, '',
    'LAST SEEN   TYPE      REASON             OBJECT             MESSAGE',
    '3m          Warning   BackOff            pod/cilium-crx2x   Back-off restarting failed container',
  ].join('\n');

  it('finds every part in order, with its line count and the command before it', () => {
    const parts = segment(text);
    expect(parts.map((p) => p.kind)).toEqual(['agent-status', 'cilium-log', 'kernel-log', 'hubble-flows', 'iptables-save', 'describe-pod', 'get-events']);
    expect(parts[0]?.command).toMatch(/cilium-dbg status --verbose$/);
    // The Go stack line between two log lines stays in the log.
    expect(parts[1]?.lines).toHaveLength(4);
    expect(analyzePastedText(text).parts.map((p) => p.label)).toEqual([
      'cilium-dbg status', 'agent log (4 lines)', 'dmesg (2 lines)', 'hubble observe (3 lines)', `iptables-save (${IPTABLES.kubeProxy.split('\n').length} lines)`,
      'kubectl describe pod', 'kubectl get events (2 lines)',
    ]);
  });

  it('builds each fact from its part, marked pasted', () => {
    const e = evidenceFromSegments(segment(text));
    expect(e.agentStatus).toMatchObject({ ok: true, value: { verbose: true, source: 'pasted' } });
    expect(e.kernelLog.ok && e.kernelLog.value.lines).toHaveLength(2);
    expect(e.flows.ok && e.flows.value.flows.map((f) => f.verdict)).toEqual(['FORWARDED', 'DENIED', 'DROPPED']);
    expect(e.iptables.ok && e.iptables.value).toMatchObject({ source: 'pasted', kubeProxyChains: { proxyCanary: true } });
    expect(e.agentPod.ok && e.agentPod.value).toMatchObject({ name: 'cilium-crx2x', ready: false, restartCount: 9, waitingReason: 'CrashLoopBackOff', lastTermination: { exitCode: 1, reason: 'Error' } });
    expect(e.events.ok && e.events.value.map((ev) => [ev.reason, ev.count, ev.involvedObject.name])).toEqual([['BackOff', 50, 'cilium-crx2x'], ['BackOff', 1, 'cilium-crx2x']]);
    expect(e.nodeName).toBe('lvquanfeng-master-1');
    expect(e.cilium.ok && e.cilium.value.version).toBe('1.11.4');
  });
});

describe('what was not pasted stays not collected', () => {
  it('a status alone: logs, kernel log, iptables, events, agent pod and node are unknown, not healthy', () => {
    const e = evidenceFromSegments(segment(STATUS_18331));
    for (const k of ['agentLogs', 'kernelLog', 'iptables', 'events', 'agentPod', 'node', 'flows', 'ciliumConfig'] as const) expect(e[k].ok, k).toBe(false);
    expect(e.nodeName).toBe('<node>');
  });

  it('the cilium-cli summary box is recognised but is not the agent status (it carries no IPAM)', () => {
    const parts = segment(CLI_STATUS_24237);
    expect(parts.map((p) => p.kind)).toEqual(['cilium-cli-status']);
    expect(evidenceFromSegments(parts).agentStatus.ok).toBe(false);
  });

  it('text with nothing recognisable yields no part and no fact', () => {
    const r = analyzePastedText('hello\nthis is a note about my cluster\n');
    expect(r.parts).toEqual([]);
    expect(r.report.findings).toEqual([]);
    expect(r.report.unavailable.map((u) => u.fact)).toContain('agentLogs');
  });
});

describe('line recognisers', () => {
  it('hubble observe: verdict, drop reason, direction, ends and summary', () => {
    expect(parseFlowLine(HUBBLE_PRINTER)).toMatchObject({ verdict: 'DROPPED', reason: 'Policy denied', direction: null, source: '1.1.1.1:31793 (health)', destination: '2.2.2.2:8080 (ID:12345)', summary: 'TCP Flags: SYN' });
    expect(parseFlowLine(HUBBLE_3648.split('\n')[1] ?? '')).toMatchObject({ verdict: 'DENIED', reason: 'policy-verdict:none', direction: 'ingress' });
    expect(parseFlowLine('level=info msg="x -> y FORWARDED"')).toBeNull();
  });

  it('kernel lines: talosctl dmesg, journalctl -k and dmesg prefixes; only BPF/LSM lines are kept', () => {
    const text = [LOCKDOWN_8117, 'Dec 03 10:00:00 node-7 kernel: eth0: link up', '[   12.345678] audit: type=1400 audit(1700000000.000:5): avc:  denied  { bpf } for  pid=1 comm="cilium-agent" capability=39 scontext=system_u:system_r:container_t:s0 tclass=capability2 permissive=0'].join('\n');
    const parts = segment(text);
    expect(parts.map((p) => [p.kind, p.lines.length])).toEqual([['kernel-log', 3]]);
    const e = evidenceFromSegments(parts);
    expect(e.kernelLog.ok && e.kernelLog.value.lines).toHaveLength(2);
  });

  it('describe-style event rows alone are events (cilium/cilium#15255)', () => {
    const e = evidenceFromSegments(segment(EVENTS_15255));
    expect(e.events.ok && e.events.value[0]).toMatchObject({ type: 'Warning', reason: 'FailedCreatePodSandBox' });
  });

  it('a quoted fragment of a log message is read only when nothing else was recognised', () => {
    const fragment = 'failed to start: daemon creation failed: unable to determine direct routing device';
    expect(segment(fragment).map((p) => p.kind)).toEqual(['log-fragment']);
    expect(segment(`${fragment}\n\n${STATUS_18331}`).map((p) => p.kind)).toEqual(['agent-status']);
  });
});

describe('kubectl describe node and kubectl exec noise', () => {
  // kubectl's describe layout (k8s.io/kubectl pkg/describe/describe.go): the agent-not-ready taint the operator
  // removes once the node's agent is ready (docs installation/taints), the kubelet's System Info.
  const NODE = [
    'Name:               node-7',
    'Roles:              <none>',
    'Labels:             kubernetes.io/hostname=node-7',
    'Taints:             node.cilium.io/agent-not-ready:NoSchedule',
    'Unschedulable:      false',
    'Conditions:',
    '  Type                 Status  LastHeartbeatTime                 LastTransitionTime                Reason                       Message',
    '  ----                 ------  -----------------                 ------------------                ------                       -------',
    '  NetworkUnavailable   True    Mon, 02 Dec 2024 10:00:00 +0000   Mon, 02 Dec 2024 10:00:00 +0000   NoRouteCreated               Node created without a route',
    '  Ready                False   Mon, 02 Dec 2024 10:05:00 +0000   Mon, 02 Dec 2024 10:00:00 +0000   KubeletNotReady              container runtime network not ready',
    'Addresses:',
    '  InternalIP:  10.0.0.7',
    'System Info:',
    '  Kernel Version:             4.9.0-19-amd64',
    '  OS Image:                   Debian GNU/Linux 9 (stretch)',
    '  Container Runtime Version:  containerd://1.6.20',
    '  Kubelet Version:            v1.27.6',
  ].join('\n');

  it('a described node gives the node fact: kernel, OS, taints, conditions, address; its kernel feeds the runbooks', () => {
    const e = evidenceFromSegments(segment(NODE), { ciliumVersion: '1.16.3' });
    expect(e.nodeName).toBe('node-7');
    expect(e.node.ok && e.node.value).toMatchObject({
      kernelVersion: '4.9.0-19-amd64', osImage: 'Debian GNU/Linux 9 (stretch)', unschedulable: false, internalIP: '10.0.0.7',
      taints: [{ key: 'node.cilium.io/agent-not-ready', effect: 'NoSchedule' }],
      conditions: [{ type: 'NetworkUnavailable', status: 'True', reason: 'NoRouteCreated' }, { type: 'Ready', status: 'False', reason: 'KubeletNotReady' }],
    });
    expect(analyzePastedText(NODE, { ciliumVersion: '1.16.3' }).report.findings[0]?.runbookId).toBe('kernel-too-old');
  });

  it('kubectl exec\'s "Defaulted container" line before the status does not hide it', () => {
    const text = `Defaulted container "cilium-agent" out of: cilium-agent, config (init), mount-cgroup (init)\n${STATUS_18331}\n`;
    expect(segment(text).map((p) => p.kind)).toEqual(['agent-status']);
  });
});

describe('logs that are not the agent\'s', () => {
  // kubeshark#1747: Kubeshark's tracer (zerolog console format) printing cilium/ebpf's MEMLOCK hint on a Cilium cluster.
  const KUBESHARK_1747 = '2025-04-09T11:30:04Z WRN tracer/pkg/bpf/bpf.go:231 > load tracer objects failed, trying load without ebpf packet capture backend. Error: load tracer objects failed: field CgroupBpfRunFilterSkb: program cgroup_bpf_run_filter_skb: map cgrpctxmap_in: map create: operation not permitted (MEMLOCK may be too low, consider rlimit.RemoveMemlock)';

  it('zerolog console lines are not read as a cilium log, so another tool\'s MEMLOCK hint is not the agent\'s', () => {
    expect(segment(KUBESHARK_1747).some((s) => s.kind === 'cilium-log')).toBe(false);
    const { report } = analyzePastedText(KUBESHARK_1747);
    expect(report.findings.filter((f) => f.severity === 'critical')).toEqual([]);
  });

  it('the same hint in the agent\'s own logfmt line is still read', () => {
    const agent = 'level=error msg="Unable to create map" error="map create: operation not permitted (MEMLOCK may be too low, consider rlimit.RemoveMemlock)" subsys=daemon';
    expect(segment(agent).map((s) => s.kind)).toEqual(['cilium-log']);
  });
});
