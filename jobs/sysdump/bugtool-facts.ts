// The node-level facts a cilium-bugtool archive holds, read from its files: `uname -a`, `iptables-save -c`,
// `cilium-dbg status --verbose` (`cilium status --verbose` before 1.15) and the kernel build config bugtool copies.
// File names follow bugtool's rule (bugtool/cmd/root.go writeCmdToFile): the command with "/" and " " turned into
// "-", plus ".md", under cmd/; the kernel config under conf/ (bugtool/cmd/configuration.go copyConfigCommands).
import type { AgentStatus, Fact, HostKernel, IptablesInfo, NodeList } from '../../runbooks/engine/evidence.ts';
import type { KernelConfig } from '../../runbooks/engine/evidence-extra.ts';
import { summarizeIptablesSave } from '../../runbooks/engine/iptables-summary.ts';
import { parseKernelConfig } from '../collect/extra-facts.ts';
import { ArchiveBudget, DEFAULT_LIMITS } from './archive-errors.ts';
import { gunzipBounded } from './tar-entries.ts';
import type { BugtoolFiles } from './sysdump-archive.ts';

/** bugtool's file name for a command's output. */
export function bugtoolCommandFile(command: string): string {
  return `${command.replace(/\//g, ' ').replace(/ /g, '-')}.md`;
}

export const BUGTOOL_COMMANDS = {
  uname: 'uname -a',
  iptables: ['iptables-save -c', 'iptables-nft-save -c', 'iptables-legacy-save -c'],
  status: ['cilium-dbg status --verbose', 'cilium status --verbose'],
  // bugtool/cmd/configuration.go copyCiliumInfoCommands: local and remote (ClusterMesh) nodes with their pod CIDRs.
  nodeList: ['cilium-dbg node list', 'cilium node list'],
} as const;

function findFile(b: BugtoolFiles, dir: string, base: string): { path: string; data: Uint8Array } | null {
  for (const [path, data] of b.files) {
    const parts = path.split('/');
    if (parts[parts.length - 1] === base && parts[parts.length - 2] === dir) return { path, data };
  }
  return null;
}

/**
 * A command's output as bugtool stored it: raw, or (`--enable-markdown`) under a "# <command>" heading in a fenced
 * block; a trailing "> Error while running" note is dropped. Null when the file is absent.
 */
export function commandOutput(b: BugtoolFiles, command: string): { path: string; text: string } | null {
  const file = findFile(b, 'cmd', bugtoolCommandFile(command));
  if (file === null) return null;
  let text = new TextDecoder().decode(file.data);
  const fenced = /^# [^\n]*\n\n```\n([\s\S]*?)\n```\n?/.exec(text);
  if (fenced?.[1] !== undefined) text = fenced[1];
  text = text.replace(/\n?> Error while running '[^']*':[^\n]*\n*$/, '');
  return { path: file.path, text };
}

const missing = (b: BugtoolFiles, what: string): Fact<never> => ({
  ok: false,
  reason: 'unavailable',
  detail: `${what} is not in ${b.archiveName} of the sysdump (the command failed or this bugtool did not run it)`,
});

/** `iptables-save -c` prefixes each rule with its counters, "[packets:bytes] -A …"; the summary reads plain rules. */
export function stripCounters(text: string): string {
  return text.replace(/^\[\d+:\d+\] /gm, '');
}

export function iptablesFromBugtool(b: BugtoolFiles): Fact<IptablesInfo> {
  for (const command of BUGTOOL_COMMANDS.iptables) {
    const out = commandOutput(b, command);
    if (out !== null && /^(\*|:|-A )/m.test(out.text)) return { ok: true, value: summarizeIptablesSave(stripCounters(out.text), { source: 'sysdump' }) };
  }
  return missing(b, 'iptables-save output');
}

export function agentStatusFromBugtool(b: BugtoolFiles): Fact<AgentStatus> {
  for (const command of BUGTOOL_COMMANDS.status) {
    const out = commandOutput(b, command);
    if (out !== null && out.text.trim() !== '') return { ok: true, value: { text: out.text, verbose: true, source: 'sysdump' } };
  }
  return missing(b, '`cilium-dbg status --verbose` output');
}

/** `cilium-dbg node list` as bugtool saved it; null when this bugtool did not run it. */
export function nodeListFromBugtool(b: BugtoolFiles): NodeList | null {
  for (const command of BUGTOOL_COMMANDS.nodeList) {
    const out = commandOutput(b, command);
    if (out !== null && /^Name\s+IPv4 Address/m.test(out.text)) return { text: out.text, source: 'sysdump' };
  }
  return null;
}

const MACHINE = /^(GNU\/Linux|x86_64|aarch64|arm64|s390x|ppc64le|riscv64|i[3-6]86|armv\w+|unknown)$/;

/**
 * `uname -a` is "Linux <host> <release> <version> <machine> … GNU/Linux"; /proc/version prints the same release and
 * version (init/version.c linux_proc_banner: "Linux version %s (%s@%s) (%s) %s"), so the fact is rebuilt as that
 * line with the builder/compiler part marked as not known. The version part ("#1 SMP Debian 4.19.249-2 …") is
 * what settles vendor numbering.
 */
export function hostKernelFromUname(uname: string): HostKernel | null {
  const tokens = uname.trim().split(/\s+/);
  if (tokens[0] !== 'Linux' || tokens.length < 4) return null;
  const release = tokens[2] ?? '';
  const rest = tokens.slice(3);
  while (rest.length > 0 && MACHINE.test(rest[rest.length - 1] ?? '')) rest.pop();
  return { procVersion: `Linux version ${release} (builder not in uname -a) ${rest.join(' ')}`, source: 'sysdump' };
}

export function hostKernelFromBugtool(b: BugtoolFiles): Fact<HostKernel> {
  const out = commandOutput(b, BUGTOOL_COMMANDS.uname);
  const parsed = out === null ? null : hostKernelFromUname(out.text.split('\n')[0] ?? '');
  return parsed === null ? missing(b, '`uname -a` output') : { ok: true, value: parsed };
}

export function kernelConfigFromBugtool(b: BugtoolFiles, budget = new ArchiveBudget(DEFAULT_LIMITS)): Fact<KernelConfig> {
  for (const [path, data] of b.files) {
    const parts = path.split('/');
    const base = parts[parts.length - 1] ?? '';
    if (parts[parts.length - 2] !== 'conf' || !/^kernel-config(\.gz|-.+)?$/.test(base)) continue;
    const bytes = base.endsWith('.gz') ? gunzipBounded(data, budget, `${b.archiveName}: ${path}`) : data;
    const text = new TextDecoder().decode(bytes);
    if (text.includes('CONFIG_')) return { ok: true, value: parseKernelConfig(text, `${path} in ${b.archiveName} (sysdump)`) };
  }
  return missing(b, 'the kernel build config (conf/kernel-config*)');
}
