// A Hubble Relay client over real gRPC (observer.Observer, as `hubble observe` and Hubble UI use it): GetFlows bounded
// by count and time, and ServerStatus for coverage. TLS/mTLS as Relay is deployed with `hubble.relay.tls.server`:
// the CA and the client certificate are read from files (mounted Secrets), never from chat.
import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { observerService, toTimestamp, type FlowFilter, type GetFlowsRequest, type GetFlowsResponse, type RelayFlow, type ServerStatusResponse } from './relay-proto.ts';

export interface RelayTlsFiles {
  /** CA that signed Relay's server certificate. */
  caFile: string;
  /** Client certificate and key, when Relay requires mTLS (`hubble.relay.tls.server.mtls`). */
  certFile?: string;
  keyFile?: string;
  /** Name to verify in Relay's certificate when it differs from the address's host. */
  serverName?: string;
}

export interface RelayClientOptions {
  /** host:port of Relay's gRPC API. */
  address: string;
  tls?: RelayTlsFiles;
}

export interface FlowQuery {
  /** Whitelist filters; a flow matching any is returned (observer.proto GetFlowsRequest.whitelist). */
  filters: FlowFilter[];
  /** Only flows after this time; without it, the last `maxFlows` flows. */
  since?: Date;
  maxFlows: number;
  deadlineMs: number;
}

export interface RelayFlowRecord { flow: RelayFlow; node: string }

export interface FlowBatch {
  flows: RelayFlowRecord[];
  /** The bound (count or deadline) stopped the stream before Relay ended it. */
  truncated: boolean;
  /** Nodes Relay reported unavailable during the request (node_status events). */
  unavailableNodes: string[];
  /** Events lost before Hubble captured them (lost_events), summed. */
  lostEvents: number;
}

export interface RelayCoverage {
  connectedNodes: number | null;
  unavailableNodes: number | null;
  unavailableNodeNames: string[];
  numFlows: number;
  maxFlows: number;
  version: string;
}

/** Relay could not be reached or refused the call; `code` is the gRPC status. */
export class RelayCallError extends Error {
  readonly code: grpc.status;
  constructor(code: grpc.status, message: string) {
    super(message);
    this.name = 'RelayCallError';
    this.code = code;
  }
}

function credentials(tls: RelayTlsFiles | undefined): grpc.ChannelCredentials {
  if (tls === undefined) return grpc.credentials.createInsecure();
  const read = (path: string, what: string): Buffer => {
    try {
      return readFileSync(path);
    } catch (e) {
      throw new Error(`cannot read the Hubble Relay ${what} ${path}: ${e instanceof Error ? e.message : String(e)}; mount the hubble-relay client Secret there or unset the variable`, { cause: e });
    }
  };
  const ca = read(tls.caFile, 'CA file');
  const cert = tls.certFile === undefined ? null : read(tls.certFile, 'client certificate');
  const key = tls.keyFile === undefined ? null : read(tls.keyFile, 'client key');
  if ((cert === null) !== (key === null)) throw new Error('the Hubble Relay client certificate and key go together: set both or neither');
  return grpc.credentials.createSsl(ca, key, cert);
}

function callError(e: grpc.ServiceError | Error): RelayCallError {
  const code = 'code' in e && typeof e.code === 'number' ? e.code : grpc.status.UNKNOWN;
  return new RelayCallError(code, e.message);
}

export class HubbleRelayClient {
  readonly address: string;
  private readonly client: grpc.Client;

  constructor(opts: RelayClientOptions) {
    this.address = opts.address;
    const Ctor = observerService();
    const channelOptions: grpc.ChannelOptions = opts.tls?.serverName === undefined ? {} : { 'grpc.ssl_target_name_override': opts.tls.serverName };
    this.client = new Ctor(opts.address, credentials(opts.tls), channelOptions);
  }

  close(): void {
    this.client.close();
  }

  serverStatus(deadlineMs: number): Promise<RelayCoverage> {
    return new Promise((resolve, reject) => {
      const call = (this.client as unknown as { ServerStatus: (req: object, opts: grpc.CallOptions, cb: (e: grpc.ServiceError | null, r?: ServerStatusResponse) => void) => void }).ServerStatus;
      call.call(this.client, {}, { deadline: Date.now() + deadlineMs }, (err, res) => {
        if (err !== null || res === undefined) {
          reject(callError(err ?? new Error('empty ServerStatus answer')));
          return;
        }
        resolve({
          connectedNodes: res.num_connected_nodes?.value ?? null,
          unavailableNodes: res.num_unavailable_nodes?.value ?? null,
          unavailableNodeNames: res.unavailable_nodes ?? [],
          numFlows: Number(res.num_flows ?? 0),
          maxFlows: Number(res.max_flows ?? 0),
          version: res.version ?? '',
        });
      });
    });
  }

  /** Streams GetFlows until Relay ends it, `maxFlows` arrive, or the deadline passes (then what arrived is kept). */
  getFlows(q: FlowQuery): Promise<FlowBatch> {
    const request: GetFlowsRequest = {
      whitelist: q.filters,
      // `number` and `since` are exclusive (observer.proto); with `since` the count bound is applied here.
      ...(q.since === undefined ? { number: q.maxFlows } : { since: toTimestamp(q.since) }),
    };
    return new Promise((resolve, reject) => {
      const batch: FlowBatch = { flows: [], truncated: false, unavailableNodes: [], lostEvents: 0 };
      let stoppedByUs = false;
      const stream = (this.client as unknown as { GetFlows: (req: object, opts: grpc.CallOptions) => grpc.ClientReadableStream<GetFlowsResponse> })
        .GetFlows.call(this.client, request, { deadline: Date.now() + q.deadlineMs });
      stream.on('data', (r: GetFlowsResponse) => {
        if (r.flow !== undefined) {
          if (batch.flows.length >= q.maxFlows) {
            batch.truncated = true;
            stoppedByUs = true;
            stream.cancel();
            return;
          }
          batch.flows.push({ flow: r.flow, node: r.node_name ?? r.flow.node_name ?? '' });
        } else if (r.node_status !== undefined && r.node_status.state_change !== 'NODE_CONNECTED') {
          batch.unavailableNodes.push(...(r.node_status.node_names ?? []));
        } else if (r.lost_events !== undefined) {
          batch.lostEvents += Number(r.lost_events.num_events_lost ?? 0);
        }
      });
      stream.on('error', (e: grpc.ServiceError) => {
        if (stoppedByUs && e.code === grpc.status.CANCELLED) {
          resolve(batch);
        } else if (e.code === grpc.status.DEADLINE_EXCEEDED && batch.flows.length > 0) {
          resolve({ ...batch, truncated: true });
        } else {
          reject(callError(e));
        }
      });
      stream.on('end', () => resolve(batch));
    });
  }
}
