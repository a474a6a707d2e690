// What is read from the agent pod itself: the logs of the agent container and of its failing init containers
// (current and previous run), and, by exec inside a running agent, iptables, the memlock limit, the kernel build
// config and /proc/version. Each read is one fact; a refused or failed read costs that fact only.
import type { V1Pod } from '@kubernetes/client-node';
import type { AgentLogs, AgentStatus, Fact, HostKernel, InitContainerLogs, IptablesInfo, LogChunk } from '../../runbooks/engine/evidence.ts';
import type { KernelConfig, Memlock } from '../../runbooks/engine/evidence-extra.ts';
import { summarizeIptablesSave } from '../../runbooks/engine/iptables-summary.ts';
import type { ClusterReader } from '../kube/cluster-reader.ts';
import { ok, type Permission } from './fact-outcome.ts';
import { parseKernelConfig, parseMemlock } from './extra-facts.ts';
import { agentRunning } from './pod-facts.ts';
import { agentStatusCommand, agentStatusOf } from './agent-status-read.ts';

export interface AgentReadOptions {
  tailLines: number;
  limitBytes: number;
  /** Bytes of iptables-save output read at most. */
  execMaxBytes?: number;
}

export type Guard = <T>(what: string, needs: Permission[], call: () => Promise<T>) => Promise<Fact<T>>;

export const perm = (verb: string, resource: string, namespace?: string, group?: string): Permission => ({
  verb,
  resource,
  ...(namespace !== undefined && { namespace }),
  ...(group !== undefined && { group }),
});

/** Init containers whose logs are read: at most this many, failing ones first. */
const MAX_INIT_LOGS = 3;
/** Init containers log little; their last lines hold the failure. */
const INIT_TAIL_LINES = 200;

function chunk(text: string, tailLines: number, limitBytes: number): LogChunk {
  const lines = text.length === 0 ? 0 : text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
  return { text, lines, truncated: lines >= tailLines || Buffer.byteLength(text) >= limitBytes };
}

async function readLogs(reader: ClusterReader, pod: V1Pod, container: string, restarted: boolean, tailLines: number, limitBytes: number, guard: Guard) {
  const namespace = pod.metadata?.namespace ?? '';
  const needs = [perm('get', 'pods/log', namespace)];
  const query = { namespace, pod: pod.metadata?.name ?? '', container, tailLines, limitBytes };
  const [current, previous] = await Promise.all([
    guard(`get pods/log (${container}, current)`, needs, () => reader.readPodLog({ ...query, previous: false })),
    restarted ? guard(`get pods/log (${container}, previous)`, needs, () => reader.readPodLog({ ...query, previous: true })) : Promise.resolve(null),
  ]);
  return { current, previous };
}

export async function collectAgentLogs(reader: ClusterReader, pod: V1Pod, container: string, opts: AgentReadOptions, guard: Guard): Promise<Fact<AgentLogs>> {
  const restarted = (pod.status?.containerStatuses?.find((c) => c.name === container)?.restartCount ?? 0) > 0;
  const { current, previous } = await readLogs(reader, pod, container, restarted, opts.tailLines, opts.limitBytes, guard);
  if (!current.ok && (previous === null || !previous.ok)) return current;
  // A 400 for --previous means "no previous container": that is an answer (null), not a failure.
  const prev = previous === null || !previous.ok ? null : chunk(previous.value, opts.tailLines, opts.limitBytes);
  const cur = current.ok ? chunk(current.value, opts.tailLines, opts.limitBytes) : { text: '', lines: 0, truncated: false };
  return ok({ current: cur, previous: prev });
}

/**
 * Logs of the init containers that did not complete (failing, restarting or still running: `config` timing out
 * against the API server, `mount-bpf-fs`, `install-cni-binaries` on a read-only /opt/cni/bin, …). Completed ones
 * (exit 0) say nothing about a failure and are skipped.
 */
