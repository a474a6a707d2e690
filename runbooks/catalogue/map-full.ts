// map-full: CT/NAT/LB/policy BPF maps at capacity. Fact sheet §2.4: `the map is full, please consider resizing it.
// argument list too long` (pkg/bpf) on cilium_lb4_backends_v2 (#28726) and cilium_policy_NNNNN (#19279, #28337; older
// `Failed to add PolicyMap key … argument list too long`, #8060); CT GC `Garbage collection on ipv4 TCP CT map failed to
// finish` is routine once (a healthy agent prints it) and only repeated is it pressure; limits: bpf-policy-map-max
// default 16384 (PR #8071), hard cap 1<<24 (#44635); high-cardinality identities → limit identity labels (#32399);
// 1.17–1.19 may swallow policymap overflow at startup (#45788). ENOMEM on update is memory, not "full" (#31701).
// Older agents print the update's errno without the hint: `Unable to update element for map with file descriptor 15:
// argument list too long` (pkg/bpf UpdateElement before the hint), under `Error while inserting service in LB map`
// (#12815, #15864: maintainer aanm, "the BPF LB map is full"); the LB code's own E2BIG text is `Unable to update
// element for LB bpf map: You can resize it with the flag "--bpf-lb-map-max"` (pkg/service). E2BIG is how a full hash
// map refuses an insert; an LPM trie (cilium_ipcache) says ENOSPC, `no space left on device`. The 2018 agents printed
// the bare `Unable to update element: argument list too long` (`Update of l4 policy map failed`, #3314: tgraf, the
// policy map reached POLICY_MAP_SIZE). Only an update that
// failed with one of these is "full": a line that merely names a map or the LB subsystem is not.
import type { EvidenceQuote, Finding, Runbook } from '../engine/contract.ts';
import type { Evidence } from '../engine/evidence.ts';
import { computeBlastRadius } from '../engine/blast-radius.ts';
import { findAgentLines, lineText, quoteLogLine, type LogQuery, type SourcedLine } from '../engine/agent-logs.ts';
import { renderHelmValues, type HelmValuePaths } from '../engine/helm-values.ts';
import { ciliumDoc, configValue, restartAgent } from '../engine/runbook-kit.ts';
import { agentCli, helmUpgrade, rolloutRestart } from '../engine/install-commands.ts';

const ID = 'map-full';
const FULL = /the map is full|Failed to add PolicyMap key(?:(?!Failed to add PolicyMap key).)*argument list too long|Unable to update element for LB bpf map|Unable to update element for (?:[A-Za-z0-9_]+ )?map with file descriptor \d+: (?:argument list too long|no space left on device)|Unable to update element: (?:argument list too long|no space left on device)/i;
const CT_GC = /Garbage collection on (?:(?!Garbage collection on (?!CT map failed to finish)).)* CT map failed to finish/i;
const FULL_LINES: LogQuery = { text: [FULL] };
const CT_GC_LINES: LogQuery = { text: [CT_GC] };
const CT_INSERT_DROP = /\bMap insertion failed\b/i;
/**
 * The same drop as `cilium-dbg monitor --type drop` prints it, pasted among log lines: `xx drop (CT: Map insertion
 * failed) …` (Documentation/operations/troubleshooting.rst, "Handling drop (CT: Map insertion failed)").
 */
const MONITOR_CT_DROP_LINES: LogQuery = { text: [/\bdrop \(CT: Map insertion failed\)/] };
/** Repeated CT GC misses before they count as pressure (one is routine on a healthy agent). */
const CT_GC_THRESHOLD = 5;

type MapKind = 'policy' | 'lb' | 'ct' | 'nat' | 'other';

interface KindInfo { label: string; key: string; helm: string; default: number }
const KINDS: Record<Exclude<MapKind, 'other'>, KindInfo> = {
  policy: { label: 'policy map', key: 'bpf-policy-map-max', helm: 'bpf.policyMapMax', default: 16384 },
  lb: { label: 'load-balancer map', key: 'bpf-lb-map-max', helm: 'bpf.lbMapMax', default: 65536 },
  ct: { label: 'connection-tracking map', key: 'bpf-ct-global-tcp-max', helm: 'bpf.ctTcpMax', default: 524288 },
  nat: { label: 'NAT map', key: 'bpf-nat-global-max', helm: 'bpf.natMax', default: 524288 },
};
const HARD_CAP = 16_777_216;

function kindOf(mapName: string | null, text: string): MapKind {
  const n = mapName ?? '';
  if (/cilium_policy/.test(n) || /PolicyMap/.test(text)) return 'policy';
  if (/cilium_lb/.test(n) || /LB bpf map|LB map|service entry/i.test(text)) return 'lb';
  if (/cilium_ct/.test(n) || CT_GC.test(text)) return 'ct';
  if (/cilium_snat|cilium_nat/.test(n)) return 'nat';
  return 'other';
}

