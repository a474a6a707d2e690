// `cilium-runbook analyze cilium-sysdump-<ts>.zip [--node N] [--json]`: the runbooks on a `cilium sysdump` archive.
// Without --node, every node of the archive grouped by root cause (the sweep's report and renderer); with --node,
// that node's report (`--json`: the `{"findings": […]}` document `analyze` prints for evidence files).
import { readFileSync, statSync } from 'node:fs';
import { analyze } from '../runbooks/engine/analyze.ts';
import { renderFindingsJson } from '../runbooks/engine/offline-evidence.ts';
import { DEFAULT_LIMITS, SysdumpError } from '../jobs/sysdump/archive-errors.ts';
import { SysdumpArchive } from '../jobs/sysdump/sysdump-archive.ts';
import { evidenceFromSysdump, fleetReportFromSysdump, sysdumpNodes } from '../jobs/sysdump/sysdump-evidence.ts';
import { renderFleetText } from './render/fleet-text.ts';
import { renderReportText } from './render/report-text.ts';

export interface SysdumpCliOptions {
  node?: string;
  json: boolean;
}

export interface CliOutput {
  stdout: string;
  stderr: string;
  /** 0 no critical finding, 3 a critical finding, 2 a refused archive or an unknown node. */
  exitCode: number;
}

export function isSysdumpPath(target: string | undefined): boolean {
  return target !== undefined && target.toLowerCase().endsWith('.zip');
}

function refuse(message: string): CliOutput {
  return { stdout: '', stderr: `${message}\n`, exitCode: 2 };
}

/** The fleet text with the sweep's API-call line and drill-down command turned into the archive's. */
function fleetText(text: string, path: string, layout: string): string {
  const lines = text.split('\n');
  lines[1] = `read from ${path} (cilium-cli layout ${layout}); every node analysed`;
  return lines.join('\n').replace(/details: cilium-runbook diagnose (\S+)/g, (_, node: string) => `details: cilium-runbook analyze ${path} --node ${node}`);
}

export async function analyzeSysdumpFile(path: string, opts: SysdumpCliOptions): Promise<CliOutput> {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    return refuse(`cannot read ${path}: no such file`);
  }
  if (size > DEFAULT_LIMITS.maxArchiveBytes) return refuse(`${path} is ${size} bytes; sysdumps over ${DEFAULT_LIMITS.maxArchiveBytes} bytes are refused (take it with --node-list)`);
  let archive: SysdumpArchive;
  try {
    archive = SysdumpArchive.open(readFileSync(path), path);
  } catch (e) {
    if (e instanceof SysdumpError) return refuse(`${path}: ${e.problem} archive refused: ${e.message}`);
    throw e;
  }
  try {
    if (opts.node === undefined) {
      const report = await fleetReportFromSysdump(archive);
      const stdout = opts.json ? JSON.stringify(report, null, 2) : fleetText(renderFleetText(report), path, archive.layout.id);
      return { stdout: `${stdout}\n`, stderr: '', exitCode: report.groups.some((g) => g.severity === 'critical') ? 3 : 0 };
    }
    const nodes = await sysdumpNodes(archive);
    if (!nodes.includes(opts.node)) {
      return refuse(`node "${opts.node}" is not in ${path}; its nodes: ${nodes.slice(0, 200).join(', ')}${nodes.length > 200 ? `, … (${nodes.length} in all)` : ''}`);
    }
    const report = analyze(await evidenceFromSysdump(archive, opts.node));
    return {
      stdout: `${opts.json ? renderFindingsJson(report) : renderReportText(report)}\n`,
      stderr: '',
      exitCode: report.findings.some((f) => f.severity === 'critical') ? 3 : 0,
    };
  } catch (e) {
    // A part that is there but unreadable (bad YAML in a list every fact needs, a damaged bugtool archive).
    if (e instanceof SysdumpError) return refuse(`${path}: ${e.problem} archive refused: ${e.message}`);
    throw e;
  }
}