export async function collectInitLogs(reader: ClusterReader, pod: V1Pod, opts: AgentReadOptions, guard: Guard): Promise<Fact<InitContainerLogs[]>> {
  const statuses = pod.status?.initContainerStatuses ?? [];
  const failing = statuses
    .filter((s) => !(s.state?.terminated?.exitCode === 0) && (s.state?.running !== undefined || s.state?.terminated !== undefined || s.restartCount > 0 || s.lastState?.terminated !== undefined))
    .slice(0, MAX_INIT_LOGS);
  const out: InitContainerLogs[] = [];
  for (const s of failing) {
    const { current, previous } = await readLogs(reader, pod, s.name, s.restartCount > 0 || s.lastState?.terminated !== undefined, INIT_TAIL_LINES, opts.limitBytes, guard);
    if (!current.ok && (previous === null || !previous.ok) && current.reason === 'forbidden') return current;
    out.push({
      container: s.name,
      current: current.ok ? chunk(current.value, INIT_TAIL_LINES, opts.limitBytes) : null,
      previous: previous !== null && previous.ok ? chunk(previous.value, INIT_TAIL_LINES, opts.limitBytes) : null,
    });
  }
  return ok(out);
}

/**
 * The default read-only RBAC grants no exec (a token that may exec into the privileged agent is node root); the
 * exec-only facts then say how to opt in, rather than reading as a refusal.
 */
export const EXEC_NOT_GRANTED = (what: string): Fact<never> => ({
  ok: false,
  reason: 'unavailable',
  detail: `not read: ${what} is read by running a command in the cilium-agent container, which the bot's RBAC does not allow`,
  fix: 'To enable it, apply the exec overlay (Kubernetes 1.30+): `kubectl apply -k deploy/overlays/read-only-exec`, or add the component `deploy/components/agent-exec` to your own overlay. See deploy/README.md, "Reading inside the agent".',
});

const NOT_RUNNING = (what: string): Fact<never> => ({
  ok: false,
  reason: 'unavailable',
  detail: `not read: ${what} is read inside the cilium-agent container, which is not running`,
});

export interface AgentExecReads {
  memlock: Fact<Memlock>;
  kernelConfig: Fact<KernelConfig>;
  hostKernel: Fact<HostKernel>;
  agentStatus: Fact<AgentStatus>;
}

/**
 * /proc is the host's kernel in any container: /proc/version names the vendor's real upstream patch level (Debian);
 * Ubuntu puts it only in /proc/version_signature, absent elsewhere, so its cat may fail without failing the exec.
 */
export const HOST_KERNEL_COMMAND = ['sh', '-c', 'cat /proc/version && { cat /proc/version_signature 2>/dev/null || true; }'] as const;

/** `cat /proc/version; cat /proc/version_signature` → the version line and, on Ubuntu, the signature line. */
function hostKernelFrom(stdout: string): HostKernel {
  const [procVersion = '', signature] = stdout.trim().split('\n').map((l) => l.trim());
  return { procVersion, ...(signature?.startsWith('Ubuntu ') === true ? { versionSignature: signature } : {}), source: 'agent-exec' };
}

