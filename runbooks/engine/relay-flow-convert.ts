// A Relay flow (flow.proto) → the `flows` fact's Flow, with `raw` printed as `hubble observe` compact output
// (cilium/cilium hubble/pkg/printer/printer.go: `TIME [NODE]: SRC (ID:n) ARROW DST (ID:n) TYPE VERDICT (SUMMARY)`; a
// reply's src/dst are flipped back and its arrow is `<-`), so quotes read like what an engineer would see and the
// pasted-flow runbooks apply unchanged. HTTP summaries as the docs print them (observability/hubble/hubble-cli):
// `HTTP/1.1 PUT http://…/v1/exhaust-port` for a request, `HTTP/1.1 403 0ms (PUT http://…)` for a response.
import type { Flow } from './evidence-flows.ts';
import { fromTimestamp, type Endpoint, type PolicyRef, type RelayFlow } from './relay-messages.ts';

/** Drop reasons as the agent names them (pkg/monitor/api/drop.go errors map), for the ones a diagnosis meets. */
const DROP_TEXT: Record<string, string> = {
  POLICY_DENIED: 'Policy denied',
  POLICY_DENY: 'Policy denied by denylist',
  AUTH_REQUIRED: 'Authentication required',
  STALE_OR_UNROUTABLE_IP: 'Stale or unroutable IP',
  SERVICE_BACKEND_NOT_FOUND: 'Service backend not found',
  CT_MAP_INSERTION_FAILED: 'CT: Map insertion failed',
  INVALID_SOURCE_IP: 'Invalid source ip',
  UNKNOWN_CONNECTION_TRACKING_STATE: 'Unknown connection tracking state',
  NO_CONFIGURATION_AVAILABLE_TO_PERFORM_POLICY_DECISION: 'No configuration available to perform policy decision',
  FIB_LOOKUP_FAILED: 'FIB lookup failed',
  DROP_EP_NOT_READY: 'Endpoint policy program not available',
  DROP_HOST_NOT_READY: 'Host datapath not ready',
};

/** policy_match_type values (pkg/monitor/api/datapath_policy.go PolicyMatch*), as the printer names them. */
const MATCH_TYPE: Record<number, string> = { 0: 'none', 1: 'L3-Only', 2: 'L3-L4', 3: 'L4-Only', 4: 'all', 5: 'L3-Proto', 6: 'Proto-Only' };

/** MessageTypePolicyVerdict in pkg/monitor/api/types.go. */
const POLICY_VERDICT_EVENT = 5;

export function dropReasonText(desc: string | number | undefined): string {
  if (desc === undefined) return '';
  const key = String(desc);
  return DROP_TEXT[key] ?? key.toLowerCase().replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
}

function ports(f: RelayFlow): { protocol: string; src?: number; dst?: number } {
  const l4 = f.l4 ?? {};
  if (l4.TCP !== undefined) return { protocol: 'TCP', src: l4.TCP.source_port, dst: l4.TCP.destination_port };
  if (l4.UDP !== undefined) return { protocol: 'UDP', src: l4.UDP.source_port, dst: l4.UDP.destination_port };
  if (l4.SCTP !== undefined) return { protocol: 'SCTP', src: l4.SCTP.source_port, dst: l4.SCTP.destination_port };
  if (l4.ICMPv4 !== undefined) return { protocol: 'ICMPv4' };
  if (l4.ICMPv6 !== undefined) return { protocol: 'ICMPv6' };
  return { protocol: '' };
}

function endpointText(ep: Endpoint | undefined, ip: string | undefined, port: number | undefined): string {
  const host = ep?.pod_name !== undefined && ep.pod_name !== '' ? `${ep.namespace ?? ''}/${ep.pod_name}` : ip ?? '';
  const world = ep?.labels?.find((l) => l.startsWith('reserved:'));
  const name = host === '' && world !== undefined ? `(${world.slice('reserved:'.length)})` : host;
  const withPort = port === undefined || port === 0 ? name : `${name}:${port}`;
  return ep?.identity === undefined ? withPort : `${withPort} (ID:${ep.identity})`;
}

function l7Of(f: RelayFlow): Flow['l7'] {
  const l7 = f.l7;
  if (l7 === undefined) return undefined;
  const type = (l7.type ?? 'UNKNOWN_L7_TYPE').toLowerCase();
  if (l7.dns !== undefined) return { kind: 'dns', type, what: l7.dns.query ?? '', code: l7.dns.rcode ?? 0 };
  if (l7.http !== undefined) {
    const { method, url, protocol } = l7.http;
    return {
      kind: 'http', type, what: `${method ?? ''} ${url ?? ''}`.trim(), code: l7.http.code ?? 0,
      ...(method !== undefined && { method }), ...(url !== undefined && { url }), ...(protocol !== undefined && { protocol }),
    };
  }
  return undefined;
}

type DeniedBy = NonNullable<Flow['deniedBy']>;