export const mapFull: Runbook = {
  id: ID,
  title: 'BPF map full',
  severity: 'critical',
  rank: 45,
  needs: ['agentLogs'],
  match(e) {
    const full = findAgentLines(e, FULL_LINES, 20);
    const gc = findAgentLines(e, CT_GC_LINES, 50);
    const gcPressure = gc.length >= CT_GC_THRESHOLD;
    // The datapath's own verdict: a packet dropped because its CT entry could not be inserted (DropReason
    // CT_MAP_INSERTION_FAILED, "CT: Map insertion failed", api/v1/flow/flow.proto) means the CT map is full now.
    const ctDrops = e.flows.ok ? e.flows.value.flows.filter((f) => f.verdict === 'DROPPED' && CT_INSERT_DROP.test(f.reason)) : [];
    const monitorDrops = findAgentLines(e, MONITOR_CT_DROP_LINES, 20);
    if (full.length === 0 && !gcPressure && ctDrops.length === 0 && monitorDrops.length === 0) return null;
    const hits = full.map((s) => ({ s, map: /\b(cilium_[A-Za-z0-9_]+)/.exec(lineText(s.line))?.[1] ?? null }));
    const kinds = new Set<MapKind>(hits.map((h) => kindOf(h.map, lineText(h.s.line))));
    if (gcPressure || ctDrops.length > 0 || monitorDrops.length > 0) kinds.add('ct');
    const maps = [...new Set(hits.map((h) => h.map).filter((m): m is string => m !== null))];
    // A full policy map means policy cannot be enforced as written: traffic is dropped. LB/CT/NAT degrade first.
    const critical = kinds.has('policy');
    const evidence: EvidenceQuote[] = [...hits.slice(0, 4).map((h) => quoteLogLine(h.s.source, h.s.line))];
    if (gcPressure) {
      const last: SourcedLine | undefined = gc[gc.length - 1];
      if (last !== undefined) evidence.push(quoteLogLine(last.source, last.line));
      evidence.push({ kind: 'fact', text: `${gc.length} CT garbage-collection runs failed to finish in the collected logs (threshold ${CT_GC_THRESHOLD})`, source: 'cilium-agent logs' });
    }
    evidence.push(...monitorDrops.slice(-2).map((l) => quoteLogLine(l.source, l.line)));
    const drop = ctDrops[ctDrops.length - 1];
    if (drop !== undefined) evidence.push({ kind: 'log', text: drop.raw, source: `Hubble flows (${ctDrops.length} dropped with "${drop.reason}")` });
    const sizing = resize(e, kinds);
    if (sizing.current.length > 0) evidence.push({ kind: 'fact', text: `current sizing: ${sizing.current.join(', ')}`, source: 'cilium-config ConfigMap' });
    const names = [...kinds].filter((k): k is Exclude<MapKind, 'other'> => k !== 'other').map((k) => KINDS[k].label);

    return {
      runbookId: ID,
      title: `BPF ${names.join(', ') || 'map'} full${maps.length > 0 ? ` (${maps.slice(0, 3).join(', ')})` : ''}`,
      severity: critical ? 'critical' : 'warning',
      summary: `The cilium-agent on ${e.nodeName} ${full.length > 0 ? `cannot insert into ${maps[0] ?? 'a BPF map'}: the map is full` : ctDrops.length + monitorDrops.length > 0 ? `drops packets because the connection-tracking map is full (${ctDrops.length + monitorDrops.length} drops with "CT: Map insertion failed")` : 'keeps failing to finish connection-tracking garbage collection'}` +
        (critical ? ', so policy for some endpoints cannot be applied and their traffic is dropped.' : ', so new connections or service backends may be dropped (CT: Map insertion failed).'),
      evidence,
      blastRadius: computeBlastRadius(e),
      fixSteps: [
        {
          title: 'See how full the maps are',
          detail: 'Compare entries with the configured maximum; for policy maps, count identities (high-cardinality labels inflate them, #32399).',
          commands: [
            agentCli(e, 'map list'),
            `${agentCli(e, 'bpf ct list global')} | wc -l`,
            'kubectl get ciliumidentities --no-headers | wc -l',
          ],
        },
        {
          title: 'Raise the limits (restarts the agents; maps are re-created)',
          detail: `Double what is full, staying under the hard cap of ${HARD_CAP} entries (#44635). Bigger maps cost kernel memory on every node.` +
            (kinds.has('policy') ? ' For policy maps also limit identity-relevant labels (labels.* / --labels) if identities explode.' : ''),
          commands: [helmUpgrade(e, 'cilium-map-sizes.yaml'), rolloutRestart(e)],
          helmValues: sizing.values,
        },
      ],
      docs: [ciliumDoc(e, 'eBPF maps (sizing)', 'network/ebpf/maps/'), ciliumDoc(e, 'Limiting identity-relevant labels', 'operations/performance/scalability/identity-relevant-labels/')],
      proposals: restartAgent(e, 'A restart re-creates maps with new limits once the config is changed; alone it only clears transient CT state.'),
      confidence: full.length > 0 || ctDrops.length > 0 || monitorDrops.length > 0 ? 'certain' : 'high',
      basis: 'explicit',
      explainsAgentCrash: false,
    } satisfies Finding;
  },
};

function resize(e: Evidence, kinds: Set<MapKind>): { values: string; current: string[] } {
  const set: HelmValuePaths = {};
  const current: string[] = [];
  for (const kind of kinds) {
    if (kind === 'other') continue;
    const info = KINDS[kind];
    const raw = configValue(e, info.key);
    if (raw !== null) current.push(`${info.key}=${raw}`);
    const now = raw === null || Number.isNaN(Number(raw)) ? info.default : Number(raw);
    set[info.helm] = Math.min(now * 2, HARD_CAP);
    if (kind === 'ct') set['bpf.ctAnyMax'] = Math.min(Math.max(Number(configValue(e, 'bpf-ct-global-any-max') ?? 262144) * 2, 1), HARD_CAP);
  }
  const ratio = configValue(e, 'bpf-map-dynamic-size-ratio');
  if (ratio !== null) current.push(`bpf-map-dynamic-size-ratio=${ratio}`);
  return { values: Object.keys(set).length > 0 ? renderHelmValues(set) : 'bpf:\n  mapDynamicSizeRatio: 0.005', current };
}