/** memlock, the kernel build config and /proc/version, read inside a running agent (one exec each). */
export async function collectAgentReads(reader: ClusterReader, pod: V1Pod, container: string, guard: Guard, execAllowed: Promise<Fact<boolean>>): Promise<AgentExecReads> {
  // RBAC first: without exec these stay unread even once the agent runs again, and that is what to fix.
  const allowed = await execAllowed;
  if (allowed.ok && !allowed.value) return { memlock: EXEC_NOT_GRANTED('the memlock limit'), kernelConfig: EXEC_NOT_GRANTED('the kernel build config'), hostKernel: EXEC_NOT_GRANTED('/proc/version'), agentStatus: EXEC_NOT_GRANTED('`cilium-dbg status --verbose`') };
  if (!agentRunning(pod, container)) return { memlock: NOT_RUNNING('the memlock limit'), kernelConfig: NOT_RUNNING('the kernel build config'), hostKernel: NOT_RUNNING('/proc/version'), agentStatus: NOT_RUNNING('`cilium-dbg status --verbose`') };
  const namespace = pod.metadata?.namespace ?? '';
  const needs = [perm('create', 'pods/exec', namespace), perm('get', 'pods/exec', namespace)];
  const run = (command: string[]) => () => reader.exec({ namespace, pod: pod.metadata?.name ?? '', container, command, maxBytes: 4 * 1024 * 1024 });
  const statusArgv = agentStatusCommand(pod, container);
  const [limits, config, procVersion, status] = await Promise.all([
    guard('exec cat /proc/1/limits', needs, run(['cat', '/proc/1/limits'])),
    guard('exec read kernel config', needs, run(['sh', '-c', 'zcat /proc/config.gz 2>/dev/null || cat /boot/config-$(uname -r)'])),
    guard('exec cat /proc/version', needs, run([...HOST_KERNEL_COMMAND])),
    guard(`exec ${statusArgv.join(' ')}`, needs, run([...statusArgv])),
  ]);
  const hostKernel: Fact<HostKernel> = !procVersion.ok
    ? procVersion
    : procVersion.value.exitCode === 0 && procVersion.value.stdout.startsWith('Linux version ')
      ? ok(hostKernelFrom(procVersion.value.stdout))
      : { ok: false, reason: 'unavailable', detail: `cat /proc/version in the agent gave no "Linux version" line (exit ${procVersion.value.exitCode})` };
  const memlock: Fact<Memlock> = !limits.ok
    ? limits
    : (() => {
        const parsed = limits.value.exitCode === 0 ? parseMemlock(limits.value.stdout) : null;
        return parsed === null ? { ok: false as const, reason: 'unavailable' as const, detail: `no "Max locked memory" line in /proc/1/limits (exit ${limits.value.exitCode})` } : ok(parsed);
      })();
  const kernelConfig: Fact<KernelConfig> = !config.ok
    ? config
    : config.value.exitCode === 0 && config.value.stdout.includes('CONFIG_')
      ? ok(parseKernelConfig(config.value.stdout, '/proc/config.gz or /boot/config-$(uname -r)'))
      : { ok: false, reason: 'unavailable', detail: `the node exposes neither /proc/config.gz nor /boot/config-* to the agent (exit ${config.value.exitCode})` };
  return { memlock, kernelConfig, hostKernel, agentStatus: agentStatusOf(status, statusArgv) };
}

export async function collectIptables(reader: ClusterReader, pod: V1Pod, container: string, nodeName: string, opts: AgentReadOptions, guard: Guard, execAllowed: Promise<Fact<boolean>>): Promise<Fact<IptablesInfo>> {
  const namespace = pod.metadata?.namespace ?? '';
  const name = pod.metadata?.name ?? '';
  const needs = [perm('create', 'pods/exec', namespace), perm('get', 'pods/exec', namespace)];
  const allowed = await execAllowed;
  if (allowed.ok && !allowed.value) return EXEC_NOT_GRANTED('iptables (iptables-save)');
  if (!agentRunning(pod, container)) {
    const waiting = pod.status?.containerStatuses?.find((c) => c.name === container)?.state?.waiting?.reason ?? 'not running';
    return {
      ok: false,
      reason: 'unavailable',
      detail: `cilium-agent on ${nodeName} is ${waiting}, so iptables could not be read through it`,
      fix: `Read it on the node itself: \`iptables-save -t nat | grep -c -- '-A KUBE-SVC-'\`.`,
    };
  }
  const result = await guard('exec iptables-save -t nat', needs, () =>
    reader.exec({ namespace, pod: name, container, command: ['iptables-save', '-t', 'nat'], maxBytes: opts.execMaxBytes ?? 32 * 1024 * 1024 }),
  );
  if (!result.ok) return result;
  if (result.value.exitCode !== 0) {
    return { ok: false, reason: 'unavailable', detail: `iptables-save exited with ${result.value.exitCode}: ${result.value.stderr.trim().slice(0, 300)}` };
  }
  return ok(summarizeIptablesSave(result.value.stdout, { source: 'agent-exec' }));
}
