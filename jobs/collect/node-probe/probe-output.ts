// The probe pod's log, split into its delimited sections and turned into facts (source: probe-pod). A section
// without its END line was cut (log byte limit, pod killed at its deadline): that fact is unavailable, not empty.
import type { Fact, HostKernel, IptablesInfo, KernelLog, Unavailable } from '../../../runbooks/engine/evidence.ts';
import type { KernelConfig, Memlock } from '../../../runbooks/engine/evidence-extra.ts';
import { summarizeIptablesSave } from '../../../runbooks/engine/iptables-summary.ts';
import { ok } from '../fact-outcome.ts';
import { parseKernelConfig, parseMemlock } from '../extra-facts.ts';
import { KERNEL_LOG_LINES, PROBE_SECTIONS, SECTION_BEGIN, SECTION_END, type ProbeSection } from './probe-script.ts';

export interface ProbeSectionText {
  text: string;
  /** Exit code from the END line; null when the END line is missing (the log was cut). */
  rc: number | null;
}

export interface ProbeReads {
  hostKernel: Fact<HostKernel>;
  kernelConfig: Fact<KernelConfig>;
  memlock: Fact<Memlock>;
  kernelLog: Fact<KernelLog>;
  iptables: Fact<IptablesInfo>;
  /** Loaded modules among PROBE_MODULES (merged into hostKernel.modules by probe-evidence.ts). */
  modules: string[] | null;
  /** The filesystem type at the host's /sys/fs/bpf ("bpf_fs" when mounted); null when not read. */
  bpffs: string | null;
}

export function splitSections(log: string): Map<ProbeSection, ProbeSectionText> {
  const out = new Map<ProbeSection, ProbeSectionText>();
  let current: { name: ProbeSection; lines: string[] } | null = null;
  for (const line of log.split('\n')) {
    if (line.startsWith(SECTION_BEGIN)) {
      const name = line.slice(SECTION_BEGIN.length).replace(/ ===$/, '') as ProbeSection;
      current = (PROBE_SECTIONS as readonly string[]).includes(name) ? { name, lines: [] } : null;
      if (current !== null) out.set(name, { text: '', rc: null });
      continue;
    }
    const end = line.startsWith(SECTION_END) ? /^(\S+) rc=(\d+) ===$/.exec(line.slice(SECTION_END.length)) : null;
    if (end !== null && current !== null && end[1] === current.name) {
      out.set(current.name, { text: current.lines.join('\n'), rc: Number(end[2]) });
      current = null;
      continue;
    }
    if (current !== null) {
      current.lines.push(line);
      out.set(current.name, { text: current.lines.join('\n'), rc: null });
    }
  }
  return out;
}

const missing = (what: string, s: ProbeSectionText | undefined): Unavailable => ({
  ok: false,
  reason: 'unavailable',
  detail: s === undefined
    ? `the node probe printed no ${what} section`
    : s.rc === null
      ? `the node probe's ${what} section was cut (log limit reached or the pod was stopped at its deadline)`
      : `the node probe could not read ${what} (exit ${s.rc}): ${s.text.trim().split('\n').slice(-2).join(' ').slice(0, 300)}`,
});

/** "# source: …" first line of a section, and the rest. */
function sourced(text: string): { source: string; body: string } {
  const m = /^# source: (.*)\n?/.exec(text);
  return m === null ? { source: 'unknown', body: text } : { source: m[1] ?? 'unknown', body: text.slice(m[0].length) };
}

function hostKernelOf(version: ProbeSectionText | undefined, signature: ProbeSectionText | undefined): Fact<HostKernel> {
  const line = version?.text.trim().split('\n')[0]?.trim() ?? '';
  if (version?.rc !== 0 || !line.startsWith('Linux version ')) return missing('/proc/version', version);
  const sig = signature?.rc === 0 ? signature.text.trim() : '';
  return ok({ procVersion: line, ...(sig.startsWith('Ubuntu ') && { versionSignature: sig }), source: 'probe-pod' });
}

function kernelConfigOf(s: ProbeSectionText | undefined): Fact<KernelConfig> {
  if (s?.rc !== 0 || !s.text.includes('CONFIG_')) {
    return s?.rc !== null && s !== undefined
      ? { ok: false, reason: 'unavailable', detail: `the node exposes neither /proc/config.gz nor /boot/config-$(uname -r) (read by the node probe, exit ${s.rc})` }
      : missing('the kernel build config', s);
  }
  const { source, body } = sourced(s.text);
  return ok(parseKernelConfig(body, `probe-pod: ${source}`));
}

function memlockOf(s: ProbeSectionText | undefined): Fact<Memlock> {
  const parsed = s?.rc === 0 ? parseMemlock(s.text) : null;
  if (s === undefined || parsed === null) return missing('the memlock limit', s);
  return ok({ ...parsed, source: `probe-pod: ${sourced(s.text).source}` });
}

function kernelLogOf(s: ProbeSectionText | undefined): Fact<KernelLog> {
  if (s === undefined || s.rc === null) return missing('the kernel log', s);
  if (s.rc !== 0) {
    return {
      ...missing('the kernel log', s),
      fix: 'dmesg needs CAP_SYSLOG where kernel.dmesg_restrict=1: keep SYSLOG in the probe container\'s capabilities (deploy/overlays/node-probe).',
    };
  }
  const lines = s.text.split('\n').filter((l) => l.trim() !== '');
  return ok({ lines, truncated: lines.length >= KERNEL_LOG_LINES, source: 'probe-pod' });
}

const ruleCount = (text: string): number => text.split('\n').filter((l) => l.startsWith('-A ')).length;

/**
 * iptables-legacy and iptables-nft keep separate rule sets; kube-proxy and Cilium each write to one (chosen like
 * kubernetes-sigs/iptables-wrappers: the one holding rules). Both are summarised together; the backend named is the
 * one with more rules.
 */
function iptablesOf(legacy: ProbeSectionText | undefined, nft: ProbeSectionText | undefined): Fact<IptablesInfo> {
  const read = [legacy, nft].filter((s): s is ProbeSectionText => s?.rc === 0);
  if (read.length === 0) {
    const first = missing('iptables (iptables-legacy-save)', legacy);
    const second = missing('iptables (iptables-nft-save)', nft);
    return { ok: false, reason: 'unavailable', detail: `${first.detail}; ${second.detail}` };
  }
  const legacyRules = legacy?.rc === 0 ? ruleCount(legacy.text) : 0;
  const nftRules = nft?.rc === 0 ? ruleCount(nft.text) : 0;
  const text = read.map((s) => s.text).join('\n');
  return ok(summarizeIptablesSave(text, { source: 'probe-pod', versionText: nftRules > legacyRules || (nftRules === legacyRules && legacy?.rc !== 0) ? 'nf_tables' : 'legacy' }));
}

export function parseProbeLog(log: string): ProbeReads {
  const s = splitSections(log);
  const modules = s.get('modules');
  const bpffs = s.get('bpffs');
  return {
    hostKernel: hostKernelOf(s.get('proc-version'), s.get('version-signature')),
    kernelConfig: kernelConfigOf(s.get('kernel-config')),
    memlock: memlockOf(s.get('memlock')),
    kernelLog: kernelLogOf(s.get('kernel-log')),
    iptables: iptablesOf(s.get('iptables-legacy'), s.get('iptables-nft')),
    modules: modules?.rc === 0 ? modules.text.split('\n').map((l) => l.split(' ')[0] ?? '').filter((m) => m !== '') : null,
    bpffs: bpffs?.rc === 0 ? bpffs.text.trim() : null,
  };
}
