// The upgrade preflight, pure: for each node, what the target Cilium release would make of it — the target's
// kernel floor, the kernel need of every feature the effective config enables, known-bad kernel/OS combinations
// of the target, config keys and values the target removed — plus CRD versions the upgrade crosses. No I/O: the
// reads are jobs/preflight/; grouping and the values diff are in report.ts.
import semver from 'semver';
import { KNOWN_ISSUES, affects, type KnownIssue } from '../../catalogue/known-issues/index.ts';
import { configKeyAliases, configValueAliases, withEffectiveKeys } from '../config-keys.ts';
import type { HelmValuePaths } from '../helm-values.ts';
import { ciliumKernelFloor, unmetFeatures, type CiliumKernelFloor } from '../kernel-matrix.ts';
import { kernelRange, resolveKernel, upstreamText, verdictFor, type ResolvedKernel } from '../kernel-resolved.ts';
import { formatTriple } from '../kernel-version.ts';
import { evidenceFromDocument } from '../offline-evidence.ts';
import { crdChangesCrossed, type CrdInUse } from './crd-changes.ts';

export interface PreflightNode {
  name: string;
  /** `uname -r` as the node reports it (status.nodeInfo.kernelVersion). */
  kernel: string;
  osImage: string;
  arch: string;
  pool: string | null;
  /** cilium-config keys a CiliumNodeConfig sets for this node (applied on top of the cluster config). */
  overrides?: Record<string, string>;
}

export interface PreflightInput {
  target: string;
  /** The release most agents run now; null when it could not be read. */
  runningVersion: string | null;
  /** cilium-config as read; null when unreadable (then only the Helm values given are known). */
  clusterConfig: Record<string, string> | null;
  /** The cilium-config keys the Helm values given for the upgrade render (helm-config.ts); they win over cilium-config. */
  valuesConfig: Record<string, string>;
  nodes: readonly PreflightNode[];
  /** CRDs with their stored versions; null when they could not be listed. */
  crds: readonly CrdInUse[] | null;
}

/** `breaks`: the agent would not start, or the upgrade would silently drop a setting. `warning`: degraded or to check. */
export type PreflightSeverity = 'breaks' | 'warning';
export type PreflightKind = 'kernel-floor' | 'kernel-unknown' | 'feature' | 'known-issue' | 'config-key' | 'crd';

export interface PreflightProblem {
  /** Same key = same problem: nodes sharing it are one line. */
  key: string;
  kind: PreflightKind;
  severity: PreflightSeverity;
  /** What goes wrong, without the node count ("kernel 4.14.352 < 5.10.0 required by Cilium 1.18+"). */
  text: string;
  /** What to do about it. */
  fix: string;
  /** Helm values that clear it, when a values change can (a kernel floor has none). */
  helm?: HelmValuePaths;
  source: string;
  /** Cluster-wide (config keys, CRDs): reported once, not per pool. */
  scope: 'node' | 'cluster';
}

/** A target version as users type it: 1.18.2, v1.18.2, 1.18.0-rc.1. Anything else is bad input (exit 2). */
export function parseTargetVersion(text: string): string | null {
  const m = /^v?(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)$/.exec(text.trim());
  if (m?.[1] === undefined || semver.valid(m[1]) === null) return null;
  return ciliumKernelFloor(m[1]) === null ? null : m[1];
}

/** The config the target's agent would run with on this node: cilium-config, the values given, then the node's overrides. */
export function nodeConfig(input: PreflightInput, node: PreflightNode): Record<string, string> {
  return { ...(input.clusterConfig ?? {}), ...input.valuesConfig, ...(node.overrides ?? {}) };
}

function floorProblem(kernel: ResolvedKernel | null, raw: string, floor: CiliumKernelFloor, target: string): PreflightProblem | null {
  const minimum = formatTriple(floor.minimum);
  const base = { source: floor.source, scope: 'node' as const, helm: undefined };
  if (kernel === null) {
    return { ...base, key: `kernel-unknown:${raw}`, kind: 'kernel-unknown', severity: 'warning', text: `kernel "${raw}" is not a version the preflight can read; Cilium ${target} needs ${minimum}`, fix: 'Check `uname -r` on these nodes by hand.' };
  }
  const verdict = verdictFor(kernel, floor.minimum);
  if (verdict === 'meets') return null;
  const label = kernel.exact ? formatTriple(kernel.version) : raw;
  if (verdict === 'unknown') {
    return {
      ...base, key: `kernel-unknown:${raw}`, kind: 'kernel-unknown', severity: 'warning',
      text: `kernel ${raw} (${kernel.scheme.label}, upstream ${upstreamText(kernel)}) may be below ${minimum} required by Cilium ${floor.releases}`,
      fix: `Read the real patch level with \`${kernel.readPatchWith ?? 'cat /proc/version'}\` on one of these nodes before upgrading.`,
    };
  }
  return {
    ...base, key: `kernel-floor:${label}:${minimum}`, kind: 'kernel-floor', severity: 'breaks',
    text: `kernel ${label} < ${minimum} required by Cilium ${floor.releases}`,
    fix: `No Helm value lowers the floor: move these nodes to an image with kernel ≥ ${minimum} before upgrading, or keep the upgraded agent off them (prevention: admission guard).`,
  };
}

