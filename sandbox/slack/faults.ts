// Per-method fault injection for the Web API: HTTP 429 with Retry-After, 5xx, `ok:false` errors, latency.
import type { FaultSpec } from './types.ts';

interface ActiveFault extends FaultSpec {
  remaining: number;
}

export class FaultRegistry {
  private list: ActiveFault[] = [];

  add(f: FaultSpec): void {
    this.list.push({ ...f, remaining: f.times ?? Number.POSITIVE_INFINITY });
  }

  clear(): void {
    this.list = [];
  }

  /** The first fault matching the method, consuming one of its uses. */
  take(method: string): FaultSpec | undefined {
    const f = this.list.find((x) => x.remaining > 0 && (typeof x.method === 'string' ? x.method === method : x.method.test(method)));
    if (!f) return undefined;
    f.remaining -= 1;
    return f;
  }
}
