// Loads the Observer service from the .proto subset in ./proto (wire-compatible with cilium/cilium api/v1) and types
// the messages as @grpc/proto-loader hands them over: field names as in the .proto (keepCase), enums as their names,
// 64-bit integers as strings, absent messages as undefined. Shared by the client and the sandbox emulator.
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

const PROTO_DIR = fileURLToPath(new URL('./proto/', import.meta.url));

export const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true, longs: String, enums: String, defaults: false, oneofs: true, includeDirs: [PROTO_DIR],
};

export type {
  Timestamp, Endpoint, Ports, Layer4, DnsRecord, HttpRecord, Layer7, PolicyRef, RelayFlow, NodeStatusEvent, GetFlowsResponse, FlowFilter,
  GetFlowsRequest, ServerStatusResponse,
} from '../../runbooks/engine/relay-messages.ts';
export { toTimestamp, fromTimestamp } from '../../runbooks/engine/relay-messages.ts';

let cached: grpc.ServiceClientConstructor | undefined;

/** The `observer.Observer` client constructor (its `.service` is the definition a server implements). */
export function observerService(): grpc.ServiceClientConstructor {
  if (cached !== undefined) return cached;
  const def = protoLoader.loadSync('observer.proto', LOADER_OPTIONS);
  const pkg = grpc.loadPackageDefinition(def) as { observer?: { Observer?: grpc.ServiceClientConstructor } };
  const ctor = pkg.observer?.Observer;
  if (ctor === undefined) throw new Error('observer.proto does not declare observer.Observer');
  cached = ctor;
  return ctor;
}
