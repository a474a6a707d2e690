// `npm run sandbox -- --scenario X --sysdump out.zip`: a cilium sysdump of the emulator's cluster in the current
// cilium-cli layout (jobs/sysdump/layouts.ts, `cilium-cli-current`). Objects come from the emulator's store (what
// the API serves); logs and the per-agent bugtool data are read through the Kubernetes API, as cilium-cli does
// (pods/log, exec). bugtool only runs in a running agent, as in cilium-cli, so a crash-looping agent has none.
import { gzipSync } from 'node:zlib';
import { zipSync } from 'fflate';
import { stringify } from 'yaml';
import type { ClusterReader } from '../../jobs/kube/cluster-reader.ts';
import { CURRENT_LAYOUT as LAYOUT, fileName } from '../../jobs/sysdump/layouts.ts';
import { bugtoolCommandFile } from '../../jobs/sysdump/bugtool-facts.ts';
import type { KubeEmulatorStore } from '../kube/index.ts';
import type { KubeObject } from '../scenario/schema.ts';
import { writeTar } from './tar-writer.ts';

/** What the live collector runs (jobs/collect/agent-reads.ts): the scenario's node data answers these. */
const PROC_VERSION = ['sh', '-c', 'cat /proc/version && { cat /proc/version_signature 2>/dev/null || true; }'];
const KERNEL_CONFIG = ['sh', '-c', 'zcat /proc/config.gz 2>/dev/null || cat /boot/config-$(uname -r)'];
const AGENT_LABELS = ['k8s-app=cilium', 'app.kubernetes.io/name=cilium-agent'];
const MACHINE: Record<string, string> = { amd64: 'x86_64', arm64: 'aarch64' };

/** Go's "20060102-150405" in UTC. */
export function sysdumpTimestamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}-${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}

type Obj = KubeObject & { spec?: Record<string, unknown>; status?: Record<string, unknown> };

function labelled(o: KubeObject, selector: string): boolean {
  const [k = '', v] = selector.split('=');
  return o.metadata.labels?.[k] === v;
}

function listOf(kind: string, apiVersion: string, items: KubeObject[]): string {
  return stringify({ apiVersion, items, kind: `${kind}List`, metadata: { resourceVersion: '1' } });
}

function safeList(store: KubeEmulatorStore, apiVersion: string, kind: string): KubeObject[] {
  try {
    return store.list(apiVersion, kind);
  } catch {
    return []; // the type is not served (its CRD is not installed)
  }
}

interface ContainerRef { name: string }
interface ContainerStatus { name: string; restartCount?: number; state?: { running?: unknown } }

function containersOf(pod: Obj): { name: string; restarted: boolean }[] {
  const spec = pod.spec ?? {};
  const statuses = [...((pod.status?.containerStatuses as ContainerStatus[] | undefined) ?? []), ...((pod.status?.initContainerStatuses as ContainerStatus[] | undefined) ?? [])];
  return [...((spec.containers as ContainerRef[] | undefined) ?? []), ...((spec.initContainers as ContainerRef[] | undefined) ?? [])].map((c) => ({
    name: c.name,
    restarted: (statuses.find((s) => s.name === c.name)?.restartCount ?? 0) > 0,
  }));
}

function agentRunning(pod: Obj): boolean {
  return ((pod.status?.containerStatuses as ContainerStatus[] | undefined) ?? []).some((s) => s.name === 'cilium-agent' && s.state?.running !== undefined);
}