function deniedByOf(f: RelayFlow): DeniedBy | undefined {
  const of = (direction: 'ingress' | 'egress', list: PolicyRef[] | undefined): DeniedBy => (list ?? []).map((p) => ({
    direction, name: p.name ?? '', labels: p.labels ?? [],
    ...(p.namespace !== undefined && p.namespace !== '' && { namespace: p.namespace }),
    ...(p.revision !== undefined && { revision: String(p.revision) }),
  }));
  const all = [...of('ingress', f.ingress_denied_by), ...of('egress', f.egress_denied_by)];
  return all.length === 0 ? undefined : all;
}

function summaryOf(f: RelayFlow, protocol: string, l7: Flow['l7']): string {
  if (l7 !== undefined) {
    if (l7.kind === 'dns') return `DNS ${l7.type === 'response' ? 'Answer' : 'Query'} ${l7.what}${l7.type === 'response' ? ` RCode: ${l7.code}` : ''}`;
    const proto = f.l7?.http?.protocol ?? 'HTTP/1.1';
    // Latency in whole milliseconds, as the printer's time.Duration.Milliseconds() truncates.
    const ms = Math.floor(Number(f.l7?.latency_ns ?? 0) / 1_000_000);
    return l7.type === 'response' ? `${proto} ${l7.code} ${ms}ms (${l7.what})` : `${proto} ${l7.what}`;
  }
  if (f.Summary !== undefined && f.Summary !== '') return f.Summary;
  const flags = f.l4?.TCP?.flags;
  if (flags !== undefined) return `TCP Flags: ${Object.entries(flags).filter(([, v]) => v).map(([k]) => k).join(', ')}`;
  return protocol;
}

function printedTime(d: Date | null): string {
  if (d === null) return '';
  const month = d.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' });
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${month} ${String(d.getUTCDate()).padStart(2, ' ')} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`;
}

export function flowFromRelay(f: RelayFlow, node: string): Flow {
  const { protocol, src, dst } = ports(f);
  const l7 = l7Of(f);
  const direction = f.traffic_direction === 'INGRESS' ? 'ingress' : f.traffic_direction === 'EGRESS' ? 'egress' : null;
  const isVerdictEvent = f.event_type?.type === POLICY_VERDICT_EVENT;
  // The printer shows policy-verdict drops as DENIED and names the event instead of the drop reason (cilium/hubble#745).
  const verdict = isVerdictEvent && f.verdict === 'DROPPED' ? 'DENIED' : f.verdict ?? 'VERDICT_UNKNOWN';
  const reason = isVerdictEvent
    ? `policy-verdict:${MATCH_TYPE[f.policy_match_type ?? 0] ?? String(f.policy_match_type)}`
    : l7 !== undefined ? `${l7.kind}-${l7.type}` : f.verdict === 'DROPPED' ? dropReasonText(f.drop_reason_desc) : 'to-endpoint';
  const summary = summaryOf(f, protocol, l7);
  const reply = f.is_reply?.value === true;
  const sourceText = endpointText(f.source, f.IP?.source, src);
  const destinationText = endpointText(f.destination, f.IP?.destination, dst);
  // The printer flips a reply's ends ("flip the arrow and src/dst for reply packets"): the initiator stays left.
  const [source, destination] = reply ? [destinationText, sourceText] : [sourceText, destinationText];
  const arrow = reply ? '<-' : f.is_reply?.value === false ? '->' : '<>';
  const [sourceLabels, destinationLabels] = reply ? [f.destination?.labels, f.source?.labels] : [f.source?.labels, f.destination?.labels];
  const port = reply ? src : dst;
  const deniedBy = deniedByOf(f);
  const time = fromTimestamp(f.time);
  const nodeName = node !== '' ? node : f.node_name ?? '';
  const prefix = time === null ? '' : `${printedTime(time)}${nodeName === '' ? '' : ` [${nodeName}]`}: `;
  const typeText = isVerdictEvent && direction !== null ? `${reason} ${direction.toUpperCase()}` : reason;
  return {
    verdict,
    reason,
    direction,
    source,
    destination,
    summary,
    raw: `${prefix}${source} ${arrow} ${destination} ${typeText} ${verdict} (${summary})`,
    ...(f.drop_reason_desc !== undefined && { dropReason: String(f.drop_reason_desc) }),
    ...(protocol !== '' && { protocol }),
    ...(port !== undefined && port !== 0 && { port }),
    ...(sourceLabels !== undefined && { sourceLabels }),
    ...(destinationLabels !== undefined && { destinationLabels }),
    ...(f.is_reply?.value !== undefined && { isReply: f.is_reply.value }),
    ...(deniedBy !== undefined && { deniedBy }),
    ...(f.policy_match_type !== undefined && { policyMatchType: f.policy_match_type }),
    ...(l7 !== undefined && { l7 }),
    ...(nodeName !== '' && { node: nodeName }),
    ...(time !== null && { time: time.toISOString() }),
  };
}
