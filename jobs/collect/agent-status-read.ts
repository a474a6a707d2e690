// `cilium-dbg status --verbose` read by exec in a running agent: the agent's own account of its subsystems
// (KubeProxyReplacement details, IPAM, controllers, cluster health). The in-pod CLI is `cilium-dbg` from Cilium 1.15
// (cilium/cilium PR #28085 renamed it; cilium/cilium-cli PR #2002 adapted to it), `cilium` before.
import type { V1Pod } from '@kubernetes/client-node';
import semver from 'semver';
import type { AgentStatus, Fact } from '../../runbooks/engine/evidence.ts';
import { ciliumVersionFromImage } from '../../runbooks/engine/cilium-version.ts';
import type { ExecResult } from '../kube/cluster-reader.ts';
import { ok } from './fact-outcome.ts';

export const AGENT_STATUS_COMMAND = ['cilium-dbg', 'status', '--verbose'] as const;
/** Before 1.15 the same CLI was called `cilium`. */
export const AGENT_STATUS_COMMAND_PRE_1_15 = ['cilium', 'status', '--verbose'] as const;

/** The argv for this agent's release: `cilium` when its image tag says < 1.15, else `cilium-dbg` (unknown = current). */
export function agentStatusCommand(pod: V1Pod, container: string): readonly string[] {
  const image = pod.spec?.containers.find((c) => c.name === container)?.image;
  const version = image === undefined ? null : ciliumVersionFromImage(image);
  const v = version === null ? null : semver.coerce(version);
  return v !== null && semver.lt(v, '1.15.0') ? AGENT_STATUS_COMMAND_PRE_1_15 : AGENT_STATUS_COMMAND;
}

export function agentStatusOf(result: Fact<ExecResult>, argv: readonly string[]): Fact<AgentStatus> {
  if (!result.ok) return result;
  const text = result.value.stdout;
  if (result.value.exitCode !== 0 || text.trim() === '') {
    return { ok: false, reason: 'unavailable', detail: `${argv.join(' ')} exited with ${result.value.exitCode}: ${(result.value.stderr || text).trim().slice(0, 300)}` };
  }
  return ok({ text, verbose: argv.includes('--verbose'), source: 'agent-exec' });
}
