// `cilium-runbook`: the same collection and runbooks without Slack, for the engineer at a terminal.
//   cilium-runbook diagnose <node> [--kubeconfig PATH] [--context C] [--cluster NAME] [--json] [--evidence-out FILE]
//   cilium-runbook diagnose --all [--kubeconfig PATH] [--context C] [--cluster NAME] [--json]
//   cilium-runbook diagnose pod <ns>/<pod> [--kubeconfig PATH] [--context C] [--json]   (Hubble Relay when configured)
//   cilium-runbook collect <node> [--kubeconfig PATH] [--context C] > evidence.json
//   cilium-runbook analyze <evidence.json|pasted.txt|-> [--json] [--cilium-version X] [--kernel K] [--config key=value]…
//   cilium-runbook analyze <cilium-sysdump-<ts>.zip> [--node N] [--json]
//   cilium-runbook preflight --target 1.18.2 [--values values.yaml] [--kubeconfig PATH] [--json]
//   cilium-runbook why-dropped <ns>/<src> <ns>/<dst>[:port] [--since MINUTES] [--json]   (Hubble Relay)
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { analyze } from '../runbooks/engine/analyze.ts';
import { EvidenceParseError } from '../runbooks/engine/evidence.ts';
import { renderFindingsJson } from '../runbooks/engine/offline-evidence.ts';
import { analyzeInput, classifyInput, InputError, parseConfigFlags, recognisedLine, renderAnalyzeJson, type AnalyzeOutcome } from './analyze-input.ts';
import type { Report } from '../runbooks/engine/contract.ts';
import { collectEvidence } from '../jobs/collect/collect-evidence.ts';
import { ClientNodeCluster, loadKubeConfig } from '../jobs/kube/client-node-cluster.ts';
import { KubeApiError } from '../jobs/kube/kube-api-error.ts';
import { closestNames, nodeNotFoundText } from './node-directory.ts';
import type { ClusterReader } from '../jobs/kube/cluster-reader.ts';
import { InvalidCommandError } from './errors.ts';
import { NodeNameSchema, parseCiliumCommand, parseWhyDroppedArgs } from './command-grammar.ts';
import { parseHubbleEnv } from '../jobs/hubble/hubble-env.ts';
import { renderReportText } from './render/report-text.ts';
import { renderFleetText } from './render/fleet-text.ts';
import { runSweep } from '../jobs/fleet/sweep.ts';
import { analyzeSysdumpFile, isSysdumpPath } from './sysdump-cli.ts';
import { preflightCommand } from './preflight-cli.ts';

const USAGE = `Usage:
  cilium-runbook diagnose <node> [--kubeconfig PATH] [--context NAME] [--cluster NAME] [--json] [--evidence-out FILE]
  cilium-runbook diagnose --all [--kubeconfig PATH] [--context NAME] [--cluster NAME] [--json]   (whole cluster, grouped by root cause)
  cilium-runbook diagnose pod <ns>/<pod> [--kubeconfig PATH] [--context NAME] [--json]
                                                                        (one pod: its drops from Hubble Relay by
                                                                        direction and policy, its endpoint, its node's
                                                                        findings; exit 1 if the pod does not exist)
  cilium-runbook collect <node> [--kubeconfig PATH] [--context NAME]     (evidence JSON on stdout)
  cilium-runbook analyze <evidence.json|pasted.txt|-> [--json] [--cilium-version X] [--kernel K] [--config key=value]…
                                                                        (- reads standard input; text that is not an
                                                                        evidence document is analysed as pasted output)
  cilium-runbook analyze <cilium-sysdump-<ts>.zip> [--node NAME] [--json] (a cilium sysdump: all nodes by root cause, or one)
  cilium-runbook preflight --target 1.18.2 [--values values.yaml] [--kubeconfig PATH] [--context NAME] [--json]
                                                                        (what upgrading to the target would break; exit 3 if anything)
  cilium-runbook why-dropped <ns>/<src> <ns>/<dst>[:port] [--since MINUTES] [--json] [--kubeconfig PATH] [--context NAME]
                                                                        (drops between two pods from Hubble Relay:
                                                                        HUBBLE_RELAY_ADDR, else the hubble-relay Service)
Exit codes: 0 no critical finding, 3 a critical finding, 2 bad input, 1 failure.`;

const MAX_EVIDENCE_BYTES = 256 * 1024 * 1024;

function fail(message: string, code = 2): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

type Values = { kubeconfig?: string; context?: string; cluster?: string; json?: boolean; all?: boolean; 'evidence-out'?: string; 'cilium-version'?: string; kernel?: string; config?: string[] };

