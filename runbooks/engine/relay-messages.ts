// The Hubble Relay messages as @grpc/proto-loader hands them over (field names as in cilium/cilium api/v1
// flow.proto / observer.proto, keepCase; enums as their names; 64-bit integers as strings; absent messages
// undefined), and protobuf Timestamps. Plain types with no gRPC import, so the engine (pasted Hubble JSON) and the
// CLI use them without loading @grpc/grpc-js; jobs/hubble/relay-proto.ts loads the service itself.
export interface Timestamp { seconds?: string | number; nanos?: number }
export interface Endpoint { ID?: number; identity?: number; namespace?: string; labels?: string[]; pod_name?: string; workloads?: { name?: string; kind?: string }[] }
export interface Ports { source_port?: number; destination_port?: number }
export interface Layer4 { TCP?: Ports & { flags?: Record<string, boolean> }; UDP?: Ports; SCTP?: Ports; ICMPv4?: { type?: number; code?: number }; ICMPv6?: { type?: number; code?: number } }
export interface DnsRecord { query?: string; ips?: string[]; rcode?: number; qtypes?: string[]; observation_source?: string }
export interface HttpRecord { code?: number; method?: string; url?: string; protocol?: string }
export interface Layer7 { type?: string; latency_ns?: string; dns?: DnsRecord; http?: HttpRecord }
/** flow.proto Policy: a policy the flow was correlated with (uint64 revision as a string, longs: String). */
export interface PolicyRef { name?: string; namespace?: string; labels?: string[]; revision?: string }
export interface RelayFlow {
  time?: Timestamp; uuid?: string; verdict?: string; drop_reason?: number; IP?: { source?: string; destination?: string; ipVersion?: string };
  l4?: Layer4; source?: Endpoint; destination?: Endpoint; Type?: string; node_name?: string; source_names?: string[]; destination_names?: string[];
  l7?: Layer7; event_type?: { type?: number; sub_type?: number }; source_service?: { name?: string; namespace?: string };
  destination_service?: { name?: string; namespace?: string }; traffic_direction?: string; policy_match_type?: number;
  drop_reason_desc?: string | number; is_reply?: { value?: boolean }; proxy_port?: number; Summary?: string;
  egress_allowed_by?: PolicyRef[]; ingress_allowed_by?: PolicyRef[]; egress_denied_by?: PolicyRef[]; ingress_denied_by?: PolicyRef[];
}
export interface NodeStatusEvent { state_change?: string; node_names?: string[]; message?: string }
export interface GetFlowsResponse { flow?: RelayFlow; node_status?: NodeStatusEvent; lost_events?: { source?: string; num_events_lost?: string }; node_name?: string; time?: Timestamp; response_types?: string }
export interface FlowFilter {
  source_ip?: string[]; source_pod?: string[]; source_label?: string[]; destination_ip?: string[]; destination_pod?: string[]; destination_label?: string[];
  traffic_direction?: string[]; verdict?: string[]; http_status_code?: string[]; protocol?: string[]; source_port?: string[]; destination_port?: string[];
  dns_query?: string[]; http_method?: string[]; http_path?: string[]; node_name?: string[];
}
export interface GetFlowsRequest { number?: string | number; first?: boolean; follow?: boolean; blacklist?: FlowFilter[]; whitelist?: FlowFilter[]; since?: Timestamp; until?: Timestamp }
export interface ServerStatusResponse {
  num_flows?: string; max_flows?: string; seen_flows?: string; uptime_ns?: string; num_connected_nodes?: { value?: number };
  num_unavailable_nodes?: { value?: number }; unavailable_nodes?: string[]; version?: string;
}

export function toTimestamp(d: Date): Timestamp {
  const ms = d.getTime();
  return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1_000_000 };
}

export function fromTimestamp(t: Timestamp | undefined): Date | null {
  if (t === undefined) return null;
  return new Date(Number(t.seconds ?? 0) * 1000 + Math.floor((t.nanos ?? 0) / 1_000_000));
}
