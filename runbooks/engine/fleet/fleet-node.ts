// What a fleet sweep knows about each node from a few list calls (no per-node reads), and which of those facts
// trip a runbook at fleet level, so only those nodes get a deep (per-node) collection. Pure: no I/O.
import { ciliumKernelFloor, unmetFeatures } from '../kernel-matrix.ts';
import { formatTriple } from '../kernel-version.ts';
import { kernelRange, resolveKernel, upstreamText, verdictFor, type ResolvedKernel } from '../kernel-resolved.ts';
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

export type FleetTrigger = 'kernel-too-old' | 'kernel-patch-unknown' | 'agent-unhealthy' | 'agent-missing' | 'node-not-ready' | 'kube-proxy-conflict';

export interface FleetVerdict {
  triggers: FleetTrigger[];
  /** Why, in one short phrase per trigger (e.g. "kernel 4.14.352 < 5.4.0 needed by Cilium 1.16"). */
  reasons: string[];
}

export function agentHealthy(a: FleetAgent): boolean {
  return a.ready && a.phase === 'Running' && a.waitingReason === undefined;
}

/** The node's kernel as the runbooks read it (vendor numbering resolved from uname -r and osImage); null if unparseable. */
export function fleetKernel(node: Pick<FleetNode, 'kernel' | 'osImage'>): ResolvedKernel | null {
  return resolveKernel(node.kernel, node.osImage);
}

/** How a group names a kernel: the upstream triple when known, else the vendor's own string (4.19.0-21-amd64). */
export function kernelLabel(node: Pick<FleetNode, 'kernel' | 'osImage'>): string | null {
  const k = fleetKernel(node);
  if (k === null) return node.kernel === '' ? null : node.kernel;
  return k.exact ? formatTriple(k.version) : k.parsed.raw;
}

/** Fleet-level checks on one node's summary; an empty list means no deep collection is needed. */
export function triage(node: FleetNode, ctx: FleetContext): FleetVerdict {
  const triggers: FleetTrigger[] = [];
  const reasons: string[] = [];
  const version = node.agent?.version ?? ctx.fleetVersion;
  const kernel = fleetKernel(node);
  const floor = version === null ? null : ciliumKernelFloor(version);
  // Same verdict as kernel-too-old: a vendor number that hides the patch level is "may be below", collected in
  // depth (the agent's /proc/version settles it), never reported as below.
  const verdict = kernel === null || floor === null ? 'meets' : verdictFor(kernel, floor.minimum);
  if (kernel !== null && floor !== null && verdict === 'below') {
    triggers.push('kernel-too-old');
    reasons.push(`kernel ${node.kernel} < ${formatTriple(floor.minimum)} needed by Cilium ${floor.releases}`);
  } else if (kernel !== null && floor !== null && verdict === 'unknown') {
    triggers.push('kernel-patch-unknown');
    reasons.push(`kernel ${node.kernel} (${kernel.scheme.label}, upstream ${upstreamText(kernel)}) may be below ${formatTriple(floor.minimum)} needed by Cilium ${floor.releases}`);
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

/**
 * Enabled features this node's kernel cannot provide (same config everywhere, different kernels: feature drift);
 * only those missing at the highest patch level the kernel can have, so vendor numbering adds no false drift.
 */
export function missingFeatures(node: FleetNode, config: Record<string, string>): string[] {
  const kernel = fleetKernel(node);
  if (kernel === null) return [];
  return unmetFeatures(config, kernelRange(kernel).high, node.arch).map((u) => u.feature.id);
}
