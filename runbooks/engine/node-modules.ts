// The host's loaded kernel modules and its bpffs mount, as the node probe reads them (hostKernel.modules,
// hostKernel.bpffs). Pure. /proc/modules lists only loadable modules that are loaded: code built in (=y) never shows,
// so "not listed" means "not loaded as a module", and says more only beside the kernel config or a kernel that has
// no in-tree version of it (WireGuard before 5.6).
import type { EvidenceQuote } from './contract.ts';
import type { Evidence } from './evidence.ts';

export type ModuleState = 'loaded' | 'not-loaded' | 'unknown';

const SOURCE = '/proc/modules (node probe)';

/** Whether `name` is loaded; 'unknown' when the probe did not read /proc/modules or did not look for it. */
export function moduleState(e: Pick<Evidence, 'hostKernel'>, name: string): ModuleState {
  const m = e.hostKernel.ok ? e.hostKernel.value.modules : undefined;
  if (m === undefined || !m.checked.includes(name)) return 'unknown';
  return m.loaded.includes(name) ? 'loaded' : 'not-loaded';
}

/** The quote a runbook shows for a module it reasons with; null when it is unknown. */
export function moduleQuote(e: Pick<Evidence, 'hostKernel'>, name: string): EvidenceQuote | null {
  const state = moduleState(e, name);
  if (state === 'unknown') return null;
  return { kind: 'fact', text: state === 'loaded' ? `module ${name} is loaded` : `module ${name} is not loaded (not in /proc/modules)`, source: SOURCE };
}

/** The filesystem type at the host's /sys/fs/bpf ("bpf_fs" when bpffs is mounted); null when not read. */
export function bpffsType(e: Pick<Evidence, 'hostKernel'>): string | null {
  return e.hostKernel.ok ? (e.hostKernel.value.bpffs ?? null) : null;
}

export function bpffsMounted(e: Pick<Evidence, 'hostKernel'>): boolean | null {
  const t = bpffsType(e);
  return t === null ? null : t === 'bpf_fs';
}
