// What a fleet sweep knows about each node from a few list calls (no per-node reads), and which of those facts
// trip a runbook at fleet level, so only those nodes get a deep (per-node) collection. Pure: no I/O.
import { ciliumKernelFloor, unmetFeatures } from '../kernel-matrix.ts';
import { compareTriples, effectiveKernel, formatTriple, parseKernelVersion, type KernelTriple } from '../kernel-version.ts';
import { kubeProxyReplacementEnabled } from '../cilium-version.ts';

export interface FleetAgent {
  pod: string;
  phase: string;
  ready: boolean;
  restarts: number;
  waitingReason?: string;
  image: string;
  /** From the image tag; null for digest-only images. */
  version: string | null;
}

/** One node, summarised from the node list, the cilium-agent pod list and the kube-proxy pod list. */
export interface FleetNode {
  name: string;
  kernel: string;
  osImage: string;
  arch: string;
  pool: string | null;
  ready: boolean;
  agent: FleetAgent | null;
  kubeProxyPod: boolean;
}

/** Cluster-wide facts read once: cilium-config and whether a kube-proxy DaemonSet exists. */
export interface FleetContext {
  config: Record<string, string> | null;
  kubeProxyDaemonSet: boolean;
  /** The version most agents run: the floor is checked against it when a node has no agent. */
  fleetVersion: string | null;
}

export type FleetTrigger = 'kernel-too-old' | 'agent-unhealthy' | 'agent-missing' | 'node-not-ready' | 'kube-proxy-conflict';

export interface FleetVerdict {
  triggers: FleetTrigger[];
  /** Why, in one short phrase per trigger (e.g. "kernel 4.14.352 < 5.4.0 needed by Cilium 1.16"). */
  reasons: string[];
}

export function agentHealthy(a: FleetAgent): boolean {
  return a.ready && a.phase === 'Running' && a.waitingReason === undefined;
}

/** The upstream kernel triple of a `uname -r` string (vendor kernels mapped as the runbooks do); null if unparseable. */
export function kernelTriple(raw: string): KernelTriple | null {
  const k = parseKernelVersion(raw);
  return k === null ? null : effectiveKernel(k).version;
}

/** Fleet-level checks on one node's summary; an empty list means no deep collection is needed. */
export function triage(node: FleetNode, ctx: FleetContext): FleetVerdict {
  const triggers: FleetTrigger[] = [];
  const reasons: string[] = [];
  const version = node.agent?.version ?? ctx.fleetVersion;
  const kernel = kernelTriple(node.kernel);
  const floor = version === null ? null : ciliumKernelFloor(version);
  if (kernel !== null && floor !== null && compareTriples(kernel, floor.minimum) < 0) {
    triggers.push('kernel-too-old');
    reasons.push(`kernel ${node.kernel} < ${formatTriple(floor.minimum)} needed by Cilium ${floor.releases}`);
  }
  if (node.agent === null) {
    triggers.push('agent-missing');
    reasons.push('no cilium-agent pod');
  } else if (!agentHealthy(node.agent)) {
    triggers.push('agent-unhealthy');
    reasons.push(`cilium-agent ${node.agent.waitingReason ?? node.agent.phase}${node.agent.ready ? '' : ', not ready'}, ${node.agent.restarts} restarts`);
  }
  if (!node.ready) {
    triggers.push('node-not-ready');
    reasons.push('node not Ready');
  }
  if (node.kubeProxyPod && ctx.config !== null && kubeProxyReplacementEnabled(ctx.config)) {
    triggers.push('kube-proxy-conflict');
    reasons.push('kube-proxy pod beside kube-proxy-replacement');
  }
  return { triggers, reasons };
}

/** Enabled features this node's kernel cannot provide (same config everywhere, different kernels: feature drift). */
export function missingFeatures(node: FleetNode, config: Record<string, string>): string[] {
  const kernel = kernelTriple(node.kernel);
  if (kernel === null) return [];
  return unmetFeatures(config, kernel, node.arch).map((u) => u.feature.id);
}
