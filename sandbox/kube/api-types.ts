// Shared shapes between the HTTP layer and the resource handlers.
import type { IncomingHttpHeaders } from 'node:http';
import type { ExecResults } from './exec-results.ts';
import type { LogStore } from './logs.ts';
import type { RbacAuthorizer } from './rbac.ts';
import type { RequestInfo } from './request-info.ts';
import type { ResourceDef, ResourceRegistry } from './resources.ts';
import type { ObjectStore } from './store.ts';
import type { KubeUser } from './users.ts';
import type { NodeData } from '../scenario/schema.ts';

export interface ApiResponse {
  code: number;
  body: unknown;
  /** Defaults to application/json. */
  contentType?: string;
}

export interface EmulatorState {
  registry: ResourceRegistry;
  store: ObjectStore;
  logs: LogStore;
  execResults: ExecResults;
  authz: RbacAuthorizer;
  /** Node-level data for programs run on nodes (the node probe); absent = computed from the Node objects. */
  nodeData?: NodeData[];
  /** How often an idle watch that allows bookmarks gets one (default: a minute, as the apiserver). */
  bookmarkIntervalMs?: number;
}

export interface ApiRequest {
  info: RequestInfo;
  def: ResourceDef;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
  user: KubeUser;
}
