// `cilium-dbg status [--verbose]` (`cilium status` inside the agent before 1.15) as text → the facts runbooks read.
// The agent prints one `Key:<tab>value` line per subsystem through a tabwriter, continuation lines indented
// (cilium/cilium pkg/client/client.go FormatStatusResponse: controller rows `Name Last success Last error Count
// Message` are listed when failing, every one with --verbose/--all-controllers; Count is the consecutive failure
// count); real output quoted in cilium/cilium
// #18331 (`IPAM: IPv4: 510/511 allocated from 10.128.68.0/23,`, `Controller Status: 2056/2057 healthy` with the failing
// controller's row under it), PR #6613 (the pre-1.6 `IPv4 address pool: 15/65535 allocated from 10.132.0.0/16`) and
// #46598 (1.17: `Routing: Network: Native Host: BPF`, `Attach Mode: TCX`). The IPAM total is the allocator's
// `CountIPsInCIDR` (pkg/ipam/hostscope.go Dump: "%d/%s allocated from %s"); before PR #15707 it still counted the
// broadcast address, so the real capacity of "510/511" was 510. Pure: no I/O, never throws.
import type { Evidence } from './evidence.ts';

/** One address family's pool as the IPAM line states it. */
export interface IpamPool {
  family: 'IPv4' | 'IPv6';
  allocated: number;
  /** As printed; IPv6 totals are huge (18446744073709551614) and only compared as a ratio. */
  total: number;
  cidr: string;
}

export interface ControllerFailure {
  name: string;
  /** The row's Message column, e.g. "regeneration recovery failed". */
  message: string;
}

export interface AgentStatusSummary {
  /** Every `Key: value` line, continuation lines joined with "\n" (first occurrence wins). */
  fields: Record<string, string>;
  ipam: IpamPool[];
  /** The first word after `KubeProxyReplacement:` (True/False, or Strict/Partial/Probe/Disabled before 1.14). */
  kubeProxyReplacement: string | null;
  /** From `Cilium: Ok 1.15.6 (v1.15.6-a09e05e6)`; null when the line has no release. */
  ciliumVersion: string | null;
  /** `Ok`/`Warning`/`Failure`/`Disabled` of the Kubernetes, KVStore and Cilium lines. */
  kubernetes: string | null;
  kvstore: string | null;
  cilium: string | null;
  controllers: { healthy: number; total: number; failing: ControllerFailure[] } | null;
  encryption: string | null;
  hostRouting: string | null;
  masquerading: string | null;
  bandwidthManager: string | null;
  clusterHealth: string | null;
}

/** Keys `cilium-dbg status` prints (any release since 1.5); a paste is recognised by them. */
export const AGENT_STATUS_KEYS: ReadonlySet<string> = new Set([
  'KVStore', 'ContainerRuntime', 'Kubernetes', 'Kubernetes APIs', 'KubeProxyReplacement', 'KubeProxyReplacement Details',
  'Host firewall', 'SRv6', 'CNI Chaining', 'CNI Config file', 'Cilium', 'NodeMonitor', 'Cilium health daemon', 'IPAM',
  'IPv4 address pool', 'IPv6 address pool', 'IPv4 BIG TCP', 'IPv6 BIG TCP', 'BandwidthManager', 'Routing', 'Host Routing',
  'Attach Mode', 'Device Mode', 'Masquerading', 'Clock Source for BPF', 'Controller Status', 'Proxy Status',
  'Global Identity Range', 'Hubble', 'Encryption', 'Cluster health', 'Modules Health', 'Allocated addresses',
  'BPF Maps', 'ClusterMesh', 'Stale status', 'Daemon Status',
]);

/** Lines only the agent prints (the cilium-cli summary box has none of them): enough alone to recognise a paste. */
export const AGENT_ONLY_KEYS: ReadonlySet<string> = new Set([
  'KVStore', 'KubeProxyReplacement', 'IPAM', 'IPv4 address pool', 'IPv6 address pool', 'Controller Status', 'Cilium health daemon',
  'NodeMonitor', 'Host Routing', 'Masquerading', 'BandwidthManager', 'Proxy Status',
]);

const KEY_LINE = /^([A-Z][A-Za-z0-9 ]{1,40}?):(?:\s+(.*))?$/;
const POOL = /(IPv[46])(?::| address pool:)\s*(\d+)\/(\d+) allocated from ([0-9a-fA-F.:]+\/\d+)/g;
/** A controller row: name, last success, last error, consecutive failures, message (`--verbose` lists healthy ones too). */
const CONTROLLER_ROW = /^\s+(\S+)\s+(?:never|\S+ ago)\s+(?:never|\S+ ago)\s+(\d+)\s+(.+?)\s*$/;

