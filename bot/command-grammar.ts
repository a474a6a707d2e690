// The `/cilium` command grammar. Text is tokenised on whitespace and validated by zod: node names are RFC 1123
// subdomains, so nothing a user types ever reaches anything but a validated name.
import { z } from 'zod';
import { InvalidCommandError } from './errors.ts';
import { escapeMrkdwn } from './render/mrkdwn.ts';
import { redactSecrets } from './render/redact.ts';
import { parsePreflight, type PreflightCommand } from './preflight-command.ts';
import { MUTE_USAGE, parseMuteArgs, type MuteCommand } from './mute-commands.ts';

export const USAGE = [
  '*Usage*',
  '• `/cilium diagnose <node> [--cluster <name>]` — diagnose one node; the report goes into the incident thread',
  '• `/cilium diagnose pod <ns>/<pod> [--cluster <name>]` — one pod: its drops from Hubble by direction and the policy responsible, its endpoint, and its node\'s findings that affect it',
  '• `/cilium diagnose --all [--cluster <name>]` (or `/cilium sweep`) — the whole cluster, grouped by root cause',
  '• `/cilium preflight <version> [--values path=value,…] [--cluster <name>]` — what upgrading Cilium to that version would break, by node pool',
  '• `/cilium why-dropped <ns>/<src> <ns>/<dst>[:port]` — drops between two pods from Hubble, by reason and direction, with the missing allow',
  '• `/cilium incidents` — the open incidents (only you see the list)',
  '• `/cilium timeline <INC-id>` — an incident\'s timeline',
  '• `/cilium note <INC-id> <text>` — add a note to an incident\'s timeline',
  '• `/cilium resolve <INC-id> [note]` — mark an incident resolved',
  '• `/cilium export <INC-id>` — a Markdown postmortem draft, uploaded to the thread',
  MUTE_USAGE,
  '• `/cilium help` — this message',
].join('\n');

export const IncidentIdArgSchema = z
  .string()
  .transform((s) => s.toUpperCase())
  .pipe(z.string().regex(/^INC-[1-9][0-9]{0,9}$/, 'an incident id looks like INC-12'));

const MAX_NOTE = 2000;

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
  | { kind: 'diagnose'; node: string; cluster?: string }
  | { kind: 'diagnose-pod'; pod: PodArg; cluster?: string }
  | { kind: 'sweep'; cluster?: string }
  | { kind: 'why-dropped'; query: WhyDroppedArgs }
  | { kind: 'incidents' }
  | { kind: 'timeline'; incidentId: string }
  | { kind: 'export'; incidentId: string }
  | { kind: 'resolve'; incidentId: string; note?: string }
  | { kind: 'note'; incidentId: string; text: string }
  | PreflightCommand
  | MuteCommand;

const MAX_TEXT = 2100;
/** C0 and C1 controls except tab and newline. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;
/** At least one character that is not whitespace, a control, a format mark (zero-width, bidi) or a lone surrogate. */
const VISIBLE = /[^\s\p{Cc}\p{Cf}\p{Cs}]/u;

/** What the user typed, quoted for the ephemeral error: redacted, then escaped (`<!channel>` mentions nobody). */
function printable(s: string): string {
  const shown = s.length > 60 ? `${s.slice(0, 60)}…` : s;
  return escapeMrkdwn(JSON.stringify(redactSecrets(shown)));
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
    case 'sweep':
      return parseDiagnose(['--all', ...args]);
    case 'preflight':
      return parsePreflight(args, USAGE, (v) => {
        const parsed = ClusterNameSchema.safeParse(v);
        if (!parsed.success) throw new InvalidCommandError(`${printable(v)} is not a cluster name: ${issue(parsed.error)}.`, USAGE);
        return parsed.data;
      });
    case 'why-dropped':
      return { kind: 'why-dropped', query: parseWhyDroppedArgs(args) };
    case 'incidents':
      if (args.length > 0) throw new InvalidCommandError('`incidents` takes no arguments.', USAGE);
      return { kind: 'incidents' };
    case 'timeline':
    case 'export': {
      if (args.length !== 1) throw new InvalidCommandError(`\`${verb.toLowerCase()}\` takes one incident id, e.g. \`INC-3\`.`, USAGE);
      const kind = verb.toLowerCase() as 'timeline' | 'export';
      return { kind, incidentId: incidentId(args[0]) };
    }
    case 'resolve':
    case 'note': {
      const kind = verb.toLowerCase() as 'resolve' | 'note';
      const id = incidentId(args[0]);
      // Free text keeps its spacing: take everything after the id from the original text.
      // Control characters (ESC sequences, NUL, bell…) are dropped: the text is posted to Slack and written into the
      // Markdown export, where an ESC sequence would drive the terminal of whoever `cat`s it (found by fuzzing).
      const rest = text.trim().replace(/^\S+\s+\S+\s*/, '').replace(CONTROL, '').trim();
      if (rest.length > MAX_NOTE) throw new InvalidCommandError(`A note has at most ${MAX_NOTE} characters (this one has ${rest.length}).`, USAGE);
      if (kind === 'note') {
        // Only invisible characters (zero-width spaces, bidi marks) is no text either (found by fuzzing).
        if (!VISIBLE.test(rest)) throw new InvalidCommandError('`note` needs text, e.g. `/cilium note INC-3 rolled back the kernel`.', USAGE);
        return { kind, incidentId: id, text: rest };
      }
      return !VISIBLE.test(rest) ? { kind, incidentId: id } : { kind, incidentId: id, note: rest };
    }
    case 'mute':
    case 'mutes':
      return parseMuteArgs(verb.toLowerCase() as 'mute' | 'mutes', args, USAGE);
    default:
      throw new InvalidCommandError(`Unknown subcommand ${printable(verb)}.`, USAGE);
  }
}

