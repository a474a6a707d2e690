// Agent failures on a kernel that is new enough: map creation ENOMEM, memlock, verifier limits, a known-bad
// kernel × version combination, and a full policy map. node-2 is the broken node in each.
import { healthyAgentLog, type AgentLogContext } from '../cilium-logs.ts';
import {
  endpointRegenerationFailed, joinEpFailed, MAP_CREATE_NEIGH_ENOMEM_ERROR, MAP_CREATE_NEIGH_ENOMEM_FATAL, MEMLOCK_FATAL,
  policyMapFull, programTooLarge, rewriteEndpointFailed, UNABLE_TO_LOAD_PROGRAM, VERIFIER_PROCESSED,
} from '../cilium-logs-failures.ts';
import { namespace } from '../build-apps.ts';
import { workloadPod } from '../build-pods.ts';
import type { KubeObject } from '../schema.ts';
import { BROKEN, buildCluster, clusterYaml, CRASH, flagLines, logContext, nodeIP, startLines, text, type ClusterSpec } from './broken-cluster.ts';
import { find, patchStatus, setCapabilities, setLabel, setResources } from './mutate.ts';
import { nameSuffix } from '../ids.ts';

/** Cilium ≤1.13 spelled kube-proxy-replacement disabled/partial/strict/probe (cilium-facts §3.1). */
export function legacyKpr(lines: string[], value: string): string[] {
  return lines.map((l) => l.replace(/--kube-proxy-replacement='(true|false)'/, `--kube-proxy-replacement='${value}'`));
}

const UBUNTU_2204_AWS = { kernel: '5.15.0-1019-aws', osImage: 'Ubuntu 22.04.1 LTS' };
/** #23436's values: requests 300m/600Mi, limits 600m/1G. */
const AGENT_RESOURCES = { requests: { cpu: '300m', memory: '600Mi' }, limits: { cpu: '600m', memory: '1G' } };

export function bpfMapCreateFailedYaml(): string {
  const bigMemKi = 130_522_456;
  const ctx: AgentLogContext = { ...logContext({ kpr: false }), memoryBytes: bigMemKi * 1024 };
  const crash = text([...legacyKpr(startLines(ctx), 'disabled'), MAP_CREATE_NEIGH_ENOMEM_ERROR, MAP_CREATE_NEIGH_ENOMEM_FATAL]);
  const spec: ClusterSpec = {
    name: 'bpf-map-create-failed',
    description: 'Cilium 1.12.1 on Ubuntu 22.04 (5.15.0-1019-aws, well above the 4.9.17 floor) after the agent DaemonSet got resources.limits.memory=1G; the autoscaler then added node-2, an r5.4xlarge with 128 GiB, where map sizes scale with memory. The agent on node-2 crash-loops with ENOMEM creating cilium_nodeport_neigh4 (Unable to create map … cannot allocate memory, cilium#23436) while the three 16 GiB nodes run fine.',
    header: ['Log lines: cilium#23436 (1.12.1, 5.15.0-1019-aws, the same 1G limit); the start lines as in kernel-too-old.yaml.'],
    version: '1.12.1', nodes: 4, os: UBUNTU_2204_AWS,
    brokenOs: { ...UBUNTU_2204_AWS, instanceType: 'r5.4xlarge', memoryKi: bigMemKi },
    config: { 'kube-proxy-replacement': 'disabled' }, kpr: false,
    healthyLog: (c) => text(legacyKpr(healthyAgentLog(c).trimEnd().split('\n'), 'disabled')),
    broken: { state: 'crashloop', restarts: 14, lastTermination: CRASH, previous: crash, current: crash, neverReady: true },
  };
  const built = buildCluster(spec);
  for (const pod of built.agents.values()) setResources(pod, AGENT_RESOURCES);
  setResources(find(built.objects, 'DaemonSet', 'cilium'), AGENT_RESOURCES, true);
  return clusterYaml(spec, built);
}

const UBUNTU_2004_AWS = { kernel: '5.4.0-1103-aws', osImage: 'Ubuntu 20.04.6 LTS' };
/** The Helm default set (build-pods.ts) without SYS_RESOURCE: what a trimmed securityContext override leaves. */
const CAPS_WITHOUT_SYS_RESOURCE = ['CHOWN', 'KILL', 'NET_ADMIN', 'NET_RAW', 'IPC_LOCK', 'SYS_MODULE', 'SYS_ADMIN', 'DAC_OVERRIDE', 'FOWNER', 'SETGID', 'SETUID'];