function readerFor(values: Values): ClientNodeCluster {
  const kubeconfigPath = values.kubeconfig ?? process.env.KUBECONFIG;
  const kc = loadKubeConfig({ ...(kubeconfigPath !== undefined && { kubeconfigPath }), ...(values.context !== undefined && { context: values.context }) });
  return new ClientNodeCluster(values.cluster ?? kc.getCurrentContext(), kc);
}

/** What the collectors read per fact; CILIUM_NAMESPACE limits the search for the agents as it does for the bot. */
function collectOptions() {
  const ns = process.env.CILIUM_NAMESPACE;
  // HUBBLE_RELAY_ADDR set: the node report also reads the node's recent drops from Hubble Relay.
  const hubble = parseHubbleEnv(process.env);
  if (hubble.problems.length > 0) fail(hubble.problems.join('\n'));
  return { deadlineMs: 15_000, tailLines: 2000, limitBytes: 2 * 1024 * 1024, ...(ns !== undefined && ns !== '' && { ciliumNamespace: ns }), ...(hubble.config !== null && { hubbleFlows: hubble.config }) };
}

/** `diagnose --all`: the fleet sweep, progress on stderr, the report (text or JSON) on stdout. */
async function sweepCluster(values: Values): Promise<void> {
  const report = await runSweep(readerFor(values), {
    collect: collectOptions(),
    onProgress: (p) => {
      if (process.stderr.isTTY) process.stderr.write(`\r${p.checked}/${p.total} nodes checked, ${p.deepDone}/${p.deepTotal} collected in depth…`);
    },
  });
  if (process.stderr.isTTY) process.stderr.write('\n');
  process.stdout.write(`${values.json === true ? JSON.stringify(report, null, 2) : renderFleetText(report)}\n`);
  process.exitCode = report.groups.some((g) => g.severity === 'critical') ? 3 : 0;
}

/** The refusal for a node the cluster does not have, with the closest names (a failed list costs the hint only). */
async function nodeNotFound(reader: ClusterReader, node: string): Promise<string> {
  const names = await reader.listNodes().then((nodes) => nodes.map((n) => n.metadata?.name ?? '').filter((n) => n !== ''), () => []);
  return nodeNotFoundText(node, reader.cluster, closestNames(node, names), '`kubectl get nodes` lists them; run the command again with one of those names.');
}

async function collectFromCluster(target: string | undefined, values: Values) {
  const node = NodeNameSchema.safeParse(target);
  if (!node.success) fail(`${target === undefined ? 'a node name is required' : `"${target}" is not a node name: ${node.error.issues[0]?.message ?? ''}`}\n${USAGE}`);
  const reader = readerFor(values);
  try {
    await reader.getNode(node.data);
  } catch (e) {
    if (e instanceof KubeApiError && e.status === 404) fail(await nodeNotFound(reader, node.data), 1);
    throw e;
  }
  return collectEvidence(reader, node.data, collectOptions());
}

function readInput(target: string | undefined): Buffer {
  if (target === undefined) fail(`analyze needs an evidence file, a file of pasted output, or - for standard input\n${USAGE}`);
  if (target === '-') return readFileSync(0);
  let size: number;
  try {
    size = statSync(target).size;
  } catch {
    fail(`cannot read ${target}: no such file`);
  }
  if (size > MAX_EVIDENCE_BYTES) fail(`${target} is ${size} bytes; evidence files over ${MAX_EVIDENCE_BYTES} bytes are refused`);
  return readFileSync(target);
}

