// `/cilium preflight <target-version> [--values path=value,…] [--cluster <name>]`: the arguments, validated. In
// Slack the Helm values come inline in `helm --set` form (dotted paths, comma-separated), since a slash command
// cannot carry a file; the CLI takes a values.yaml instead.
import { InvalidCommandError } from './errors.ts';
import { parseTargetVersion } from '../runbooks/engine/preflight/index.ts';

export interface PreflightCommand {
  kind: 'preflight';
  target: string;
  values?: Record<string, unknown>;
  cluster?: string;
}

const PATH = /^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*){0,5}$/;
const VALUE = /^[A-Za-z0-9._-]{1,63}$/;

/** "a.b=true,c=netkit" → { a: { b: true }, c: 'netkit' }; throws with what is wrong. */
export function parseSetValues(text: string, usage: string): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const pair of text.split(',')) {
    const eq = pair.indexOf('=');
    const path = eq < 0 ? pair : pair.slice(0, eq);
    const raw = eq < 0 ? '' : pair.slice(eq + 1);
    if (!PATH.test(path) || !VALUE.test(raw)) {
      throw new InvalidCommandError(`\`--values\` takes Helm paths and values like \`bandwidthManager.enabled=false,kubeProxyReplacement=true\`; \`${pair.slice(0, 80).replace(/`/g, "'")}\` is not one.`, usage);
    }
    const value: unknown = raw === 'true' ? true : raw === 'false' ? false : /^\d+$/.test(raw) ? Number(raw) : raw;
    const keys = path.split('.');
    let node = root;
    keys.slice(0, -1).forEach((k) => {
      const next = node[k];
      node = typeof next === 'object' && next !== null ? (next as Record<string, unknown>) : (node[k] = {} as Record<string, unknown>);
    });
    node[keys[keys.length - 1] as string] = value;
  }
  return root;
}

/** The arguments after `preflight`. `clusterName` validates a `--cluster` value (the grammar's schema). */
export function parsePreflight(args: string[], usage: string, clusterName: (v: string) => string): PreflightCommand {
  let target: string | undefined;
  let values: Record<string, unknown> | undefined;
  let cluster: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--values' || arg === '--set') {
      const v = args[++i];
      if (v === undefined) throw new InvalidCommandError('`--values` needs Helm values, e.g. `--values bandwidthManager.enabled=false`.', usage);
      values = { ...(values ?? {}), ...parseSetValues(v, usage) };
    } else if (arg === '--cluster') {
      const v = args[++i];
      if (v === undefined) throw new InvalidCommandError('`--cluster` needs a cluster name.', usage);
      cluster = clusterName(v);
    } else if (arg.startsWith('-')) {
      throw new InvalidCommandError(`Unknown option \`${arg.slice(0, 40).replace(/`/g, "'")}\` for \`preflight\`.`, usage);
    } else if (target !== undefined) {
      throw new InvalidCommandError('`preflight` takes one target version.', usage);
    } else {
      const v = parseTargetVersion(arg);
      if (v === null) throw new InvalidCommandError(`\`${arg.slice(0, 40).replace(/`/g, "'")}\` is not a Cilium version: give major.minor.patch, e.g. \`/cilium preflight 1.18.2\`.`, usage);
      target = v;
    }
  }
  if (target === undefined) throw new InvalidCommandError('`preflight` needs the target version, e.g. `/cilium preflight 1.18.2`.', usage);
  return { kind: 'preflight', target, ...(values !== undefined && { values }), ...(cluster !== undefined && { cluster }) };
}
