// `cilium-runbook`: the same collection and runbooks without Slack, for the engineer at a terminal.
//   cilium-runbook diagnose <node> [--kubeconfig PATH] [--context C] [--cluster NAME] [--json] [--evidence-out FILE]
//   cilium-runbook analyze <evidence.json> [--json]
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { analyze } from '../runbooks/analyze.ts';
import { parseEvidence, EvidenceParseError } from '../runbooks/evidence.ts';
import { collectEvidence } from '../jobs/collect/collect-evidence.ts';
import { ClientNodeCluster, loadKubeConfig } from '../jobs/kube/client-node-cluster.ts';
import { NodeNameSchema } from './command-grammar.ts';
import { renderReportText } from './render/report-text.ts';

const USAGE = `Usage:
  cilium-runbook diagnose <node> [--kubeconfig PATH] [--context NAME] [--cluster NAME] [--json] [--evidence-out FILE]
  cilium-runbook analyze <evidence.json> [--json]`;

const MAX_EVIDENCE_BYTES = 256 * 1024 * 1024;

function fail(message: string, code = 2): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
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
      'evidence-out': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, target, ...rest] = positionals;
  if (values.help || command === undefined) fail(USAGE, values.help ? 0 : 2);
  if (rest.length > 0) fail(`unexpected arguments: ${rest.join(' ')}\n${USAGE}`);
  if (command === 'diagnose') {
    const node = NodeNameSchema.safeParse(target);
    if (!node.success) fail(`${target === undefined ? 'a node name is required' : `"${target}" is not a node name: ${node.error.issues[0]?.message ?? ''}`}\n${USAGE}`);
    const kubeconfigPath = values.kubeconfig ?? process.env.KUBECONFIG;
    const kc = loadKubeConfig({ ...(kubeconfigPath !== undefined && { kubeconfigPath }), ...(values.context !== undefined && { context: values.context }) });
    const reader = new ClientNodeCluster(values.cluster ?? kc.getCurrentContext(), kc);
    const evidence = await collectEvidence(reader, node.data, { deadlineMs: 15_000, tailLines: 2000, limitBytes: 2 * 1024 * 1024 });
    if (!evidence.node.ok && evidence.node.reason === 'not-found') fail(`node "${node.data}" does not exist in ${reader.cluster}`, 1);
    if (values['evidence-out'] !== undefined) writeFileSync(values['evidence-out'], JSON.stringify(evidence, null, 2));
    print(analyze(evidence), values.json);
  } else if (command === 'analyze') {
    if (target === undefined) fail(`analyze needs an evidence file\n${USAGE}`);
    let size: number;
    try {
      size = statSync(target).size;
    } catch {
      fail(`cannot read ${target}: no such file`);
    }
    if (size > MAX_EVIDENCE_BYTES) fail(`${target} is ${size} bytes; evidence files over ${MAX_EVIDENCE_BYTES} bytes are refused`);
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(target, 'utf8'));
    } catch (e) {
      fail(`${target} is not JSON: ${e instanceof Error ? e.message : String(e)}`);
    }
    try {
      print(analyze(parseEvidence(json)), values.json);
    } catch (e) {
      if (e instanceof EvidenceParseError) fail(`${target}: ${e.issues.slice(0, 20).map((i) => `${i.path}: ${i.message}`).join('\n  ')}`);
      throw e;
    }
  } else {
    fail(`unknown command "${command}"\n${USAGE}`);
  }
}

function print(report: ReturnType<typeof analyze>, json: boolean): void {
  process.stdout.write(json ? `${JSON.stringify(report, null, 2)}\n` : `${renderReportText(report)}\n`);
  process.exitCode = report.findings.some((f) => f.severity === 'critical') ? 3 : 0;
}

main(process.argv.slice(2)).catch((e: unknown) => fail(`cilium-runbook: ${e instanceof Error ? e.message : String(e)}`, 1));