/** `analyze`: an evidence document or pasted text (bot/analyze-input.ts), the report and what was recognised. */
function analyzeTarget(target: string | undefined, values: Values): void {
  const bytes = readInput(target);
  const name = target === '-' || target === undefined ? 'standard input' : target;
  let outcome: AnalyzeOutcome;
  try {
    const config = values.config === undefined || values.config.length === 0 ? undefined : parseConfigFlags(values.config);
    const facts = {
      ...(values['cilium-version'] === undefined ? {} : { ciliumVersion: values['cilium-version'].replace(/^v/, '') }),
      ...(values.kernel === undefined ? {} : { kernel: values.kernel }),
      ...(config === undefined ? {} : { config }),
    };
    outcome = analyzeInput(classifyInput(bytes, name), facts);
  } catch (e) {
    if (e instanceof InputError) fail(e.message);
    if (e instanceof EvidenceParseError) fail(`${name}: invalid evidence\n  ${e.issues.slice(0, 20).map((i) => `${i.path}: ${i.message}`).join('\n  ')}`);
    throw e;
  }
  const { report, parts } = outcome;
  if (values.json === true) {
    process.stdout.write(`${renderAnalyzeJson(outcome)}\n`);
    process.exitCode = report.findings.some((f) => f.severity === 'critical') ? 3 : 0;
    return;
  }
  if (parts !== null) process.stdout.write(`${recognisedLine(parts)}\n\n`);
  print(report, false, 'findings');
}

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      kubeconfig: { type: 'string' },
      context: { type: 'string' },
      cluster: { type: 'string' },
      json: { type: 'boolean', default: false },
      all: { type: 'boolean', default: false },
      'evidence-out': { type: 'string' },
      node: { type: 'string' },
      'cilium-version': { type: 'string' },
      kernel: { type: 'string' },
      config: { type: 'string', multiple: true },
      target: { type: 'string' },
      values: { type: 'string' },
      since: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, target, ...rest] = positionals;
  if (values.help || command === undefined) fail(USAGE, values.help ? 0 : 2);
  if (command === 'why-dropped') {
    let args;
    try {
      args = parseWhyDroppedArgs(positionals.slice(1));
    } catch (e) {
      if (e instanceof InvalidCommandError) fail(`${e.problem.replace(/`/g, '')}\n${USAGE}`);
      throw e;
    }
    const since = values.since === undefined ? 15 : Number(values.since.replace(/m$/, ''));
    if (!Number.isFinite(since) || since <= 0 || since > 24 * 60) fail(`--since takes minutes between 1 and 1440 (e.g. --since 30), not "${values.since ?? ''}"`);
    const { whyDroppedCli } = await import('./why-dropped-cli.ts');
    const out = await whyDroppedCli(args, { sinceMinutes: since, json: values.json, readServices: () => readerFor(values).listServices() });
    process.stdout.write(`${out.text}\n`);
    process.exitCode = out.exitCode;
    return;
  }
  if (command === 'diagnose' && target === 'pod' && rest.length > 0) {
    let args;
    try {
      args = parseCiliumCommand(`diagnose ${positionals.slice(1).join(' ')}`);
    } catch (e) {
      if (e instanceof InvalidCommandError) fail(`${e.problem.replace(/`/g, '')}\n${USAGE}`);
      throw e;
    }
    if (args.kind !== 'diagnose-pod') fail(USAGE);
    const { diagnosePodCli } = await import('./diagnose-pod-cli.ts');
    const out = await diagnosePodCli(args.pod, { reader: readerFor(values), collect: collectOptions(), json: values.json });
    if (out.stdout !== '') process.stdout.write(`${out.stdout}\n`);
    if (out.stderr !== '') process.stderr.write(`${out.stderr}\n`);
    process.exitCode = out.exitCode;
    return;
  }
  if (rest.length > 0) fail(`unexpected arguments: ${rest.join(' ')}\n${USAGE}`);
  switch (command) {
    case 'diagnose': {
      if (values.all) {
        if (target !== undefined) fail(`diagnose --all sweeps every node: leave out "${target}"\n${USAGE}`);
        await sweepCluster(values);
        return;
      }
      const evidence = await collectFromCluster(target, values);
      if (values['evidence-out'] !== undefined) writeFileSync(values['evidence-out'], JSON.stringify(evidence, null, 2));
      print(analyze(evidence), values.json, 'report');
      return;
    }
    case 'collect': {
      // Collectors never read Secrets; quoted logs are what the agent printed (redact before sharing outside).
      process.stdout.write(`${JSON.stringify(await collectFromCluster(target, values), null, 2)}\n`);
      return;
    }
    case 'analyze': {
      if (isSysdumpPath(target)) {
        const out = await analyzeSysdumpFile(target ?? '', { json: values.json, ...(values.node !== undefined && { node: values.node }) });
        process.stdout.write(out.stdout);
        process.stderr.write(out.stderr);
        process.exitCode = out.exitCode;
        return;
      }
      if (values.node !== undefined) fail(`--node picks a node of a sysdump archive (a .zip); an evidence file holds one node already\n${USAGE}`);
      analyzeTarget(target, values);
      return;
    }
    case 'preflight': {
      if (target !== undefined) fail(`preflight takes --target <version>, not "${target}"\n${USAGE}`);
      const out = await preflightCommand(values, () => readerFor(values), process.env.CILIUM_NAMESPACE);
      process.stdout.write(out.stdout);
      if (out.stderr !== '') process.stderr.write(out.stderr);
      process.exitCode = out.exitCode;
      return;
    }
    default:
      fail(`unknown command "${command}"\n${USAGE}`);
  }
}

/** `--json` prints the full report for `diagnose`, and the issue's findings document for `analyze`. */
function print(report: Report, json: boolean, shape: 'report' | 'findings'): void {
  const out = !json ? renderReportText(report) : shape === 'report' ? JSON.stringify(report, null, 2) : renderFindingsJson(report);
  process.stdout.write(`${out}\n`);
  process.exitCode = report.findings.some((f) => f.severity === 'critical') ? 3 : 0;
}

main(process.argv.slice(2)).catch((e: unknown) => fail(`cilium-runbook: ${e instanceof Error ? e.message : String(e)}`, 1));
