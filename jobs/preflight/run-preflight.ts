// One preflight run: validate the target and the Helm values, read the cluster, run the pure checks, group them.
// Bad input throws PreflightInputError (the CLI's exit code 2, the slash command's ephemeral error).
import { parse as parseYaml } from 'yaml';
import type { ClusterReader } from '../kube/cluster-reader.ts';
import { buildPreflightReport, configFromHelmValues, parseTargetVersion, runPreflightChecks, type PreflightReport } from '../../runbooks/engine/preflight/index.ts';
import { collectPreflightFacts } from './preflight-facts.ts';

export class PreflightInputError extends Error {}

/** The target as a version, or PreflightInputError saying what a version looks like. */
export function targetVersion(text: string | undefined): string {
  if (text === undefined || text === '') throw new PreflightInputError('--target is required, e.g. --target 1.18.2');
  const v = parseTargetVersion(text);
  if (v === null) throw new PreflightInputError(`"${text}" is not a Cilium version: give major.minor.patch, e.g. 1.18.2 (v1.18.2 and 1.18.0-rc.1 also work)`);
  return v;
}

/** Helm values YAML (a values.yaml) → the mapping; PreflightInputError when it is not YAML or not a mapping. */
export function parseHelmValues(text: string, name: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new PreflightInputError(`${name} is not valid YAML: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new PreflightInputError(`${name} must be a mapping of Helm values (like values.yaml), not ${Array.isArray(doc) ? 'a list' : typeof doc}`);
  return doc as Record<string, unknown>;
}

export async function runPreflight(reader: ClusterReader, opts: { target: string; values?: Record<string, unknown>; ciliumNamespace?: string }): Promise<PreflightReport> {
  const facts = await collectPreflightFacts(reader, opts.ciliumNamespace === undefined ? {} : { ciliumNamespace: opts.ciliumNamespace });
  const checks = runPreflightChecks({ ...facts.input, target: opts.target, valuesConfig: configFromHelmValues(opts.values ?? {}) });
  return buildPreflightReport(checks, { runningVersion: facts.input.runningVersion, unavailable: facts.unavailable });
}