/** The key of a status line (`IPAM`, `Controller Status`…) when it is one the agent prints, else null. */
export function agentStatusKey(line: string): string | null {
  const m = KEY_LINE.exec(line.trimEnd());
  const key = m?.[1]?.trim();
  return key !== undefined && AGENT_STATUS_KEYS.has(key) ? key : null;
}

export function parseAgentStatus(text: string): AgentStatusSummary {
  const fields: Record<string, string> = {};
  const failing: ControllerFailure[] = [];
  let current: string | null = null;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    const key = agentStatusKey(line);
    if (key !== null) {
      current = key;
      fields[key] ??= (KEY_LINE.exec(line.trimEnd())?.[2] ?? '').trim();
      continue;
    }
    if (current === null || line.trim() === '') continue;
    if (/^\s/.test(line)) {
      if (current === 'Controller Status') {
        const row = CONTROLLER_ROW.exec(line);
        // The header row ("Name  Last success  Last error  Count  Message") does not match: its times are words.
        if (row?.[1] !== undefined && row[3] !== undefined && Number(row[2]) > 0 && row[3] !== 'no error') failing.push({ name: row[1], message: row[3] });
      }
      fields[current] = `${fields[current] ?? ''}\n${line.trim()}`;
    }
  }
  const ipam = poolsOf([fields['IPAM'], fields['IPv4 address pool'] === undefined ? undefined : `IPv4 address pool: ${fields['IPv4 address pool']}`,
    fields['IPv6 address pool'] === undefined ? undefined : `IPv6 address pool: ${fields['IPv6 address pool']}`]);
  const ctl = /^(\d+)\/(\d+) healthy/.exec(fields['Controller Status'] ?? '');
  return {
    fields,
    ipam,
    kubeProxyReplacement: firstWord(fields['KubeProxyReplacement']),
    ciliumVersion: /\b(\d+\.\d+\.\d+(?:-[0-9A-Za-z.]+)?)\b/.exec(fields['Cilium'] ?? '')?.[1] ?? null,
    kubernetes: firstWord(fields['Kubernetes']),
    kvstore: firstWord(fields['KVStore']),
    cilium: firstWord(fields['Cilium']),
    controllers: ctl === null ? null : { healthy: Number(ctl[1]), total: Number(ctl[2]), failing },
    encryption: firstLine(fields['Encryption']),
    hostRouting: firstLine(fields['Host Routing']) ?? (/Host:\s*(\S+)/.exec(fields['Routing'] ?? '')?.[1] ?? null),
    masquerading: firstLine(fields['Masquerading']),
    bandwidthManager: firstLine(fields['BandwidthManager']),
    clusterHealth: firstLine(fields['Cluster health']),
  };
}

function poolsOf(texts: (string | undefined)[]): IpamPool[] {
  const out: IpamPool[] = [];
  for (const t of texts) {
    if (t === undefined) continue;
    for (const m of t.matchAll(POOL)) {
      out.push({ family: m[1] === 'IPv6' ? 'IPv6' : 'IPv4', allocated: Number(m[2]), total: Number(m[3]), cidr: m[4] ?? '' });
    }
  }
  return out;
}

/** Pools at (or within one address of) their printed total, or at ≥ 95 %. See ipamPressure. */
export type IpamPressure = 'exhausted' | 'nearly-exhausted' | null;

/**
 * `exhausted` when allocated ≥ total − 1: before PR #15707 the printed total still counted the broadcast address, so
 * "510/511" is already full (#18331), and since then one free address is one pod. `nearly-exhausted` at ≥ 95 %:
 * a /24 node (254 addresses) then has about a dozen left, which a rollout or a few evicted pods use up.
 */
export function ipamPressure(pool: IpamPool): IpamPressure {
  if (pool.total <= 0) return null;
  if (pool.allocated >= pool.total - 1) return 'exhausted';
  return pool.allocated / pool.total >= 0.95 ? 'nearly-exhausted' : null;
}

function firstWord(v: string | undefined): string | null {
  const w = v?.trim().split(/\s+/)[0];
  return w === undefined || w === '' ? null : w;
}

function firstLine(v: string | undefined): string | null {
  const l = v?.split('\n')[0]?.trim();
  return l === undefined || l === '' ? null : l;
}

/** The parsed agentStatus fact, or null when it was not collected or pasted. */
export function agentStatusOf(e: Pick<Evidence, 'agentStatus'>): AgentStatusSummary | null {
  return e.agentStatus.ok ? parseAgentStatus(e.agentStatus.value.text) : null;
}

/** Where a quote from the status was read, for the report. */
export function agentStatusSource(e: Pick<Evidence, 'agentStatus'>): string {
  return e.agentStatus.ok ? `cilium-dbg status${e.agentStatus.value.verbose ? ' --verbose' : ''} (${e.agentStatus.value.source})` : 'cilium-dbg status';
}
