// The agent's effective options as it logs them at startup, for when the cilium-config ConfigMap cannot be read:
// option.LogRegisteredOptions prints every option bound to viper, sorted, one line each, as `  --<key>='<value>'`
// (pkg/option/config.go: `entry.Infof("  --%s='%s'", k, …)`; string slices joined with ",", maps as `k=v`), e.g.
// `level=info msg="  --kube-proxy-replacement='partial'" subsys=daemon` (cilium/cilium#16492). The keys are
// cilium-config's. Read from msg, so any log format works (the 1.18 slog form was not verified: if it prints the
// same text, it is read too). Unlike the ConfigMap, the dump lists defaults as well as what was set.
import { iterateLines, parseLogLine } from './log-parser.ts';

const FLAG_LINE = /^\s*--([a-z0-9][a-z0-9.-]*)='(.*)'$/s;

/** The operator prints its own options the same way (`subsys=cilium-operator-generic`, kubernetes-sigs/cluster-api#8984). */
const OPERATOR_SUBSYS = /^cilium-operator/;

/**
 * `--key='value'` lines of an agent log as a config map (`kube-proxy-replacement` → `true`). A key logged twice
 * (a log holding two starts) keeps the later value. Empty when the log holds no dump (it is printed once, at start:
 * a tail of a long-running agent's log usually lacks it).
 */
export function agentFlagsFromLogs(text: string): Record<string, string> {
  const flags: Record<string, string> = {};
  for (const { lineNumber, raw } of iterateLines(text)) {
    if (!raw.includes("='")) continue; // cheap: every dump line has it
    const line = parseLogLine(raw, lineNumber);
    if (line.subsys !== null && OPERATOR_SUBSYS.test(line.subsys)) continue;
    const m = FLAG_LINE.exec(line.msg ?? '');
    if (m?.[1] !== undefined) flags[m[1]] = m[2] ?? '';
  }
  return flags;
}