export function memlockRlimitYaml(): string {
  const ctx = logContext({ kpr: false });
  const crash = text([...startLines(ctx).slice(0, 5), MEMLOCK_FATAL]);
  const spec: ClusterSpec = {
    name: 'memlock-rlimit',
    description: 'Cilium 1.16.3 on Ubuntu 20.04 (5.4.0-1103-aws: before 5.11 BPF memory is charged to RLIMIT_MEMLOCK, not memcg) after a values change replaced the agent capabilities with a list lacking SYS_RESOURCE. The rolling update replaced only node-2\'s agent so far; it crash-loops on "unable to set memory resource limits … failed to set memlock rlimit: operation not permitted" while node-1 and node-3 still run the previous revision.',
    header: ['memlock line: cilium-facts §2.2 (siderolabs/talos#9494; level/subsys from daemon_main.go). Kernel < 5.11: rlimit.RemoveMemlock is a no-op only with memcg accounting (PR #18640).'],
    version: '1.16.3', nodes: 3, os: UBUNTU_2004_AWS, config: {}, kpr: false,
    broken: { state: 'crashloop', restarts: 9, lastTermination: { ...CRASH, startedAt: '2026-11-23T12:36:40Z', finishedAt: '2026-11-23T12:36:41Z' }, previous: crash, current: crash },
  };
  const built = buildCluster(spec);
  const agent = built.agents.get(BROKEN);
  if (agent !== undefined) {
    setCapabilities(agent, CAPS_WITHOUT_SYS_RESOURCE);
    setLabel(agent, 'controller-revision-hash', nameSuffix('rev:cilium:1.16.3:caps', 10));
    setLabel(agent, 'pod-template-generation', '2');
  }
  const ds = find(built.objects, 'DaemonSet', 'cilium');
  setCapabilities(ds, CAPS_WITHOUT_SYS_RESOURCE, true);
  patchStatus(ds, { updatedNumberScheduled: 1, observedGeneration: 2 });
  ds.metadata['generation'] = 2;
  return clusterYaml(spec, built);
}

const DEBIAN_10 = { kernel: '4.19.0-18-cloud-amd64', osImage: 'Debian GNU/Linux 10 (buster)' };
const DEBIAN_11 = { kernel: '5.10.0-26-cloud-amd64', osImage: 'Debian GNU/Linux 11 (bullseye)' };
const FLAGS_111 = { 'agent-health-port': '9879', 'enable-bpf-masquerade': 'false', 'kube-proxy-replacement': 'disabled', 'tunnel': 'vxlan' };

export function bpfProgramLoadDeniedYaml(): string {
  const current = text([...flagLines(FLAGS_111), programTooLarge(131073), UNABLE_TO_LOAD_PROGRAM, joinEpFailed(2599), rewriteEndpointFailed(2599)]);
  const spec: ClusterSpec = {
    name: 'bpf-program-load-denied',
    description: 'Cilium 1.11.7 (default install) on four nodes: three Debian 11 (5.10) and node-2, the last Debian 10 node (4.19.0-18-cloud-amd64), where the verifier rejects bpf_lxc with "BPF program is too large. Processed 131073 insn" (the 4.19 complexity budget; cilium#17647, #18047). node-2\'s agent stays up but not ready because its health endpoint program never loads. With the node probe on, node-2\'s kernel log also shows a permissive SELinux AVC record for bpftool\'s prog_load (logged, not refused).',
    header: ['Verifier/loader lines: cilium-facts §2.3; JoinEP / rewrite lines verbatim from vexxhost/atmosphere#453 (1.11).', 'Known-bad combination in cilium-facts §7 (Debian 10 4.19 + 1.11); 5.10.120 fixed it (#18047).', 'nodeData AVC record (permissive=1): rancher/rke2#1273.'],
    version: '1.11.7', nodes: 4, os: DEBIAN_11, brokenOs: DEBIAN_10,
    config: { 'kube-proxy-replacement': 'disabled', tunnel: 'vxlan' }, kpr: false,
    healthyLog: () => text(flagLines(FLAGS_111)),
    broken: { state: 'restarting', restarts: 0, current, backOffEvent: false },
    // What the node probe reads on node-2 (the agent is not ready, so NODE_PROBE_ENABLED starts it): Cilium 1.11 runs
    // `bpftool -j feature probe` at start, and this node's SELinux is permissive, so the kernel logs the AVC record of
    // rancher/rke2#1273 (comment 2021-07-13; its proctitle decodes to that bpftool command) but allows the load:
    // permissive=1 is no refusal (kernel-denials.ts), so the verifier stays the cause. dmesg shows audit records as
    // `audit: type=1400` (AUDIT_AVC) when auditd does not take them.
    nodeData: [{
      node: 'node-2',
      kernelLog: [
        '[   41.112734] audit: type=1400 audit(1626189345.067:258): avc:  denied  { prog_load } for  pid=3016 comm="bpftool" scontext=system_u:system_r:spc_t:s0 tcontext=system_u:system_r:spc_t:s0 tclass=bpf permissive=1',
      ],
    }],
  };
  return clusterYaml(spec);
}

