// Which node-level facts the opt-in node probe read (rather than exec in the agent): the report says so, since
// they describe the node as a fresh pod saw it, not the agent's own process.
import type { Evidence, FactKey } from './evidence.ts';

const PROBE_PREFIX = 'probe-pod';

export function probeReadFacts(e: Evidence): FactKey[] {
  const out: FactKey[] = [];
  if (e.iptables.ok && e.iptables.value.source === 'probe-pod') out.push('iptables');
  if (e.kernelConfig.ok && e.kernelConfig.value.source.startsWith(PROBE_PREFIX)) out.push('kernelConfig');
  if (e.hostKernel.ok && e.hostKernel.value.source === 'probe-pod') out.push('hostKernel');
  if (e.memlock.ok && e.memlock.value.source?.startsWith(PROBE_PREFIX) === true) out.push('memlock');
  if (e.kernelLog.ok && e.kernelLog.value.source === 'probe-pod') out.push('kernelLog');
  return out;
}
