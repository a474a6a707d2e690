// bpf-map-create-failed: the agent could not create a BPF map (map name, errno), quoted from its logs.
// Fact sheet §2.2: ≤1.13 `msg="Error while opening/creating BPF maps" error="Unable to create map
// /sys/fs/bpf/tc/globals/cilium_lxc: operation not permitted"` (#9402, #15510), per-endpoint
// `Unable to create map …/cilium_policy_01821` (PR #9657), `msg="Unable to initialize service maps"` (#33274);
// 1.14+ cilium/ebpf `initializing conntrack map cilium_ct_any4_global: creating map: map create: cannot allocate
// memory` (#30437, #44221); memlock hint `(MEMLOCK may be too low, consider rlimit.RemoveMemlock)` and
// `failed to set memlock rlimit` (talos#9494, PR #18640). §2.10: the folklore `msg="Failed to create BPF map" …
// type=LRU_HASH` line is not Cilium's and must not match, so matching keys on the real msg/error shapes only.
import type { EvidenceQuote, Finding, FixStep, Runbook } from '../engine/contract.ts';
import type { Evidence } from '../engine/evidence.ts';
import { computeBlastRadius } from '../engine/blast-radius.ts';
import { findAgentLines, isErrorOrWorse, quoteLogLine, type LogQuery, type SourcedLine } from '../engine/agent-logs.ts';
import type { LogLine } from '../engine/log-parser.ts';
import { agentLogsCommand, agentPodSelector, ciliumNamespace, deleteAgentPodCommands } from '../engine/install-commands.ts';
import { bpffsType } from '../engine/node-modules.ts';

