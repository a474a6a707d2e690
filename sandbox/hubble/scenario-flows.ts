// Hubble flows of a sandbox scenario: `hubble observe -o jsonpb` lines (GetFlowsResponse as protojson with proto
// field names, the shape Cilium's docs record, e.g. observability/hubble/configuration/export), turned into the
// objects the gRPC emulator encodes. Times can be moved so the newest flow is just before `now` (a `--since 15m`
// query then sees them whenever the test runs).
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { toTimestamp, type GetFlowsResponse, type RelayFlow, type Timestamp } from '../../jobs/hubble/relay-proto.ts';

const ScenarioFlowsSchema = z.object({
  description: z.string(),
  /** Where the flows' shape and the failure come from. */
  sources: z.array(z.string()).min(1),
  nodes: z.object({ connected: z.array(z.string()), unavailable: z.array(z.string()).default([]) }),
  responses: z.array(z.record(z.string(), z.unknown())),
});
export type ScenarioFlows = { description: string; sources: string[]; connectedNodes: string[]; unavailableNodes: string[]; responses: GetFlowsResponse[] };

function timestamp(v: unknown): Timestamp | undefined {
  if (typeof v !== 'string') return undefined;
  const ms = Date.parse(v);
  if (Number.isNaN(ms)) throw new Error(`"${v}" is not an RFC 3339 time`);
  const frac = /\.(\d+)Z$/.exec(v)?.[1] ?? '';
  return { seconds: Math.floor(ms / 1000), nanos: Number(frac.padEnd(9, '0').slice(0, 9)) };
}

/** protojson → proto-loader object: Timestamps and BoolValue wrappers are JSON scalars in protojson. */
export function responseFromJson(json: Record<string, unknown>): GetFlowsResponse {
  const flowJson = json.flow as Record<string, unknown> | undefined;
  const out: GetFlowsResponse = {};
  if (flowJson !== undefined) {
    const flow = { ...flowJson } as RelayFlow & Record<string, unknown>;
    const t = timestamp(flowJson.time);
    if (t !== undefined) flow.time = t; else delete flow.time;
    if (typeof flowJson.is_reply === 'boolean') flow.is_reply = { value: flowJson.is_reply };
    out.flow = flow;
  }
  if (typeof json.node_name === 'string') out.node_name = json.node_name;
  const t = timestamp(json.time);
  if (t !== undefined) out.time = t;
  return out;
}

function shifted(t: Timestamp | undefined, deltaMs: number): Timestamp | undefined {
  if (t === undefined) return undefined;
  const ms = Number(t.seconds ?? 0) * 1000 + deltaMs;
  return { ...toTimestamp(new Date(ms - (ms % 1000))), nanos: t.nanos ?? 0 };
}

export function loadScenarioFlows(path: string, now?: Date): ScenarioFlows {
  const doc = ScenarioFlowsSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
  let responses = doc.responses.map(responseFromJson);
  if (now !== undefined) {
    const newest = Math.max(...responses.map((r) => Number(r.flow?.time?.seconds ?? r.time?.seconds ?? 0) * 1000));
    const delta = now.getTime() - 30_000 - newest;
    responses = responses.map((r) => ({
      ...r,
      ...(r.time !== undefined && { time: shifted(r.time, delta) }),
      ...(r.flow !== undefined && { flow: { ...r.flow, ...(r.flow.time !== undefined && { time: shifted(r.flow.time, delta) }) } }),
    }));
  }
  return { description: doc.description, sources: doc.sources, connectedNodes: doc.nodes.connected, unavailableNodes: doc.nodes.unavailable, responses };
}
