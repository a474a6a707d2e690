// Where the node probe meets the evidence: it runs only when a node-level fact could not be read through the agent
// (or the agent is not ready, when the kernel log matters most), and its reads replace just those facts.
import type { Evidence, Fact, HostKernel, Unavailable } from '../../../runbooks/engine/evidence.ts';
import type { ProbeReads } from './probe-output.ts';
import type { ProbePodsApi } from './probe-pods-api.ts';
import { runNodeProbe } from './run-probe.ts';
import { PROBE_MODULES } from './probe-script.ts';

export interface NodeProbe {
  api: ProbePodsApi;
  namespace: string;
  image: string;
  timeoutSeconds: number;
  pollMs?: number;
  signal?: AbortSignal;
  onCreated?: (pod: string) => void;
}

/** The facts read through the agent that the probe can read on the node instead. */
export const AGENT_NODE_FACTS = ['iptables', 'kernelConfig', 'hostKernel', 'memlock'] as const;

export const PROBE_FIX = 'Enable the node probe: NODE_PROBE_ENABLED=true and NODE_PROBE_IMAGE, with the RBAC and admission policy of `deploy/overlays/node-probe` (deploy/README.md, "Node probe").';

/** Without the probe nothing reads the kernel log: say so and how to enable it, instead of "not collected". */
export const KERNEL_LOG_WITHOUT_PROBE: Unavailable = {
  ok: false,
  reason: 'unavailable',
  detail: 'not read: the kernel log (verifier, SELinux AVC and lockdown lines) is read only by the node probe, which is off',
  fix: PROBE_FIX,
};

const KERNEL_LOG_NOT_NEEDED: Unavailable = {
  ok: false,
  reason: 'unavailable',
  detail: 'not read: the agent is ready and answered every node read, and the node probe runs only when it cannot',
};

export function agentNotReady(e: Evidence): boolean {
  return !e.agentPod.ok || !e.agentPod.value.ready;
}

/** True when a node-level fact is unread through the agent, or the agent is not ready. */
export function probeNeeded(e: Evidence): boolean {
  return AGENT_NODE_FACTS.some((k) => !e[k].ok) || agentNotReady(e);
}

/** The probe is off: the unread agent facts gain the fix that would read them; the kernel log says it needs it. */
export function withoutProbe(e: Evidence): Evidence {
  const out: Evidence = { ...e, kernelLog: KERNEL_LOG_WITHOUT_PROBE };
  for (const k of AGENT_NODE_FACTS) {
    const f = e[k];
    if (!f.ok && f.fix === undefined && f.reason !== 'forbidden') Object.assign(out, { [k]: { ...f, fix: PROBE_FIX } });
  }
  return out;
}

function prefer<T>(agent: Fact<T>, probe: Fact<T>): Fact<T> {
  if (agent.ok) return agent;
  if (probe.ok) return probe;
  return { ...agent, detail: `${agent.detail}; the node probe could not read it either: ${probe.detail}`, ...(probe.fix !== undefined && { fix: probe.fix }) };
}

/** The loaded modules and the bpffs mount only the probe reads, on whichever host kernel fact was read. */
function withHostState(f: Fact<HostKernel>, reads: ProbeReads): Fact<HostKernel> {
  if (!f.ok) return f;
  return { ok: true, value: { ...f.value, ...(reads.modules !== null && { modules: { checked: [...PROBE_MODULES], loaded: reads.modules } }), ...(reads.bpffs !== null && { bpffs: reads.bpffs }) } };
}

export function mergeProbeReads(e: Evidence, reads: ProbeReads): Evidence {
  return {
    ...e,
    iptables: prefer(e.iptables, reads.iptables),
    kernelConfig: prefer(e.kernelConfig, reads.kernelConfig),
    hostKernel: withHostState(prefer(e.hostKernel, reads.hostKernel), reads),
    memlock: prefer(e.memlock, reads.memlock),
    kernelLog: reads.kernelLog,
  };
}

function withProbeFailure(e: Evidence, failure: Unavailable): Evidence {
  const out: Evidence = { ...e, kernelLog: failure };
  for (const k of AGENT_NODE_FACTS) {
    const f = e[k];
    if (!f.ok) Object.assign(out, { [k]: { ...f, detail: `${f.detail}; the node probe failed: ${failure.detail}`, ...(failure.fix !== undefined && { fix: failure.fix }) } });
  }
  return out;
}

/** Runs the probe when needed and folds its reads in; without a probe configured, `withoutProbe`. */
export async function completeWithProbe(e: Evidence, probe: NodeProbe | undefined, jobId: string): Promise<Evidence> {
  if (probe === undefined) return withoutProbe(e);
  if (!probeNeeded(e)) return { ...e, kernelLog: KERNEL_LOG_NOT_NEEDED };
  const outcome = await runNodeProbe(probe.api, {
    node: e.nodeName, namespace: probe.namespace, image: probe.image, timeoutSeconds: probe.timeoutSeconds, jobId,
    ...(probe.pollMs !== undefined && { pollMs: probe.pollMs }),
    ...(probe.signal !== undefined && { signal: probe.signal }),
    ...(probe.onCreated !== undefined && { onCreated: probe.onCreated }),
  });
  return outcome.ok ? mergeProbeReads(e, outcome.reads) : withProbeFailure(e, outcome);
}
