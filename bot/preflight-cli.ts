// `cilium-runbook preflight`: argument checks, the values file, the run, the exit code (0 pass, 3 something would
// break, 2 bad input). Kept out of cli.ts so it is tested without a child process.
import { readFileSync } from 'node:fs';
import type { ClusterReader } from '../jobs/kube/cluster-reader.ts';
import { parseHelmValues, PreflightInputError, runPreflight, targetVersion } from '../jobs/preflight/run-preflight.ts';
import { renderPreflightText } from './render/preflight-text.ts';

export interface PreflightCliResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

function readValues(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new PreflightInputError(`cannot read the values file ${path}: ${code === 'ENOENT' ? 'no such file' : code ?? String(e)}`);
  }
  return parseHelmValues(text, path);
}

export async function preflightCommand(
  values: { target?: string; values?: string; json?: boolean },
  reader: () => ClusterReader,
  ciliumNamespace?: string,
): Promise<PreflightCliResult> {
  let target: string;
  let helm: Record<string, unknown> | undefined;
  try {
    target = targetVersion(values.target);
    helm = values.values === undefined ? undefined : readValues(values.values);
  } catch (e) {
    if (e instanceof PreflightInputError) return { stdout: '', stderr: `${e.message}\n`, exitCode: 2 };
    throw e;
  }
  const report = await runPreflight(reader(), { target, ...(helm !== undefined && { values: helm }), ...(ciliumNamespace !== undefined && ciliumNamespace !== '' && { ciliumNamespace }) });
  return {
    stdout: `${values.json === true ? JSON.stringify(report, null, 2) : renderPreflightText(report)}\n`,
    stderr: '',
    exitCode: report.verdict === 'fail' ? 3 : 0,
  };
}