function parseDiagnose(args: string[]): CiliumCommand {
  // `diagnose pod <ns>/<pod>`: the keyword, then a pod reference (a node named "pod" is `diagnose pod` alone).
  const positionals = args.filter((a, i) => !a.startsWith('-') && args[i - 1] !== '--cluster');
  if (positionals[0]?.toLowerCase() === 'pod' && positionals.length > 1) return parseDiagnosePod(args);
  let node: string | undefined;
  let cluster: string | undefined;
  let all = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--all') {
      all = true;
    } else if (arg === '--cluster') {
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
  if (all) {
    if (node !== undefined) throw new InvalidCommandError('`diagnose --all` sweeps every node; leave out the node name, or drop `--all`.', USAGE);
    return cluster === undefined ? { kind: 'sweep' } : { kind: 'sweep', cluster };
  }
  if (node === undefined) throw new InvalidCommandError('`diagnose` needs a node name, e.g. `/cilium diagnose node-7`.', USAGE);
  return cluster === undefined ? { kind: 'diagnose', node } : { kind: 'diagnose', node, cluster };
}

function parseDiagnosePod(args: string[]): CiliumCommand {
  const example = 'e.g. `/cilium diagnose pod shop/checkout`';
  let pod: PodArg | undefined;
  let cluster: string | undefined;
  let keyword = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--cluster') {
      const value = args[++i];
      if (value === undefined) throw new InvalidCommandError('`--cluster` needs a cluster name.', USAGE);
      const parsed = ClusterNameSchema.safeParse(value);
      if (!parsed.success) throw new InvalidCommandError(`${printable(value)} is not a cluster name: ${issue(parsed.error)}.`, USAGE);
      cluster = parsed.data;
    } else if (arg === '--all') {
      throw new InvalidCommandError('`diagnose pod` diagnoses one pod; `--all` sweeps nodes.', USAGE);
    } else if (arg.startsWith('-')) {
      throw new InvalidCommandError(`Unknown option ${printable(arg)}.`, USAGE);
    } else if (!keyword) {
      keyword = true;
    } else if (pod !== undefined) {
      throw new InvalidCommandError(`\`diagnose pod\` takes one pod, ${example}.`, USAGE);
    } else {
      const parsed = PodRefSchema.safeParse(arg);
      if (!parsed.success) throw new InvalidCommandError(`${printable(arg)} is not a pod: ${issue(parsed.error)}; ${example}.`, USAGE);
      const [namespace, name] = parsed.data.split('/') as [string, string];
      pod = { namespace, pod: name };
    }
  }
  if (pod === undefined) throw new InvalidCommandError(`\`diagnose pod\` needs a pod, ${example}.`, USAGE);
  return cluster === undefined ? { kind: 'diagnose-pod', pod } : { kind: 'diagnose-pod', pod, cluster };
}

function incidentId(arg: string | undefined): string {
  if (arg === undefined) throw new InvalidCommandError('An incident id is needed, e.g. `INC-3` (`/cilium incidents` lists them).', USAGE);
  const parsed = IncidentIdArgSchema.safeParse(arg);
  if (!parsed.success) throw new InvalidCommandError(`${printable(arg)} is not an incident id: ${issue(parsed.error)}.`, USAGE);
  return parsed.data;
}

function issue(error: z.ZodError): string {
  return error.issues[0]?.message ?? 'invalid';
}

/** `<ns>/<pod>` as why-dropped takes it: both RFC 1123 names (a pod name may be a prefix, as Hubble's filters). */
const PodRefSchema = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\/[a-z0-9]([-.a-z0-9]{0,251}[a-z0-9])?$/, 'a pod is <namespace>/<pod>, lower-case RFC 1123 names, e.g. shop/checkout');

/** A pod as typed: `<namespace>/<pod>` (the pod may be a Deployment's prefix; the bot resolves it). */
export interface PodArg { namespace: string; pod: string }

export interface WhyDroppedArgs { source: PodArg; destination: PodArg; port?: number }

/** `why-dropped <ns>/<src> <ns>/<dst>[:port]`; throws InvalidCommandError with an example. */
export function parseWhyDroppedArgs(args: string[]): WhyDroppedArgs {
  const example = 'e.g. `why-dropped shop/checkout shop/payments:8080`';
  if (args.length !== 2) throw new InvalidCommandError(`\`why-dropped\` takes a source and a destination pod, ${example}.`, USAGE);
  const [srcArg, dstArg] = args as [string, string];
  const portMatch = /^(.*):(\d{1,5})$/.exec(dstArg);
  const dstText = portMatch === null ? dstArg : portMatch[1] ?? '';
  const port = portMatch === null ? undefined : Number(portMatch[2]);
  if (port !== undefined && (port < 1 || port > 65535)) throw new InvalidCommandError(`Port ${port} is not between 1 and 65535.`, USAGE);
  const ref = (text: string) => {
    const parsed = PodRefSchema.safeParse(text);
    if (!parsed.success) throw new InvalidCommandError(`${printable(text)} is not a pod: ${issue(parsed.error)}; ${example}.`, USAGE);
    const [namespace, pod] = parsed.data.split('/') as [string, string];
    return { namespace, pod };
  };
  return { source: ref(srcArg), destination: ref(dstText), ...(port !== undefined && { port }) };
}
