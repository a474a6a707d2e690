// HTTP exchanges in Hubble flows, for the L7 diagnoses: what the proxy saw (method, :path, Host) and what it decided.
// Read from the structured flow.proto fields when the flow came from Relay, else from the compact line's summary
// (`HTTP/1.1 PUT http://deathstar.default.svc.cluster.local/v1/exhaust-port`, `HTTP/1.1 403 0ms (PUT http://…)`, as
// docs observability/hubble/hubble-cli prints them), so a pasted `hubble observe` works the same.
// Behaviour (docs security/policy/language, Layer 7): "violation of layer 7 rules does not result in packet drops.
// Instead, if possible, an application protocol specific access denied message is crafted and returned, e.g. an HTTP
// 403 access denied"; Hubble shows the request as `http-request DROPPED` and the proxy's answer as
// `http-response FORWARDED (HTTP/1.1 403 0ms (…))` (docs network/servicemesh external lock-down example).
import type { Flow } from './evidence-flows.ts';
import { isL7Denial } from './evidence-flows.ts';
import { endpoint } from './policy-drops.ts';

export interface HttpExchange {
  type: 'request' | 'response';
  method: string;
  url: string;
  /** Envoy's `:path`: path and query, which is what a rule's `path` regex is matched against. */
  path: string;
  /** The Host header as the URL carries it ('' when the URL has none). */
  host: string;
  /** Status on a response, 0 on a request. */
  code: number;
  flow: Flow;
}

const REQUEST = /^(HTTP\/[\d.]+) (\S+) (\S+)$/;
const RESPONSE = /^(HTTP\/[\d.]+) (\d{3}) \d+ms \((\S+) (\S+)\)$/;

function splitUrl(url: string): { path: string; host: string } {
  const m = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)([^#]*)/i.exec(url);
  if (m === null) return { path: url, host: '' };
  const rest = m[2] ?? '';
  return { host: m[1] ?? '', path: rest === '' ? '/' : rest.startsWith('/') ? rest : `/${rest}` };
}

/** The HTTP exchange a flow records, or null for any other flow. */
export function httpExchange(f: Flow): HttpExchange | null {
  let type: HttpExchange['type'] | null = null;
  let method = '';
  let url = '';
  let code = 0;
  if (f.l7?.kind === 'http') {
    type = f.l7.type === 'response' ? 'response' : f.l7.type === 'request' ? 'request' : null;
    const [m = '', u = ''] = f.l7.what.split(' ', 2);
    method = f.l7.method ?? m;
    url = f.l7.url ?? u;
    code = f.l7.code;
  } else if (f.reason === 'http-request') {
    const m = REQUEST.exec(f.summary);
    if (m !== null) [type, method, url] = ['request', m[2] ?? '', m[3] ?? ''];
  } else if (f.reason === 'http-response') {
    const m = RESPONSE.exec(f.summary);
    if (m !== null) [type, code, method, url] = ['response', Number(m[2]), m[3] ?? '', m[4] ?? ''];
  }
  if (type === null || method === '') return null;
  return { type, method, url, code, ...splitUrl(url), flow: f };
}

/** `ns/pod-abc:80 (ID:1)` → `ns/pod-abc`. */
export const podOf = (s: string): string => endpoint(s).replace(/:\d+$/, '');

/** The server port: the structured field, else the `:80` a pasted line prints after the destination. */
export function serverPort(f: Flow): number | undefined {
  if (f.port !== undefined) return f.port;
  const printed = /:(\d+)$/.exec(endpoint(f.destination))?.[1];
  return printed === undefined ? undefined : Number(printed);
}

/** Requests the proxy denied, grouped by client, server, port, method, :path and Host. */
export interface L7Denial {
  client: string;
  server: string;
  port: number | undefined;
  method: string;
  path: string;
  host: string;
  direction: 'ingress' | 'egress' | null;
  /** Denied requests seen. */
  count: number;
  /** 403 answers of the proxy seen for the same request (http-response FORWARDED 403). */
  answered403: number;
  clientLabels: string[] | undefined;
  serverLabels: string[] | undefined;
  samples: string[];
  deniedBy: NonNullable<Flow['deniedBy']>;
}

const keyOf = (x: { client: string; server: string; method: string; path: string; host: string }): string =>
  `${x.client}|${x.server}|${x.method}|${x.path}|${x.host}`;

export function l7Denials(flows: Flow[]): L7Denial[] {
  const groups = new Map<string, L7Denial>();
  const exchanges = flows.map(httpExchange).filter((x) => x !== null);
  for (const x of exchanges) {
    if (x.type !== 'request' || !isL7Denial(x.flow)) continue;
    const f = x.flow;
    const base = { client: podOf(f.source), server: podOf(f.destination), method: x.method, path: x.path, host: x.host };
    const key = keyOf(base);
    const g = groups.get(key) ?? {
      ...base, port: serverPort(f), direction: f.direction, count: 0, answered403: 0,
      clientLabels: f.sourceLabels, serverLabels: f.destinationLabels, samples: [], deniedBy: [],
    };
    g.count += 1;
    if (g.samples.length < 3) g.samples.push(f.raw);
    for (const p of f.deniedBy ?? []) if (!g.deniedBy.some((q) => q.name === p.name && q.namespace === p.namespace)) g.deniedBy.push(p);
    groups.set(key, g);
  }
  for (const x of exchanges) {
    if (x.type !== 'response' || x.code !== 403) continue;
    const g = groups.get(keyOf({ client: podOf(x.flow.source), server: podOf(x.flow.destination), method: x.method, path: x.path, host: x.host }));
    if (g === undefined) continue;
    g.answered403 += 1;
    if (g.samples.length < 4) g.samples.push(x.flow.raw);
  }
  return [...groups.values()].sort((a, b) => b.count - a.count);
}

/** Drop reasons that say the L7 proxy could not take the flow (flow.proto DropReason 161 and 180). */
export const PROXY_DROP_REASONS = ['PROXY_REDIRECTION_NOT_SUPPORTED_FOR_PROTOCOL', 'FAILED_TO_INSERT_INTO_PROXYMAP'] as const;
const PROXY_DROP_TEXT = /^(proxy redirection not supported for protocol|failed to insert into proxymap)$/i;

export function isProxyDrop(f: Flow): boolean {
  return (f.dropReason !== undefined && (PROXY_DROP_REASONS as readonly string[]).includes(f.dropReason)) ||
    (f.verdict === 'DROPPED' && PROXY_DROP_TEXT.test(f.reason));
}

/** `k8s:app=web` labels (as Hubble prints them) → {app: web}, for matching policy selectors. */
export function labelMap(labels: string[] | undefined): Record<string, string> | null {
  if (labels === undefined) return null;
  const out: Record<string, string> = {};
  for (const l of labels) {
    const m = /^(?:k8s|container|any):([^=]+)=(.*)$/.exec(l);
    if (m?.[1] !== undefined) out[m[1]] = m[2] ?? '';
  }
  return out;
}
