// Per-node differences the cluster-wide view hides: a CiliumNodeConfig that turns a feature on for some nodes only,
// and a Debian kernel whose `uname -r` (4.19.0-21) reads older than the upstream release it is (4.19.249).
import { healthyAgentLog, mapCreateCrashLog } from '../cilium-logs.ts';
import { BANDWIDTH_KERNEL_WARNING } from '../cilium-logs-failures.ts';
import { uidFor } from '../ids.ts';
import type { ExecResult, KubeObject } from '../schema.ts';
import { agentName, buildCluster, clusterYaml, CRASH, flagLines, logContext, startLines, text, type ClusterSpec } from './broken-cluster.ts';
import { chart116 } from './install-shapes.ts';
import { find, setLabel } from './mutate.ts';
import { HOST_KERNEL_READ } from '../../kube/agent-exec-defaults.ts';

const DEBIAN_12 = { kernel: '6.1.0-28-cloud-amd64', osImage: 'Debian GNU/Linux 12 (bookworm)' };
/** `uname -a` of this kernel, verbatim in public output: "4.19.0-21-cloud-amd64 #1 SMP Debian 4.19.249-2 (2022-06-30)". */
const DEBIAN_10_CLOUD = { kernel: '4.19.0-21-cloud-amd64', osImage: 'Debian GNU/Linux 10 (buster)' };
const DEBIAN_10 = { kernel: '4.19.0-21-amd64', osImage: 'Debian GNU/Linux 10 (buster)' };

/**
 * /proc/version of a Debian 10 kernel: release and `#1 SMP Debian 4.19.249-2 (2022-06-30)` are verbatim from public
 * `uname -a` output of 4.19.0-21; the builder and compiler in between are how Debian 10's kernel package prints them
 * (debian-kernel@lists.debian.org, Debian's gcc 8.3.0-6) and are not quoted from a source here.
 */
export function debian10ProcVersion(release: string): string {
  return `Linux version ${release} (debian-kernel@lists.debian.org) (gcc version 8.3.0 (Debian 8.3.0-6)) #1 SMP Debian 4.19.249-2 (2022-06-30)\n`;
}

function procVersionExec(pod: string, release: string): ExecResult {
  return { namespace: 'kube-system', pod, container: 'cilium-agent', command: HOST_KERNEL_READ, stdout: debian10ProcVersion(release), stderr: '', exitCode: 0 };
}

const OVERRIDE_LABEL = 'io.cilium/bandwidth-manager';

/**
 * cilium.io/v2alpha1 CiliumNodeConfig (the version 1.15 serves; v2 from 1.16) in the agents' namespace, as the
 * per-node-config docs show it.
 */
function bandwidthOverride(): KubeObject {
  return {
    apiVersion: 'cilium.io/v2alpha1', kind: 'CiliumNodeConfig',
    metadata: { name: 'bandwidth-manager-egress-limits', namespace: 'kube-system', uid: uidFor('ciliumnodeconfig:kube-system/bandwidth-manager-egress-limits'), creationTimestamp: '2026-11-20T10:12:00Z', generation: 1 },
    spec: { nodeSelector: { matchLabels: { [OVERRIDE_LABEL]: 'enabled' } }, defaults: { 'enable-bandwidth-manager': 'true' } },
  };
}