/** `uname -a` of a host whose /proc/version is `procVersion`: the same release and version fields (init/version.c). */
function unameFrom(procVersion: string, host: string, arch: string): string | null {
  const m = /^Linux version (\S+) .*? (#\d+.*)$/m.exec(procVersion);
  if (m === null) return null;
  const machine = MACHINE[arch] ?? arch;
  return `Linux ${host} ${m[1] ?? ''} ${(m[2] ?? '').trim()} ${machine} GNU/Linux\n`;
}

async function bugtoolOf(reader: ClusterReader, pod: Obj, node: Obj | undefined, at: Date): Promise<Uint8Array> {
  const run = async (command: string[]) => {
    try {
      const r = await reader.exec({ namespace: pod.metadata.namespace ?? '', pod: pod.metadata.name, container: 'cilium-agent', command, maxBytes: 32 * 1024 * 1024 });
      return r.exitCode === 0 ? r.stdout : null;
    } catch {
      return null; // not answered in the scenario: bugtool's file for it would be missing or hold only the error
    }
  };
  const nodeInfo = ((node?.status ?? {}).nodeInfo ?? {}) as { architecture?: string };
  const [procVersion, iptables, kernelConfig, status, dmesg, nodeList] = await Promise.all([
    run(PROC_VERSION),
    run(['iptables-save', '-t', 'nat']),
    run(KERNEL_CONFIG),
    run(['cilium-dbg', 'status', '--verbose']),
    run(['dmesg', '--time-format=iso']),
    // bugtool runs `cilium node list` too (bugtool/cmd/configuration.go copyCiliumInfoCommands).
    run(['cilium-dbg', 'node', 'list']),
  ]);
  // bugtool's directory: "<prefix>cilium-bugtool-<20060102-150405.999-0700-MST>-<random>" (bugtool/cmd/root.go).
  const dir = `cilium-bugtool-${sysdumpTimestamp(at)}.000+0000-UTC-1234567890`;
  const files = new Map<string, Uint8Array>();
  const put = (path: string, text: string | Uint8Array) => files.set(`${dir}/${path}`, typeof text === 'string' ? new TextEncoder().encode(text) : text);
  const uname = procVersion === null ? null : unameFrom(procVersion, node?.metadata.name ?? '', nodeInfo.architecture ?? 'amd64');
  if (uname !== null) put(`cmd/${bugtoolCommandFile('uname -a')}`, uname);
  // `iptables-save -c` prints "[packets:bytes]" before each rule.
  if (iptables !== null) put(`cmd/${bugtoolCommandFile('iptables-save -c')}`, iptables.replace(/^-A /gm, '[0:0] -A '));
  if (kernelConfig !== null && kernelConfig.includes('CONFIG_')) put('conf/kernel-config.gz', gzipSync(kernelConfig));
  if (status !== null) put(`cmd/${bugtoolCommandFile('cilium-dbg status --verbose')}`, status);
  if (dmesg !== null) put(`cmd/${bugtoolCommandFile('dmesg --time-format=iso')}`, dmesg);
  if (nodeList !== null) put(`cmd/${bugtoolCommandFile('cilium-dbg node list')}`, nodeList);
  return gzipSync(writeTar(files, at));
}

export interface SysdumpWriteOptions {
  now?: Date;
}

/** The sysdump's zip bytes and its file name (`cilium-sysdump-<ts>.zip`). */
export async function writeSysdump(store: KubeEmulatorStore, reader: ClusterReader, opts: SysdumpWriteOptions = {}): Promise<{ name: string; bytes: Uint8Array }> {
  const at = opts.now ?? new Date();
  const ts = sysdumpTimestamp(at);
  const top = `cilium-sysdump-${ts}`;
  const files: Record<string, Uint8Array> = {};
  const put = (name: string, text: string | Uint8Array) => {
    files[`${top}/${name}`] = typeof text === 'string' ? new TextEncoder().encode(text) : text;
  };
  const part = (p: keyof typeof LAYOUT.files, text: string) => {
    const template = LAYOUT.files[p];
    if (template !== undefined) put(fileName(template, ts), text);
  };

  const nodes = store.list('v1', 'Node') as Obj[];
  const pods = store.list('v1', 'Pod') as Obj[];
  part('nodes', listOf('Node', 'v1', nodes));
  part('pods', listOf('Pod', 'v1', pods));
  part('events', listOf('Event', 'v1', store.list('v1', 'Event')));
  part('services', listOf('Service', 'v1', store.list('v1', 'Service')));
  part('endpointSlices', listOf('EndpointSlice', 'discovery.k8s.io/v1', safeList(store, 'discovery.k8s.io/v1', 'EndpointSlice')));

  const agents = pods.filter((p) => AGENT_LABELS.some((s) => labelled(p, s)) || ((p.spec?.containers as ContainerRef[] | undefined) ?? []).some((c) => c.name === 'cilium-agent'));
  const ns = agents[0]?.metadata.namespace ?? 'kube-system';
  const cm = store.get('v1', 'ConfigMap', ns, 'cilium-config');
  if (cm !== undefined) part('ciliumConfig', stringify(cm));
  const dsName = (agents[0]?.metadata.ownerReferences as { kind?: string; name?: string }[] | undefined)?.find((o) => o.kind === 'DaemonSet')?.name;
  const ds = dsName === undefined ? undefined : store.get('apps/v1', 'DaemonSet', ns, dsName);
  if (ds !== undefined) part('daemonSet', stringify(ds));
  const deployments = store.list('apps/v1', 'Deployment', ns);
  const operator = deployments.find((d) => labelled(d, 'io.cilium/app=operator'));
  if (operator !== undefined) part('operator', stringify(operator));
  const relay = deployments.find((d) => labelled(d, 'k8s-app=hubble-relay'));
  if (relay !== undefined) part('hubbleRelay', stringify(relay));
  part('cnp', listOf('CiliumNetworkPolicy', 'cilium.io/v2', safeList(store, 'cilium.io/v2', 'CiliumNetworkPolicy')));
  part('ccnp', listOf('CiliumClusterwideNetworkPolicy', 'cilium.io/v2', safeList(store, 'cilium.io/v2', 'CiliumClusterwideNetworkPolicy')));
  part('ciliumNodes', listOf('CiliumNode', 'cilium.io/v2', safeList(store, 'cilium.io/v2', 'CiliumNode')));
  part('nodeConfigs', listOf('CiliumNodeConfig', 'cilium.io/v2', [...safeList(store, 'cilium.io/v2', 'CiliumNodeConfig'), ...safeList(store, 'cilium.io/v2alpha1', 'CiliumNodeConfig')]));

  // Logs of every container and init container of the Cilium pods, `-prev` when it restarted (SubmitLogsTasks).
  const operatorPods = pods.filter((p) => labelled(p, 'io.cilium/app=operator'));
  for (const pod of [...agents, ...operatorPods]) {
    for (const c of containersOf(pod)) {
      for (const previous of c.restarted ? [false, true] : [false]) {
        try {
          const text = await reader.readPodLog({ namespace: pod.metadata.namespace ?? '', pod: pod.metadata.name, container: c.name, previous, tailLines: 1_000_000, limitBytes: 64 * 1024 * 1024 });
          put(fileName(previous ? LAYOUT.previousLogs : LAYOUT.logs, ts, pod.metadata.name, c.name), text);
        } catch {
          // cilium-cli logs the failure and writes no file
        }
      }
    }
  }
  for (const pod of agents.filter(agentRunning)) {
    const node = nodes.find((n) => n.metadata.name === pod.spec?.nodeName);
    put(fileName(LAYOUT.bugtool, ts, pod.metadata.name), await bugtoolOf(reader, pod, node, at));
  }
  put('cilium-sysdump.log', `Collecting sysdump (written by the cilium-runbook sandbox, cilium-cli layout ${LAYOUT.id})\n`);
  return { name: `${top}.zip`, bytes: zipSync(files, { mtime: at }) };
}
