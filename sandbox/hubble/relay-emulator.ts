// A Hubble Relay emulator over real gRPC (the same observer.proto subset the bot's client loads): GetFlows filtered
// as Relay filters (FlowFilter semantics from cilium/cilium api/v1/flow/flow.proto comments: pod = optional
// "namespace/" + name prefix; whitelist filters OR'ed, fields within one AND'ed), bounded by `number` or `since`;
// ServerStatus with the scenario's connected/unavailable nodes. Loopback only.
import * as grpc from '@grpc/grpc-js';
import { fromTimestamp, observerService, type FlowFilter, type GetFlowsRequest, type GetFlowsResponse, type RelayFlow, type ServerStatusResponse } from '../../jobs/hubble/relay-proto.ts';

export interface RelayEmulatorOptions {
  responses: GetFlowsResponse[];
  connectedNodes: string[];
  unavailableNodes?: string[];
  version?: string;
  /** Serve TLS as Relay does with hubble.relay.tls.server.enabled; with `clientCa`, require client certificates (mTLS). */
  tls?: { key: string; cert: string; clientCa?: string };
}

export interface RelayEmulator {
  address: string;
  /** Every GetFlows request received, as decoded from the wire. */
  requests: GetFlowsRequest[];
  close(): Promise<void>;
}

function podMatches(patterns: string[] | undefined, ep: RelayFlow['source']): boolean {
  if (patterns === undefined || patterns.length === 0) return true;
  return patterns.some((p) => {
    const slash = p.indexOf('/');
    const ns = slash < 0 ? '' : p.slice(0, slash);
    const pod = slash < 0 ? p : p.slice(slash + 1);
    return (ns === '' || ep?.namespace === ns) && (ep?.pod_name ?? '').startsWith(pod) && (pod !== '' || ep?.namespace === ns);
  });
}

function portOf(f: RelayFlow): number | undefined {
  return f.l4?.TCP?.destination_port ?? f.l4?.UDP?.destination_port ?? f.l4?.SCTP?.destination_port;
}

function any<T>(list: T[] | undefined, test: (v: T) => boolean): boolean {
  return list === undefined || list.length === 0 || list.some(test);
}

function nodeGlob(pattern: string, node: string): boolean {
  const re = new RegExp(`^${pattern.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return re.test(node) || re.test(node.split('/').pop() ?? node);
}

function httpCodeMatches(filter: string, code: number | undefined): boolean {
  if (code === undefined || code === 0) return false;
  return filter.endsWith('+') ? String(code).startsWith(filter.slice(0, -1)) : String(code) === filter;
}

export function filterMatches(filter: FlowFilter, r: GetFlowsResponse): boolean {
  const f = r.flow;
  if (f === undefined) return false;
  const node = r.node_name ?? f.node_name ?? '';
  const l7proto = f.l7?.dns !== undefined ? 'dns' : f.l7?.http !== undefined ? 'http' : '';
  const l4proto = f.l4?.TCP !== undefined ? 'tcp' : f.l4?.UDP !== undefined ? 'udp' : '';
  return podMatches(filter.source_pod, f.source) && podMatches(filter.destination_pod, f.destination) &&
    any(filter.verdict, (v) => v === f.verdict) &&
    any(filter.traffic_direction, (d) => d === f.traffic_direction) &&
    any(filter.destination_port, (p) => String(portOf(f)) === p) &&
    any(filter.protocol, (p) => p.toLowerCase() === l7proto || p.toLowerCase() === l4proto) &&
    any(filter.node_name, (p) => nodeGlob(p, node)) &&
    any(filter.http_method, (m) => f.l7?.http?.method === m) &&
    // flow.proto FlowFilter.http_status_code: "404" exact, "4+" any 4xx; only responses carry a code.
    any(filter.http_status_code, (c) => httpCodeMatches(c, f.l7?.http?.code)) &&
    any(filter.dns_query, (q) => new RegExp(q).test(f.l7?.dns?.query ?? ''));
}

export function selectFlows(all: GetFlowsResponse[], req: GetFlowsRequest): GetFlowsResponse[] {
  const since = fromTimestamp(req.since);
  const until = fromTimestamp(req.until);
  const wanted = all.filter((r) => {
    if (r.flow === undefined) return false;
    const t = fromTimestamp(r.flow.time ?? r.time)?.getTime() ?? 0;
    if (since !== null && t < since.getTime()) return false;
    if (until !== null && t > until.getTime()) return false;
    const white = req.whitelist ?? [];
    const black = req.blacklist ?? [];
    return (white.length === 0 || white.some((w) => filterMatches(w, r))) && !black.some((b) => filterMatches(b, r));
  });
  const n = Number(req.number ?? 0);
  if (since !== null || n === 0) return wanted;
  return req.first === true ? wanted.slice(0, n) : wanted.slice(-n);
}

export async function startRelayEmulator(opts: RelayEmulatorOptions): Promise<RelayEmulator> {
  const server = new grpc.Server();
  const requests: GetFlowsRequest[] = [];
  server.addService(observerService().service, {
    GetFlows: (call: grpc.ServerWritableStream<GetFlowsRequest, GetFlowsResponse>) => {
      requests.push(call.request);
      const unavailable = opts.unavailableNodes ?? [];
      if (unavailable.length > 0) call.write({ node_status: { state_change: 'NODE_UNAVAILABLE', node_names: unavailable, message: 'connection refused' } });
      for (const r of selectFlows(opts.responses, call.request)) {
        if (call.cancelled) return;
        call.write(r);
      }
      call.end();
    },
    ServerStatus: (_call: grpc.ServerUnaryCall<object, ServerStatusResponse>, cb: grpc.sendUnaryData<ServerStatusResponse>) => {
      cb(null, {
        num_flows: String(opts.responses.length),
        max_flows: String(4095 * Math.max(1, opts.connectedNodes.length)),
        seen_flows: String(opts.responses.length),
        uptime_ns: '600000000000',
        num_connected_nodes: { value: opts.connectedNodes.length },
        num_unavailable_nodes: { value: (opts.unavailableNodes ?? []).length },
        unavailable_nodes: opts.unavailableNodes ?? [],
        version: opts.version ?? '1.16.3',
      });
    },
  });
  const port = await new Promise<number>((resolve, reject) => {
    const creds = opts.tls === undefined
      ? grpc.ServerCredentials.createInsecure()
      : grpc.ServerCredentials.createSsl(opts.tls.clientCa === undefined ? null : Buffer.from(opts.tls.clientCa), [{ private_key: Buffer.from(opts.tls.key), cert_chain: Buffer.from(opts.tls.cert) }], opts.tls.clientCa !== undefined);
    server.bindAsync('127.0.0.1:0', creds, (err, p) => (err === null ? resolve(p) : reject(err)));
  });
  return {
    address: `127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.tryShutdown(() => resolve())),
  };
}