export function ciliumNodeConfigOverrideYaml(): string {
  const ctx = logContext({ kpr: true });
  const flag = (on: boolean): string[] => flagLines({ 'enable-bandwidth-manager': String(on) });
  const spec: ClusterSpec = {
    name: 'ciliumnodeconfig-override',
    description: 'Cilium 1.15.6 (floor 4.19.57, which Debian 10\'s upstream 4.19.249 meets): cilium-config keeps enable-bandwidth-manager=false, but a CiliumNodeConfig (cilium.io/v2alpha1, kube-system) turns it on for nodes labelled io.cilium/bandwidth-manager=enabled, so the egress-limited batch pods can land there. node-3 (Debian 12, 6.1) enforces the limits; node-2, still on Debian 10 with a 4.19 kernel, got the label too: its agent logs "BPF bandwidth manager needs kernel 5.1 or newer. Disabling the feature." and kubernetes.io/egress-bandwidth is silently not enforced there. Reading cilium-config alone, the feature is off everywhere.',
    header: [
      'CiliumNodeConfig: docs.cilium.io/en/stable/configuration/per-node-config/ (nodeSelector + defaults; v2alpha1 in 1.15, v2 from 1.16, CRD cilium/cilium@15248bc).',
      'Cilium 1.15, not 1.16: 1.16 needs kernel 5.4, so a 4.19 node would be below its floor (kernel-too-old), not a per-node feature story.',
      'Warning line: cilium-facts §2.6 (cilium#18639 text); the same Warn in the hive-era bandwidth manager (pkg/datapath/linux/bandwidth). node-2\'s /proc/version is scripted: 4.19.0-21 is Debian\'s name for upstream 4.19.249.',
    ],
    version: '1.15.6', nodes: 3, os: DEBIAN_12, brokenOs: DEBIAN_10_CLOUD, brokenPool: 'workers-legacy',
    config: { 'enable-bandwidth-manager': 'false' }, kpr: true,
    healthyLog: (c) => text([...healthyAgentLog(c).trimEnd().split('\n'), ...flag(false)]),
    broken: { state: 'running', current: text([...startLines(ctx), ...flag(true), BANDWIDTH_KERNEL_WARNING]) },
    expectFindings: ['bandwidth-manager-unsupported'], expectHealthy: ['node-1', 'node-3'],
    extraObjects: [bandwidthOverride()],
  };
  const built = buildCluster(spec);
  chart116(built);
  for (const n of ['node-2', 'node-3']) setLabel(find(built.objects, 'Node', n), OVERRIDE_LABEL, 'enabled');
  // node-3 runs with the override too: the flag dump says so; its kernel supports it, so no warning.
  const node3 = built.logs.find((l) => l.pod === agentName('node-3'));
  if (node3 !== undefined) node3.current = text([...healthyAgentLog(ctx).trimEnd().split('\n'), ...flag(true)]);
  built.exec.push(procVersionExec(agentName('node-2'), DEBIAN_10_CLOUD.kernel));
  return clusterYaml(spec, built);
}

const AL2 = { kernel: '4.14.352-268.568.amzn2.x86_64', osImage: 'Amazon Linux 2', kubeletVersion: 'v1.29.15-eks-473151a' };
const AL2_NODES = ['node-2', 'node-4'];

export function debian10AndAl2Yaml(): string {
  const crash = mapCreateCrashLog(logContext({ kpr: false }));
  const spec: ClusterSpec = {
    name: 'debian10-and-al2',
    description: 'Cilium 1.15.6 (floor 4.19.57) on two pools: workers-debian runs Debian 10, whose kernel calls itself 4.19.0-21-amd64 but is upstream 4.19.249 (/proc/version: "#1 SMP Debian 4.19.249-2 (2022-06-30)"), and is healthy; workers-al2 runs Amazon Linux 2 on 4.14.352, truly below the floor, and its agents crash-loop creating BPF maps. The AL2 nodes must be reported, the Debian nodes must not.',
    header: [
      'Broken: node-2 and node-4 (workers-al2). Healthy: node-1 and node-3 (workers-debian), with /proc/version scripted in their agents.',
      'Map failure lines: cilium#30437 (as in kernel-too-old.yaml). Debian uname: public `uname -a` output of 4.19.0-21-amd64.',
    ],
    version: '1.15.6', nodes: 4, os: DEBIAN_10, pool: 'workers-debian', brokenOs: AL2, brokenPool: 'workers-al2', brokenNodes: AL2_NODES,
    config: { 'kube-proxy-replacement': 'false' }, kpr: false,
    broken: { state: 'crashloop', restarts: 17, lastTermination: CRASH, previous: crash, current: crash, neverReady: true },
    expectFindings: ['kernel-too-old'], expectHealthy: ['node-1', 'node-3'],
  };
  const built = buildCluster(spec);
  for (const n of ['node-1', 'node-3']) built.exec.push(procVersionExec(agentName(n), DEBIAN_10.kernel));
  return clusterYaml(spec, built);
}
