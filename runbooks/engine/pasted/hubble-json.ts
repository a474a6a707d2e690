// `hubble observe -o json` / `-o jsonpb` → Flow, through the same conversion as flows read from Relay
// (runbooks/engine/relay-flow-convert.ts flowFromRelay), so pasted JSON flows and Relay flows quote and group alike.
// Shapes, per cilium/hubble pkg/printer/printer_test.go (TestPrinter_WriteProtoFlow): `-o json` prints the bare flow,
// `-o jsonpb` wraps it as `{"flow":{…},"node_name":…,"time":…}` (a GetFlowsResponse); keys are the .proto names
// (`node_name`, `event_type`, `drop_reason_desc`, `traffic_direction`), times RFC 3339 strings, `is_reply` a bare
// boolean. Flows printed by protojson with JSON names (`trafficDirection`, `dropReasonDesc`, `podName`) are read too.
// A drop without `drop_reason_desc` names its reason by `drop_reason` or the drop event's sub_type (the printer test's
// `"event_type":{"type":1,"sub_type":133}` prints "Policy denied"); codes per cilium/cilium pkg/monitor/api/drop.go.
import { flowFromRelay } from '../relay-flow-convert.ts';
import type { RelayFlow } from '../relay-messages.ts';
import type { Flow } from '../evidence-flows.ts';

type Json = Record<string, unknown>;
const asRecord = (v: unknown): Json | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined);

/** MessageTypeDrop in pkg/monitor/api/types.go: a drop event's sub_type is its drop reason. */
const DROP_EVENT = 1;
/** Drop reason codes a diagnosis meets (pkg/monitor/api/drop.go errors map → flow.proto DropReason names). */
const DROP_CODES: Record<number, string> = {
  132: 'INVALID_SOURCE_IP',
  133: 'POLICY_DENIED',
  137: 'CT_MAP_INSERTION_FAILED',
  158: 'SERVICE_BACKEND_NOT_FOUND',
  169: 'FIB_LOOKUP_FAILED',
  181: 'POLICY_DENY',
  189: 'AUTH_REQUIRED',
};

const snake = (k: string): string => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
/** Keys whose protojson JSON name differs from the proto name and whose case is kept (`IP`, `TCP`, `Summary`, `ID`). */
const KEEP = /^(IP|TCP|UDP|SCTP|ICMPv4|ICMPv6|Summary|Type|ID|SYN|ACK|FIN|RST|PSH|URG|ECE|CWR|NS)$/;

/** camelCase JSON names → proto names, recursively (labels and other string arrays are left alone). */
function protoNames(v: unknown, depth = 0): unknown {
  if (depth > 8) return v;
  if (Array.isArray(v)) return v.map((x) => protoNames(x, depth + 1));
  const o = asRecord(v);
  if (o === undefined) return v;
  const out: Json = {};
  for (const [k, x] of Object.entries(o)) out[KEEP.test(k) ? k : snake(k)] = protoNames(x, depth + 1);
  return out;
}

/** The flow object of a pasted JSON value (`{"flow":…}` or a bare flow), or null when it is not one. */
export function flowObject(v: unknown): Json | null {
  const o = asRecord(v);
  if (o === undefined) return null;
  const inner = asRecord(o.flow);
  if (inner !== undefined) return typeof inner.verdict === 'string' ? inner : null;
  return typeof o.verdict === 'string' && ('source' in o || 'IP' in o || 'l4' in o || 'Type' in o || 'event_type' in o || 'eventType' in o) ? o : null;
}

export function isHubbleJsonFlow(v: unknown): boolean {
  return flowObject(v) !== null;
}

function timestamp(v: unknown): { seconds: number; nanos: number } | undefined {
  if (typeof v !== 'string') return undefined;
  const ms = Date.parse(v);
  if (!Number.isFinite(ms)) return undefined;
  const frac = /\.(\d{1,9})/.exec(v)?.[1] ?? '';
  return { seconds: Math.floor(ms / 1000), nanos: Number(frac.padEnd(9, '0')) };
}

/** A pasted JSON flow → Flow, or null when `v` is not a flow. */
export function flowFromHubbleJson(v: unknown): Flow | null {
  const raw = flowObject(v);
  if (raw === null) return null;
  const f = protoNames(raw) as Json;
  const wrapperNode = typeof asRecord(v)?.node_name === 'string' ? String(asRecord(v)?.node_name) : '';
  const eventType = asRecord(f.event_type);
  const dropCode = typeof f.drop_reason === 'number' ? f.drop_reason
    : eventType?.type === DROP_EVENT && typeof eventType.sub_type === 'number' ? eventType.sub_type : undefined;
  const isReply = f.is_reply;
  const relay = {
    ...f,
    time: timestamp(f.time),
    is_reply: typeof isReply === 'boolean' ? { value: isReply } : asRecord(isReply),
    drop_reason_desc: f.drop_reason_desc ?? (f.verdict === 'DROPPED' && dropCode !== undefined ? DROP_CODES[dropCode] ?? dropCode : undefined),
  } as RelayFlow;
  return flowFromRelay(relay, typeof f.node_name === 'string' ? f.node_name : wrapperNode);
}
