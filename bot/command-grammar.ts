// The `/cilium` command grammar. Text is tokenised on whitespace and validated by zod: node names are RFC 1123
// subdomains, so nothing a user types ever reaches anything but a validated name.
import { z } from 'zod';
import { InvalidCommandError } from './errors.ts';

export const USAGE = [
  '*Usage*',
  '• `/cilium diagnose <node> [--cluster <name>]` — diagnose one node; the report goes into a thread',
  '• `/cilium help` — this message',
].join('\n');

/** RFC 1123 subdomain, as Kubernetes validates node names (253 chars, dot-separated labels of ≤ 63). */
export const NodeNameSchema = z
  .string()
  .max(253, 'a node name has at most 253 characters')
  .regex(
    /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/,
    'a node name is lower-case letters, digits, "-" and "." (RFC 1123), starting and ending with a letter or digit',
  );

export const ClusterNameSchema = z
  .string()
  .regex(/^[a-zA-Z0-9][a-zA-Z0-9._-]{0,62}$/, 'a cluster name is letters, digits, ".", "_" and "-" (max 63)');

export type CiliumCommand =
  | { kind: 'help' }
  | { kind: 'diagnose'; node: string; cluster?: string };

const MAX_TEXT = 1000;

function printable(s: string): string {
  const shown = s.length > 60 ? `${s.slice(0, 60)}…` : s;
  return JSON.stringify(shown);
}

/** Parses the text after `/cilium`. Throws InvalidCommandError (with the usage) for anything else. */
export function parseCiliumCommand(text: string): CiliumCommand {
  if (text.length > MAX_TEXT) throw new InvalidCommandError(`That command is too long (${text.length} characters).`, USAGE);
  const tokens = text.trim().split(/\s+/).filter((t) => t.length > 0);
  const [verb, ...args] = tokens;
  if (verb === undefined) throw new InvalidCommandError('Tell me what to do.', USAGE);
  switch (verb.toLowerCase()) {
    case 'help':
      if (args.length > 0) throw new InvalidCommandError('`help` takes no arguments.', USAGE);
      return { kind: 'help' };
    case 'diagnose':
      return parseDiagnose(args);
    default:
      throw new InvalidCommandError(`Unknown subcommand ${printable(verb)}.`, USAGE);
  }
}

function parseDiagnose(args: string[]): CiliumCommand {
  let node: string | undefined;
  let cluster: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--cluster') {
      const value = args[++i];
      if (value === undefined) throw new InvalidCommandError('`--cluster` needs a cluster name.', USAGE);
      const parsed = ClusterNameSchema.safeParse(value);
      if (!parsed.success) throw new InvalidCommandError(`${printable(value)} is not a cluster name: ${issue(parsed.error)}.`, USAGE);
      cluster = parsed.data;
    } else if (arg.startsWith('-')) {
      throw new InvalidCommandError(`Unknown option ${printable(arg)}.`, USAGE);
    } else if (node !== undefined) {
      throw new InvalidCommandError('`diagnose` takes one node name.', USAGE);
    } else {
      const parsed = NodeNameSchema.safeParse(arg);
      if (!parsed.success) throw new InvalidCommandError(`${printable(arg)} is not a node name: ${issue(parsed.error)}.`, USAGE);
      node = parsed.data;
    }
  }
  if (node === undefined) throw new InvalidCommandError('`diagnose` needs a node name, e.g. `/cilium diagnose node-7`.', USAGE);
  return cluster === undefined ? { kind: 'diagnose', node } : { kind: 'diagnose', node, cluster };
}

function issue(error: z.ZodError): string {
  return error.issues[0]?.message ?? 'invalid';
}
