// Scripted exec results: the first entry (most recently added first) whose pod/container/command matches.
import { randomBytes } from 'node:crypto';
import type { ExecResult } from '../scenario/schema.ts';

export interface ExecOutcome {
  stdout: string;
  stderr: string;
  exitCode: number;
  /** A runtime failure reported as a Status (not an exit code), e.g. the binary does not exist. */
  failure?: { reason: string; code: number; message: string };
}

export class ExecResults {
  private readonly results: ExecResult[] = [];
  /** Recreated pod name → the pod it replaced, so scripted results keep applying after a restart. */
  private readonly aliases = new Map<string, string>();

  add(result: ExecResult): void {
    this.results.unshift(result);
  }

  alias(newPod: string, oldPod: string): void {
    this.aliases.set(newPod, this.aliases.get(oldPod) ?? oldPod);
  }

  /** The scripted result, else `fallback` (what the container's image would answer), else "not found". */
  run(namespace: string, pod: string, container: string, argv: string[], fallback?: () => ExecOutcome | undefined): ExecOutcome {
    const joined = argv.join(' ');
    const pods = [pod, this.aliases.get(pod)].filter((p): p is string => p !== undefined);
    const hit = this.results.find((r) => r.namespace === namespace && pods.includes(r.pod) && r.container === container
      && (r.command !== undefined ? r.command === joined : new RegExp(r.commandPattern ?? '^$').test(joined)));
    if (hit !== undefined) return { stdout: hit.stdout, stderr: hit.stderr, exitCode: hit.exitCode };
    return fallback?.() ?? notFound(argv);
  }
}

/** What a real container does for an unscripted command: the shell's 127, or runc's "executable file not found". */
function notFound(argv: string[]): ExecOutcome {
  const [argv0 = '', flag, script] = argv;
  if (/(^|\/)(ba)?sh$/.test(argv0) && flag === '-c' && script !== undefined) {
    const word = script.trim().split(/\s+/)[0] ?? script;
    return { stdout: '', stderr: `sh: 1: ${word}: not found\n`, exitCode: 127 };
  }
  const execId = randomBytes(32).toString('hex');
  return {
    stdout: '',
    stderr: '',
    exitCode: 126,
    failure: {
      reason: 'InternalError',
      code: 500,
      message: `Internal error occurred: error executing command in container: failed to exec in container: failed to start exec "${execId}": OCI runtime exec failed: exec failed: unable to start container process: exec: "${argv0}": executable file not found in $PATH: unknown`,
    },
  };
}
