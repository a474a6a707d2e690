// `log-adversarial`: one diagnosis's analysis (runbooks/engine/analyze.ts, every runbook) of 2 MiB of crafted
// agent logs against the same of 2 MiB of ordinary ones. Crafted: one log per runbook-pattern literal, ~65 KB lines
// of it repeated; the worst is reported. Target: worst crafted ≤ 3 × ordinary (it was ~1,500 × : 227 s).
import { analyze } from '../runbooks/engine/analyze.ts';
import { parseEvidence, type EvidenceInput } from '../runbooks/engine/evidence.ts';
import { craftedLogs, LOG_BYTES, ordinaryLog } from './log-match/adversarial.ts';
import { runbookLogPatterns } from './log-match/patterns.ts';
import { fmtMB, fmtMs, median } from './lib/stats.ts';
import type { BenchOutcome } from './lib/result.ts';

const TARGET_RATIO = 3;

/** A crash-looping 1.6 node (so every runbook, the version advisories included, reads the logs) with this log. */
function evidence(text: string) {
  const input: EvidenceInput = {
    schemaVersion: 1, cluster: 'bench', nodeName: 'node-1', collectedAt: '2026-12-03T10:00:00Z',
    node: { ok: true, value: { name: 'node-1', kernelVersion: '5.0.0-31-generic', osImage: 'Ubuntu 18.04.3 LTS', containerRuntimeVersion: 'containerd://1.7.13', kubeletVersion: 'v1.29.4', architecture: 'amd64', labels: {}, pool: 'workers', taints: [], unschedulable: false, internalIP: '10.0.1.7', conditions: [] } },
    cilium: { ok: true, value: { version: '1.6.0', image: 'quay.io/cilium/cilium:v1.6.0' } },
    agentPod: { ok: true, value: { name: 'cilium-x', namespace: 'kube-system', phase: 'Running', ready: false, restartCount: 12, containers: ['cilium-agent'], startedAt: '2026-12-03T09:00:00Z' } },
    agentLogs: { ok: true, value: { current: { text, truncated: true, lines: text.split('\n').length - 1 }, previous: null } },
  };
  return parseEvidence(input);
}

/** CPU ms of one analysis, median of `runs` (CPU time: the machine is shared; wall time is what others do). */
function cpuMs(text: string, runs: number): number {
  return median(Array.from({ length: runs }, () => {
    const e = evidence(text); // new chunk objects: no line parsed by an earlier run is reused
    const before = process.cpuUsage();
    analyze(e);
    const d = process.cpuUsage(before);
    return (d.user + d.system) / 1000;
  }));
}

export function benchLogAdversarial(): Promise<BenchOutcome> {
  return Promise.resolve(run());
}

function run(): BenchOutcome {
  const patterns = runbookLogPatterns().map((p) => new RegExp(p.source, p.flags));
  const ordinary = ordinaryLog();
  cpuMs(ordinary, 2); // warm-up: JIT and the runbooks' first use
  const ordinaryMs = cpuMs(ordinary, 5);
  const crafted = craftedLogs(patterns).map((c) => ({ ...c, ms: cpuMs(c.text, 1) }));
  // The three worst again, median of 3, so a descheduled run is not taken for the matcher.
  const worst = crafted.sort((a, b) => b.ms - a.ms).slice(0, 3).map((c) => ({ ...c, ms: cpuMs(c.text, 3) })).sort((a, b) => b.ms - a.ms)[0];
  if (worst === undefined) throw new Error('no crafted log: the runbook patterns hold no literal');
  const ratio = worst.ms / ordinaryMs;
  return {
    rows: [{
      bench: 'log-adversarial', what: `one diagnosis's analysis of ${fmtMB(LOG_BYTES)} of crafted agent logs (~65 KB lines of one runbook phrase; worst of ${crafted.length} logs) vs ${fmtMB(LOG_BYTES)} of ordinary ones`,
      figure: `${fmtMs(worst.ms)} CPU (worst: ${worst.label})`, target: `≤ ${TARGET_RATIO} × ordinary`,
      reference: `ordinary 2 MiB (log-match corpus): ${fmtMs(ordinaryMs)} CPU`, ratio: `${ratio.toFixed(2)} ×`, pass: ratio <= TARGET_RATIO,
    }],
    notes: [
      `Crafted logs: for each required literal of the ${patterns.length} runbook patterns (runbooks/engine/log-literals.ts), 2 MiB of logfmt error lines of ~65 KB holding that literal repeated, after the pattern's other literals once, so each line is a candidate that is decoded, parsed and tested. In-process analyze() on a crash-looping Cilium 1.6.0 node (every runbook reads the logs), CPU time, median of 5 (ordinary) and of 3 (the three worst crafted).`,
      `Before the linear-scan fix the scan looked for an anchor's other literals again at each occurrence on a line, and 11 runbook regexes (A.*B) retried from each A: the reproduction (32 lines of "Unable to create map." × 3,000) took 227 s wall for one diagnosis on this machine.`,
    ],
    data: { ordinaryMs, crafted: crafted.map(({ label, ms }) => ({ label, ms })), worst: { label: worst.label, ms: worst.ms }, ratio },
  };
}