const UBUNTU_2004_HWE = (build: number): { kernel: string; osImage: string } => ({ kernel: `5.15.0-${build}-generic`, osImage: 'Ubuntu 20.04.6 LTS' });
const FLAGS_11115 = { 'agent-health-port': '9879', 'bpf-lb-sock-hostns-only': 'true', 'kube-proxy-replacement': 'strict', 'tunnel': 'vxlan' };

export function versionAdvisoryYaml(): string {
  const current = text([...flagLines(FLAGS_11115), endpointRegenerationFailed(1306, 658, 1836496), programTooLarge(1000001), VERIFIER_PROCESSED]);
  const spec: ClusterSpec = {
    name: 'version-advisory',
    description: 'Cilium 1.11.15 with kube-proxy-replacement=strict on four Ubuntu 20.04 HWE nodes; unattended-upgrades moved node-2 from 5.15.0-71-generic to 5.15.0-72-generic and rebooted it, the known-bad combination of cilium#25500 (cilium-facts §7). node-2\'s agent logs "endpoint regeneration failed" and "BPF program is too large. Processed 1000001 insn" and stays not ready; the -71 nodes are fine.',
    header: ['Lines: cilium#25500 (1.11.15 on 5.15.0-72) and the verifier summary of vexxhost/atmosphere#453 (1.11).'],
    version: '1.11.15', nodes: 4, os: UBUNTU_2004_HWE(71), brokenOs: UBUNTU_2004_HWE(72),
    config: { 'kube-proxy-replacement': 'strict', tunnel: 'vxlan', 'bpf-lb-sock-hostns-only': 'true' }, kpr: true,
    healthyLog: () => text(flagLines(FLAGS_11115)),
    broken: { state: 'restarting', restarts: 0, current, backOffEvent: false },
    // The verifier rejection (critical) leads; the advisory naming the known-bad kernel point release follows it.
    expectFindings: ['bpf-program-load-denied', 'version-advisory'],
  };
  return clusterYaml(spec);
}

export const FLUX_POD = 'notification-controller-7dd8bdf67-n6j2x';

function fluxObjects(): KubeObject[] {
  const pod = workloadPod({ name: FLUX_POD, node: BROKEN, nodeIP: nodeIP(2), namespace: 'flux-system', app: 'notification-controller', owner: { kind: 'ReplicaSet', name: 'notification-controller-7dd8bdf67' }, state: 'running', podIP: '10.1.2.41', image: 'ghcr.io/fluxcd/notification-controller:v0.22.3' });
  const policy: KubeObject = {
    apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy',
    metadata: { name: 'allow-webhooks', namespace: 'flux-system', uid: '4c2d9e1f-7a3b-4c5d-8e6f-0a1b2c3d4e5f', creationTimestamp: '2026-11-02T09:00:00Z', labels: { 'app.kubernetes.io/instance': 'flux-system' } },
    spec: { podSelector: { matchLabels: { app: 'notification-controller' } }, ingress: [{ from: [{ namespaceSelector: {} }] }], policyTypes: ['Ingress'] },
  };
  return [namespace('flux-system'), pod, policy];
}

export function mapFullYaml(): string {
  const base = { containerID: '676d266ba7', endpointID: 2913, fd: 245, identity: 21047, ipv4: '10.1.2.41', pod: `flux-system/${FLUX_POD}` };
  const current = text([
    ...flagLines({ 'bpf-policy-map-max': '16384', 'kube-proxy-replacement': 'disabled', tunnel: 'vxlan' }),
    ...[40592, 7307, 29343, 51877, 33016].map((peerIdentity) => policyMapFull({ ...base, peerIdentity })),
  ]);
  const spec: ClusterSpec = {
    name: 'map-full',
    description: 'Cilium 1.11.3 with bpf-policy-map-max=16384 in a cluster with more security identities than that; Flux\'s allow-webhooks NetworkPolicy (ingress from every namespace) makes the notification-controller endpoint on node-2 need one policy-map entry per identity. node-2\'s agent keeps logging "Failed to add PolicyMap key … the map is full, please consider resizing it" (cilium#19279) for endpoint 2913; the agent itself stays ready.',
    header: ['PolicyMap lines: cilium-facts §2.4, cilium#19279 (1.11.1–1.11.3). The thousands of CiliumIdentity objects behind it are not in this file (size).'],
    version: '1.11.3', nodes: 3, os: UBUNTU_2004_AWS, config: { 'kube-proxy-replacement': 'disabled', tunnel: 'vxlan', 'bpf-policy-map-max': '16384' }, kpr: false,
    healthyLog: () => text(flagLines({ 'bpf-policy-map-max': '16384', 'kube-proxy-replacement': 'disabled', tunnel: 'vxlan' })),
    broken: { state: 'running', current }, extraObjects: fluxObjects(),
  };
  return clusterYaml(spec);
}
