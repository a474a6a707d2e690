// Whose Go panic a log holds, read from its stack: Cilium's agent, Cilium's operator, or another program. A pasted
// log can carry an operator panic (operator/… frames) or another CNI's (antrea-io/antrea#877) beside the agent's
// lines; the crash-loop fallback must not report either as the agent exiting.
import type { Evidence } from './evidence.ts';
import { findAgentLines, type LogQuery } from './agent-logs.ts';

/** Stack lines that name a Go module: frames (`github.com/…/pkg.f(…)`) and their files (`/go/pkg/mod/k8s.io/…go:74`). */
const STACK_MODULE_LINES: LogQuery = { text: [/github\.com\/[\w.-]+\/|\/go\/pkg\/mod\//] };
const CILIUM_TREE = /github\.com\/cilium\/(?:cilium|hive|ebpf|statedb)\//;
/** The operator's own packages (`github.com/cilium/cilium/operator/…`); the agent's never import them. */
const OPERATOR_TREE = /github\.com\/cilium\/cilium\/operator\//;
const OTHER_MODULE = /github\.com\/(?!cilium\/)[\w.-]+\/|\/go\/pkg\/mod\//;

export type PanicOrigin = 'cilium-agent' | 'cilium-operator' | 'other';

/**
 * The program whose stack the log holds; null when it names no module (no stack, or runtime frames only, which
 * stay the agent's to judge). Operator frames win over shared Cilium packages (pkg/controller, hive) in the same stack.
 */
export function panicOrigin(e: Evidence): PanicOrigin | null {
  const lines = findAgentLines(e, STACK_MODULE_LINES, 200).map((l) => l.line.raw);
  if (lines.some((l) => OPERATOR_TREE.test(l))) return 'cilium-operator';
  if (lines.some((l) => CILIUM_TREE.test(l))) return 'cilium-agent';
  return lines.some((l) => OTHER_MODULE.test(l)) ? 'other' : null;
}
