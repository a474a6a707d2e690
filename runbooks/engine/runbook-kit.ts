// Small pieces the catalogue runbooks share: the node's kernel, cilium-config reads, the agent selector in commands,
// the usual verify step, docs links pinned to the running minor, and proposal builders (the remediation actions).
import type { DocLink, FixStep, RemediationProposal } from './contract.ts';
import type { Evidence } from './evidence.ts';
import { compareTriples, type KernelTriple, type KernelVersion } from './kernel-version.ts';
import { resolveKernel, type ResolvedKernel } from './kernel-resolved.ts';
import { isCrashLooping } from '../catalogue/agent-crashloop.ts';
import { deleteAgentPodCommands } from './install-commands.ts';
export { agentCli, agentLogsCommand, agentPodSelector, agentShell, ciliumCli, ciliumNamespace, deleteAgentPodCommands, helmUpgrade, rolloutRestart } from './install-commands.ts';

export interface NodeKernel {
  parsed: KernelVersion;
  /** The lowest upstream version it can be (vendor numbering resolved; RHEL 8.x counts as the docs say). */
  effective: KernelTriple;
  /** Scheme, exactness and where the number came from (kernel-resolved.ts). */
  resolved: ResolvedKernel;
}

/** The node's kernel, or null when the node fact or its kernelVersion is unknown or unparseable. */
export function nodeKernel(e: Evidence): NodeKernel | null {
  if (!e.node.ok || e.node.value.kernelVersion === undefined) return null;
  const resolved = resolveKernel(e.node.value.kernelVersion, e.node.value.osImage, e.hostKernel.ok ? e.hostKernel.value : null);
  return resolved === null ? null : { parsed: resolved.parsed, effective: resolved.version, resolved };
}

/** "5.4.0-1045-aws" → the lowest upstream triple it can be; null when unparseable (peers' kernels for blast radius). */
export function kernelTripleOf(raw: string, osImage = ''): KernelTriple | null {
  return resolveKernel(raw, osImage)?.version ?? null;
}

/** Peers whose kernel is below `min` (the autoscaler amplification: same image, same failure). */
export function peersBelow(min: KernelTriple): (p: { kernelVersion: string; osImage?: string }) => boolean {
  return (p) => { const t = kernelTripleOf(p.kernelVersion, p.osImage); return t !== null && compareTriples(t, min) < 0; };
}

export function configValue(e: Evidence, key: string): string | null {
  if (!e.ciliumConfig.ok) return null;
  const v = e.ciliumConfig.value[key];
  return v === undefined ? null : v.trim();
}

export function configTrue(e: Evidence, key: string): boolean {
  return configValue(e, key)?.toLowerCase() === 'true';
}


/** The agent is crash-looping or not ready (null = unknown). */
export function agentUnhealthy(e: Evidence): boolean | null {
  if (!e.agentPod.ok) return null;
  return isCrashLooping(e.agentPod.value) || !e.agentPod.value.ready;
}

export function verifyAgentStep(e: Evidence, detail = 'Restart the agent on the node and check that it becomes Ready.'): FixStep {
  return { title: 'Restart the agent and verify', detail, commands: deleteAgentPodCommands(e) };
}

/** A docs.cilium.io link for the running minor ("v1.16"), or "stable" when the version is unknown. */
export function ciliumDoc(e: Evidence, title: string, path: string): DocLink {
  const version = e.cilium.ok ? e.cilium.value.version : null;
  const minor = version === null ? undefined : /^(\d+\.\d+)/.exec(version)?.[1];
  return { title, url: `https://docs.cilium.io/en/${minor === undefined ? 'stable' : `v${minor}`}/${path}` };
}

export function disableFeature(key: string, value: string, reason: string): RemediationProposal {
  return { action: 'disable-feature', params: { key, value }, risk: 'high', reason };
}

export function restartAgent(e: Evidence, reason: string): RemediationProposal[] {
  if (!e.agentPod.ok) return [];
  return [{ action: 'restart-agent', params: { namespace: e.agentPod.value.namespace, pod: e.agentPod.value.name }, risk: 'low', reason }];
}

export function cordon(node: string, reason: string): RemediationProposal {
  return { action: 'cordon-node', params: { node }, risk: 'low', reason };
}