function featureProblems(kernel: ResolvedKernel, config: Record<string, string>, arch: string): PreflightProblem[] {
  // The highest patch level the kernel can have: vendor numbering never invents an unmet need.
  return unmetFeatures(withEffectiveKeys(config), kernelRange(kernel).high, arch).map((u) => {
    const breaks = u.feature.effect === 'fatal' || u.feature.effect === 'unverified';
    const effect = u.feature.effect === 'fatal' ? 'the agent stops' : u.feature.effect === 'unverified' ? 'the agent may stop (undocumented)'
      : u.feature.effect === 'disabled' ? 'the agent turns it off' : u.feature.effect === 'fallback' ? 'the agent falls back to the slower path' : 'it works only in part';
    const helm = u.feature.helmDisable(config);
    return {
      key: `feature:${u.feature.id}:${formatTriple(u.required)}:${kernel.exact ? formatTriple(kernel.version) : kernel.parsed.raw}`,
      kind: 'feature' as const,
      severity: breaks ? 'breaks' as const : 'warning' as const,
      text: `${u.feature.name} (${u.enabledBy}) needs kernel ${formatTriple(u.required)}, these nodes run ${upstreamText(kernel)}: ${effect}`,
      fix: `Turn it off (Helm: ${Object.entries(helm).map(([k, v]) => `${k}=${String(v)}`).join(', ')}) or move these nodes to kernel ≥ ${formatTriple(u.required)}.`,
      helm,
      source: u.feature.source,
      scope: 'node' as const,
    };
  });
}

/** One synthetic evidence per kernel × OS × config, so a known issue's constraints are judged as the runbook judges them. */
function knownIssueProblems(target: string, node: PreflightNode, config: Record<string, string>, issues: readonly KnownIssue[]): PreflightProblem[] {
  const candidates = issues.filter((i) => i.kernel !== undefined && affects(i, target));
  if (candidates.length === 0) return [];
  const kernel = resolveKernel(node.kernel, node.osImage);
  if (kernel === null) return [];
  const evidence = evidenceFromDocument({
    node: { name: node.name, kernelVersion: node.kernel, osImage: node.osImage, ...(node.arch !== '' && { architecture: node.arch }) },
    cilium: { version: target, config },
  });
  const out: PreflightProblem[] = [];
  for (const issue of candidates) {
    if (issue.kernel?.test(kernel.parsed.raw, kernel.version) !== true) continue;
    if (issue.when !== undefined && issue.when.test(evidence) !== true) continue;
    out.push({
      key: `known-issue:${issue.id}`, kind: 'known-issue', severity: issue.explainsCrash ? 'breaks' : 'warning',
      text: `known issue on Cilium ${target} with ${issue.kernel?.describe ?? 'this kernel'}: ${issue.title}`,
      fix: issue.fix, source: issue.links.issue, scope: 'node',
    });
  }
  return out;
}

function atLeast(version: string, release: string | null): boolean {
  const v = semver.coerce(version);
  const r = semver.coerce(release ?? '');
  return v !== null && r !== null && semver.gte(v, r);
}

