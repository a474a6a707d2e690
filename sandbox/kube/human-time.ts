// kubectl's AGE rendering (apimachinery util/duration HumanDuration) and a tiny JSONPath for CRD printer columns.
import { asRecord } from './resources.ts';

export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const dy = Math.floor(hours / 24) % 365;
    const y = Math.floor(hours / 24 / 365);
    return dy === 0 ? `${y}y` : `${y}y${dy}d`;
  }
  return `${Math.floor(hours / 24 / 365)}y`;
}

/** Age of an RFC 3339 timestamp, `<unknown>` when absent (kubectl's translateTimestampSince). */
export function ageOf(timestamp: unknown, now = Date.now()): string {
  if (typeof timestamp !== 'string') return '<unknown>';
  const t = Date.parse(timestamp);
  return Number.isNaN(t) ? '<unknown>' : humanDuration(now - t);
}

/** Evaluates `.a.b`, `.a[0].b` and `.a[?(@.k=='v')].b` — the shapes CRD additionalPrinterColumns use. */
export function evalJsonPath(obj: unknown, path: string): unknown {
  const tokens = path.replace(/^\$/, '').match(/\.[^.[]+|\[[^\]]*\]/g) ?? [];
  let current: unknown[] = [obj];
  for (const token of tokens) {
    const next: unknown[] = [];
    for (const value of current) {
      if (token.startsWith('.')) {
        const v = asRecord(value)[token.slice(1)];
        if (v !== undefined) next.push(v);
        continue;
      }
      if (!Array.isArray(value)) continue;
      const items: unknown[] = value;
      const filter = /^\[\?\(@\.([\w.]+)\s*==\s*['"]([^'"]*)['"]\)\]$/.exec(token);
      if (filter?.[1] !== undefined) {
        const [, key, want] = filter;
        next.push(...items.filter((item) => String(asRecord(item)[key]) === want));
        continue;
      }
      const index = /^\[(\d+)\]$/.exec(token);
      if (index?.[1] !== undefined) {
        const item = items[Number(index[1])];
        if (item !== undefined) next.push(item);
      } else if (token === '[*]') next.push(...items);
    }
    current = next;
  }
  return current.length === 0 ? undefined : current.length === 1 ? current[0] : current;
}
