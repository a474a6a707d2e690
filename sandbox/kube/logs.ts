// GET pods/{name}/log: the selected instance's text with tailLines / sinceSeconds / sinceTime / timestamps /
// limitBytes applied, served as text/plain (client-node needs the Content-Type).
import type { KubeObject } from '../scenario/schema.ts';
import { badRequest } from './errors.ts';
import { containerStatus, resolveContainer, selectLogInstance } from './pod-containers.ts';
import { asRecord } from './resources.ts';

export interface ContainerLogText {
  current?: string;
  previous?: string;
}

export class LogStore {
  private readonly logs = new Map<string, ContainerLogText>();

  set(namespace: string, pod: string, container: string, text: ContainerLogText): void {
    this.logs.set(`${namespace}/${pod}/${container}`, { ...this.get(namespace, pod, container), ...text });
  }

  get(namespace: string, pod: string, container: string): ContainerLogText {
    return this.logs.get(`${namespace}/${pod}/${container}`) ?? {};
  }
}

/** A timestamp the line itself carries: logfmt `time=...` (Cilium) or a leading RFC 3339 stamp. */
function lineTime(line: string): number | undefined {
  const m = /(?:^|\s)time="?(\d{4}-\d\d-\d\dT[^"\s]+)"?/.exec(line) ?? /^(\d{4}-\d\d-\d\dT\S+)/.exec(line);
  if (m?.[1] === undefined) return undefined;
  const t = Date.parse(m[1]);
  return Number.isNaN(t) ? undefined : t;
}

function rfc3339Nano(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
}

function intParam(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === null || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n)) throw badRequest(`${name}: Invalid value: "${raw}": must be an integer`);
  if (n < 0 || (n === 0 && name !== 'tailLines')) throw badRequest(`${name}: Invalid value: ${raw}: must be greater than 0`);
  return n;
}

export function podLogText(pod: KubeObject, query: URLSearchParams, logs: LogStore, now = Date.now()): string {
  const spec = asRecord(pod['spec']);
  const container = resolveContainer(pod, query.get('container'));
  const tailLines = intParam(query, 'tailLines');
  const limitBytes = intParam(query, 'limitBytes');
  const sinceSeconds = intParam(query, 'sinceSeconds');
  const sinceTime = query.get('sinceTime');
  if (sinceSeconds !== undefined && sinceTime !== null) throw badRequest('at most one of `sinceTime` or `sinceSeconds` may be specified');
  if (typeof spec['nodeName'] !== 'string' || spec['nodeName'] === '') return '';
  const instance = selectLogInstance(pod, container, query.get('previous') === 'true');
  const stored = logs.get(pod.metadata.namespace ?? 'default', pod.metadata.name, container);
  const text = instance === 'previous' ? (stored.previous ?? stored.current ?? '') : (stored.current ?? '');
  const cs = asRecord(containerStatus(pod, container));
  const stateTimes = [asRecord(asRecord(cs['state'])['running'])['startedAt'], asRecord(asRecord(cs['lastState'])['terminated'])['finishedAt']];
  const fallbackTime = stateTimes.map((t) => (typeof t === 'string' ? Date.parse(t) : NaN)).find((t) => !Number.isNaN(t)) ?? now;

  let lines = text === '' ? [] : text.replace(/\n$/, '').split('\n');
  const since = sinceSeconds !== undefined ? now - sinceSeconds * 1000 : sinceTime !== null ? Date.parse(sinceTime) : undefined;
  if (since !== undefined && !Number.isNaN(since)) lines = lines.filter((l) => (lineTime(l) ?? fallbackTime) >= since);
  if (tailLines !== undefined) lines = tailLines === 0 ? [] : lines.slice(-tailLines);
  if (query.get('timestamps') === 'true') lines = lines.map((l) => `${rfc3339Nano(lineTime(l) ?? fallbackTime)} ${l}`);
  let out = lines.length === 0 ? '' : `${lines.join('\n')}\n`;
  if (limitBytes !== undefined) out = Buffer.from(out).subarray(0, limitBytes).toString();
  return out;
}