/** Config keys and values the target no longer reads (config-keys.ts); a value that would be lost breaks. */
export function configKeyProblems(target: string, config: Record<string, string>): PreflightProblem[] {
  const out: PreflightProblem[] = [];
  const seen = new Set<string>();
  for (const alias of configKeyAliases) {
    if (alias.removedIn === null || !atLeast(target, alias.removedIn)) continue;
    const old = config[alias.from]?.trim();
    if (old === undefined || old === '') continue;
    const replacement = config[alias.key]?.trim();
    const translated = alias.translate(old.toLowerCase());
    const key = `config-key:${alias.from}->${alias.key}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const set = replacement !== undefined && replacement !== '';
    out.push({
      key, kind: 'config-key', severity: set ? 'warning' : 'breaks', scope: 'cluster', source: `cilium/cilium ${alias.source.replace(/^cilium\/cilium /, '')}`,
      text: set
        ? `\`${alias.from}=${old}\` was removed in Cilium ${alias.removedIn}; \`${alias.key}=${replacement}\` is already set, so the old key is only clutter`
        : `\`${alias.from}=${old}\` was removed in Cilium ${alias.removedIn} and \`${alias.key}\` is not set: the setting would be lost`,
      fix: set ? `Delete \`${alias.from}\` from the config.` : translated === null ? `Set \`${alias.key}\` explicitly and delete \`${alias.from}\`.` : `Set \`${alias.key}=${translated}\` and delete \`${alias.from}\`.`,
      ...(!set && translated !== null && HELM_FOR_KEY[alias.key] !== undefined && { helm: { [HELM_FOR_KEY[alias.key] as string]: translated } }),
    });
  }
  for (const [key, values] of Object.entries(configValueAliases)) {
    // kube-proxy-replacement's strict/partial/disabled: removed in 1.16 (PR #31286).
    if (!atLeast(target, VALUE_REMOVED_IN[key] ?? null)) continue;
    const v = config[key]?.trim().toLowerCase();
    if (v === undefined || !Object.hasOwn(values, v)) continue;
    const now = values[v] ?? null;
    out.push({
      key: `config-value:${key}=${v}`, kind: 'config-key', severity: 'breaks', scope: 'cluster', source: 'cilium/cilium PR #26577, PR #31286',
      text: `\`${key}=${v}\` is no longer accepted from Cilium ${VALUE_REMOVED_IN[key] ?? '?'}`,
      fix: now === null ? `Choose \`${key}=true\` or \`false\` explicitly.` : `Set \`${key}=${now}\`.`,
      ...(now !== null && HELM_FOR_KEY[key] !== undefined && { helm: { [HELM_FOR_KEY[key]]: now === 'true' } }),
    });
  }
  return out;
}

/** The Helm value that renders a key, for the values diff (helm-config.ts has the whole table). */
const HELM_FOR_KEY: Readonly<Record<string, string>> = {
  'routing-mode': 'routingMode',
  'tunnel-protocol': 'tunnelProtocol',
  'kube-proxy-replacement': 'kubeProxyReplacement',
  'bpf-lb-sock': 'socketLB.enabled',
};
const VALUE_REMOVED_IN: Readonly<Record<string, string>> = { 'kube-proxy-replacement': '1.16' };

export interface NodeProblems {
  node: PreflightNode;
  problems: PreflightProblem[];
}

export interface PreflightChecks {
  target: string;
  floor: CiliumKernelFloor;
  perNode: NodeProblems[];
  cluster: PreflightProblem[];
}

/** Every check on every node; throws on a target version parseTargetVersion would refuse. */
export function runPreflightChecks(input: PreflightInput, issues: readonly KnownIssue[] = KNOWN_ISSUES): PreflightChecks {
  const floor = ciliumKernelFloor(input.target);
  if (floor === null) throw new Error(`"${input.target}" is not a Cilium version the preflight knows a kernel floor for; give one like 1.18.2`);
  const knownCache = new Map<string, PreflightProblem[]>();
  const perNode: NodeProblems[] = [];
  const cluster = new Map<string, PreflightProblem>();
  for (const node of input.nodes) {
    const config = nodeConfig(input, node);
    const kernel = resolveKernel(node.kernel, node.osImage);
    const problems: PreflightProblem[] = [];
    const f = floorProblem(kernel, node.kernel, floor, input.target);
    if (f !== null) problems.push(f);
    if (kernel !== null) problems.push(...featureProblems(kernel, config, node.arch));
    const cacheKey = JSON.stringify([node.kernel, node.osImage, node.arch, config]);
    let known = knownCache.get(cacheKey);
    if (known === undefined) {
      known = knownIssueProblems(input.target, node, config, issues);
      knownCache.set(cacheKey, known);
    }
    problems.push(...known);
    for (const p of configKeyProblems(input.target, config)) cluster.set(p.key, p);
    perNode.push({ node, problems });
  }
  if (input.nodes.length === 0) for (const p of configKeyProblems(input.target, { ...(input.clusterConfig ?? {}), ...input.valuesConfig })) cluster.set(p.key, p);
  for (const c of crdChangesCrossed(input.runningVersion, input.target, input.crds ?? [])) {
    cluster.set(`crd:${c.change.crd}`, {
      key: `crd:${c.change.crd}`, kind: 'crd', severity: 'warning', scope: 'cluster', source: c.change.source,
      text: `${c.change.kind} moves from cilium.io/${c.change.from} to cilium.io/${c.change.to} in Cilium ${c.change.since.replace(/\.0$/, '')} (stored versions now: ${c.stored.join(', ')})`,
      fix: c.change.action,
    });
  }
  return { target: input.target, floor, perNode, cluster: [...cluster.values()] };
}