const ID = 'bpf-map-create-failed';
const MAP_MSG = /error while opening\/creating BPF maps|unable to initialize service maps/i;
const MAP_ERR = /Unable to create map \/|creating map: |map create: (?:(?!map create: )[^(])*\(MEMLOCK may be too low/i;
const MEMLOCK_LINE = /failed to set memlock rlimit|MEMLOCK may be too low/i;

const ERRNOS: readonly (readonly [phrase: string, errno: string])[] = [
  ['operation not permitted', 'EPERM'], ['cannot allocate memory', 'ENOMEM'], ['invalid argument', 'EINVAL'],
  ['operation not supported', 'EOPNOTSUPP'], ['argument list too long', 'E2BIG'], ['permission denied', 'EACCES'],
  ['no space left on device', 'ENOSPC'], ['file exists', 'EEXIST'], ['no such file or directory', 'ENOENT'],
  ['device or resource busy', 'EBUSY'],
];

export const SIZING_KEYS = [
  'bpf-map-dynamic-size-ratio', 'bpf-ct-global-tcp-max', 'bpf-ct-global-any-max', 'bpf-nat-global-max',
  'bpf-neigh-global-max', 'bpf-policy-map-max', 'bpf-lb-map-max', 'preallocate-bpf-maps',
] as const;

export interface MapFailure {
  mapName: string | null;
  pinPath: string | null;
  errno: string | null;
  memlockHint: boolean;
  at: SourcedLine;
}

export function isMapCreateFailure(l: LogLine): boolean {
  return MAP_MSG.test(l.msg ?? '') || MAP_ERR.test(l.error ?? '') || (l.error === null && MAP_ERR.test(l.msg ?? ''));
}

/** isMapCreateFailure as a query: its patterns match msg or error, so they match msg + error too. */
export const MAP_CREATE_FAILURES: LogQuery = { text: [MAP_MSG, MAP_ERR], where: isMapCreateFailure };
const MEMLOCK_LINES: LogQuery = { text: [MEMLOCK_LINE] };

export function describeMapFailure(at: SourcedLine): MapFailure {
  const text = `${at.line.error ?? ''} ${at.line.msg ?? ''}`;
  const pinPath = /Unable to create map (\/\S+?):/.exec(text)?.[1] ?? null;
  const mapName = /\b(cilium_[A-Za-z0-9_]+)/.exec(text)?.[1] ?? null;
  const lower = text.toLowerCase();
  const errno = ERRNOS.find(([phrase]) => lower.includes(phrase))?.[1] ?? null;
  return { mapName, pinPath, errno, memlockHint: /MEMLOCK may be too low/.test(text), at };
}

export const bpfMapCreateFailed: Runbook = {
  id: ID,
  title: 'BPF map creation failed',
  severity: 'critical',
  rank: 22,
  needs: ['agentLogs'],
  match(e) {
    const failures = findAgentLines(e, MAP_CREATE_FAILURES, 20).map(describeMapFailure);
    const first = failures[0];
    if (first === undefined) return null;
    const memlock = findAgentLines(e, MEMLOCK_LINES, 2);
    const startup = failures.some((f) => isErrorOrWorse(f.at.line) && (MAP_MSG.test(f.at.line.msg ?? '') || f.at.line.level === 'fatal'));
    const errno = dominantErrno(failures);
    const cause = causeOf(errno, failures.some((f) => f.memlockHint) || memlock.length > 0);
    const maps = [...new Set(failures.map((f) => f.mapName).filter((m): m is string => m !== null))];
    const kernel = e.node.ok ? e.node.value.kernelVersion : null;
    const sameKernelMatters = errno === 'EPERM' || errno === 'EINVAL' || errno === 'EOPNOTSUPP';
    const blastRadius = computeBlastRadius(e, kernel !== null && sameKernelMatters
      ? { affects: (p) => p.kernelVersion === kernel, reason: `run the same kernel ${kernel} and may fail the same way` }
      : undefined);
    const evidence: EvidenceQuote[] = [
      ...failures.slice(0, 5).map((f) => quoteLogLine(f.at.source, f.at.line)),
      ...memlock.filter((m) => !failures.some((f) => f.at.line === m.line)).map((m) => quoteLogLine(m.source, m.line)),
    ];
    const sizing = sizingValues(e);
    if (sizing !== null) evidence.push({ kind: 'fact', text: sizing, source: 'cilium-config' });
    // The fix step for a refused bpf() asks whether /sys/fs/bpf is a bpffs: the node probe has read it.
    const bpffs = errno === 'EPERM' || errno === 'EACCES' ? bpffsType(e) : null;
    if (bpffs !== null) evidence.push({ kind: 'fact', text: bpffs === 'bpf_fs' ? 'the host\'s /sys/fs/bpf is a mounted bpffs' : `the host's /sys/fs/bpf is ${bpffs}, not a bpffs`, source: 'stat -f /sys/fs/bpf (node probe)' });

    return {
      runbookId: ID,
      title: `BPF map creation failed${maps.length > 0 ? ` (${maps.slice(0, 3).join(', ')})` : ''}${errno === null ? '' : `: ${errno}`}`,
      severity: startup ? 'critical' : 'warning',
      summary: `The cilium-agent on ${e.nodeName} could not create ${maps[0] === undefined ? 'its BPF maps' : `BPF map ${maps[0]}`}` +
        `${errno === null ? '' : ` (${errno})`}: ${cause.why}.`,
      evidence,
      blastRadius,
      fixSteps: [...cause.steps(e), verifyStep(e)],
      docs: [
        { title: 'Cilium system requirements', url: 'https://docs.cilium.io/en/stable/operations/system_requirements/' },
        { title: 'eBPF maps (sizing)', url: 'https://docs.cilium.io/en/stable/network/ebpf/maps/' },
      ],
      proposals: startup ? [{ action: 'cordon-node', params: { node: e.nodeName }, risk: 'low', reason: 'The agent cannot program the datapath; keep new pods off the node.' }] : [],
      confidence: errno === null ? 'high' : 'certain',
      basis: 'explicit',
      explainsAgentCrash: startup,
    } satisfies Finding;
  },
};

function dominantErrno(failures: MapFailure[]): string | null {
  const counts = new Map<string, number>();
  for (const f of failures) if (f.errno !== null) counts.set(f.errno, (counts.get(f.errno) ?? 0) + 1);
  let best: string | null = null;
  for (const [errno, n] of counts) if (best === null || n > (counts.get(best) ?? 0)) best = errno;
  return best;
}

function sizingValues(e: Evidence): string | null {
  if (!e.ciliumConfig.ok) return null;
  const cfg = e.ciliumConfig.value;
  const set = SIZING_KEYS.filter((k) => cfg[k] !== undefined).map((k) => `${k}=${cfg[k] ?? ''}`);
  return set.length === 0 ? null : `map sizing: ${set.join(', ')}`;
}

interface Cause {
  why: string;
  steps(e: Evidence): FixStep[];
}

function causeOf(errno: string | null, memlock: boolean): Cause {
  if (errno === 'EPERM' && memlock) {
    return {
      why: 'RLIMIT_MEMLOCK is too low for the map (kernels without memcg accounting for BPF charge maps to memlock)',
      steps: (e) => [{
        title: 'Let the agent raise or drop the memlock limit',
        detail: 'Cilium ≥1.12 calls rlimit.RemoveMemlock (PR #18640); it needs CAP_SYS_RESOURCE or a privileged agent. Check the agent securityContext and the container runtime’s default LimitMEMLOCK.',
        commands: [`kubectl -n ${ciliumNamespace(e)} get pod ${agentPodSelector(e)} -o jsonpath='{.items[0].spec.containers[0].securityContext}'`],
      }],
    };
  }
  if (errno === 'EPERM' || errno === 'EACCES') {
    return {
      why: 'the kernel refused the bpf() call — missing privileges, an LSM or lockdown policy, or a distro kernel bug',
      steps: (e) => [{
        title: 'Find what denies bpf() on the node',
        detail: 'Check that the agent runs privileged (or with CAP_SYS_ADMIN/CAP_BPF), that /sys/fs/bpf is a mounted bpffs, and look for SELinux/lockdown denials in the node logs. Ubuntu 5.0.0-31-generic had this bug; 5.2.4 fixed it (#9402).',
        commands: [
          `kubectl debug node/${e.nodeName} -it --image=busybox -- sh -c 'mount | grep bpf; cat /sys/kernel/security/lockdown; dmesg | grep -iE "avc|lockdown|bpf" | tail -20'`,
        ],
      }],
    };
  }
  if (errno === 'ENOMEM' || errno === 'E2BIG' || errno === 'ENOSPC') {
    return {
      why: 'the kernel could not allocate memory for the map (node memory, cgroup limits or oversized maps)',
      steps: (e) => [{
        title: 'Shrink the maps or give the node memory',
        detail: 'ENOMEM on map creation is in-kernel allocation or cgroup limits (#44221; an open regression on upgrades 1.18.6→1.19.0). Lower the explicit map sizes or the dynamic ratio, and check the node’s free memory.' +
          (sizingValues(e) === null ? '' : ` Current ${sizingValues(e) ?? ''}.`),
        helmValues: 'bpf:\n  mapDynamicSizeRatio: 0.0025\n  # remove explicit ctTcpMax / ctAnyMax / natMax / policyMapMax overrides',
        commands: [`kubectl describe node ${e.nodeName} | grep -A6 'Allocated resources'`],
      }],
    };
  }
  if (errno === 'EINVAL' || errno === 'EOPNOTSUPP') {
    return {
      why: 'this kernel does not support the map type or flags Cilium asked for',
      steps: () => [{
        title: 'Check the kernel against Cilium’s requirements',
        detail: 'Compare `uname -r` and the kernel config with the system requirements (CONFIG_BPF, CONFIG_BPF_SYSCALL, CONFIG_BPF_JIT …). A too-old kernel is reported by kernel-too-old.',
      }],
    };
  }
  return {
    why: 'the error does not name a known cause',
    steps: (e) => [{ title: 'Read the full error', detail: 'Collect the agent logs around the failure.', commands: [agentLogsCommand(e, true)] }],
  };
}

function verifyStep(e: Evidence): FixStep {
  return {
    title: 'Restart the agent and verify',
    detail: 'After the fix, restart the agent on the node and check that it becomes Ready.',
    commands: deleteAgentPodCommands(e),
  };
}
