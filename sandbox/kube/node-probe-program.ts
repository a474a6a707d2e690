// What the node probe's fixed script prints when the emulator "runs" it on a node: each section computed from the
// scenario's node data, else from the Node (kernel release) and what runs on it (kube-proxy's NAT rules, or the
// agent's scripted `iptables-save -t nat`). The script itself is the collector's (jobs/collect/node-probe).
import { KERNEL_LOG_FILTER, KERNEL_LOG_LINES, PROBE_COMMAND, SECTION_BEGIN, SECTION_END } from '../../jobs/collect/node-probe/probe-script.ts';
import { natTable } from '../scenario/iptables.ts';
import type { KubeObject, NodeData } from '../scenario/schema.ts';
import { AGENT_CONTAINER, AGENT_PROC_LIMITS, kernelConfig, procVersion } from './agent-exec-defaults.ts';
import type { EmulatorState } from './api-types.ts';
import { asRecord } from './resources.ts';

export interface ProgramRun {
  log: string;
  exitCode: number;
  /** Never finishes on its own: the kubelet stops it at activeDeadlineSeconds. */
  hangs: boolean;
}

/** True when the container's command is the node probe's fixed script. */
export function isProbeCommand(command: unknown): boolean {
  return Array.isArray(command) && command.length === PROBE_COMMAND.length && command.every((c, i) => c === PROBE_COMMAND[i]);
}

const section = (name: string, body: string, rc: number): string =>
  `${SECTION_BEGIN}${name} ===\n${body === '' || body.endsWith('\n') ? body : `${body}\n`}${SECTION_END}${name} rc=${rc} ===\n`;

function podsOn(state: EmulatorState, node: string): KubeObject[] {
  return state.store.list('v1', 'Pod').filter((p) => asRecord(p['spec'])['nodeName'] === node);
}

/** The node's NAT table: scripted for the node, else its agent's scripted iptables-save, else kube-proxy's rules. */
function natRules(state: EmulatorState, node: string, data: NodeData | undefined): string {
  if (data?.iptablesLegacy !== undefined) return data.iptablesLegacy;
  const pods = podsOn(state, node);
  const agent = pods.find((p) => p.metadata.labels?.['k8s-app'] === 'cilium');
  if (agent !== undefined) {
    const scripted = state.execResults.run(agent.metadata.namespace ?? '', agent.metadata.name, AGENT_CONTAINER, ['iptables-save', '-t', 'nat'], () => undefined);
    if (scripted.exitCode === 0 && scripted.failure === undefined && scripted.stdout.includes('*nat')) return scripted.stdout;
  }
  const kubeProxy = pods.some((p) => p.metadata.labels?.['k8s-app'] === 'kube-proxy' && asRecord(p['status'])['phase'] === 'Running');
  const services = state.store.list('v1', 'Service').filter((s) => asRecord(s['spec'])['clusterIP'] !== 'None').length;
  return natTable(kubeProxy ? { kubeProxy: { services, endpointsPerService: 1 } } : {});
}

function limitsWithMemlock(memlock: [string, string] | undefined): string {
  if (memlock === undefined) return AGENT_PROC_LIMITS;
  const row = `${'Max locked memory'.padEnd(26)}${memlock[0].padEnd(21)}${memlock[1].padEnd(21)}bytes     `;
  return AGENT_PROC_LIMITS.replace(/^Max locked memory.*$/m, row);
}

export function runProbeProgram(state: EmulatorState, nodeName: string, data: NodeData | undefined): ProgramRun {
  const node = state.store.get('v1', 'Node', undefined, nodeName);
  const rawRelease = asRecord(asRecord(node?.['status'])['nodeInfo'])['kernelVersion'];
  const release = typeof rawRelease === 'string' ? rawRelease : '';
  const config = data?.kernelConfig === undefined ? (release === '' ? null : kernelConfig(release)) : data.kernelConfig;
  const filter = new RegExp(KERNEL_LOG_FILTER, 'i');
  const kernelLog = (data?.kernelLog ?? []).filter((l) => filter.test(l)).slice(-KERNEL_LOG_LINES);
  const modules = (data?.modules ?? []).map((m) => `${m} 16384 0 - Live 0x0000000000000000`).join('\n');
  const log = [
    section('proc-version', data?.procVersion ?? procVersion(release).trim(), 0),
    data?.versionSignature === undefined ? section('version-signature', '', 1) : section('version-signature', data.versionSignature, 0),
    config === null
      ? section('kernel-config', `# source: /boot/config-${release}\ncat: /host/boot/config-${release}: No such file or directory`, 1)
      : section('kernel-config', `# source: /boot/config-${release}\n${config}`, 0),
    section('memlock', `# source: container default\n${limitsWithMemlock(data?.memlock)}`, 0),
    section('modules', modules, 0),
    section('bpffs', 'bpf_fs', 0),
    section('kernel-log', kernelLog.join('\n'), 0),
    section('iptables-legacy', natRules(state, nodeName, data), 0),
    section('iptables-nft', data?.iptablesNft ?? '', 0),
  ].join('');
  return { log, exitCode: 0, hangs: data?.probeHangs === true };
}
