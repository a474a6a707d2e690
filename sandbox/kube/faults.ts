// Fault injection per route: added latency, an error Status (with Retry-After), a stall (never answered until the
// emulator stops), or a dropped connection; optionally only `times` times or with a `probability`.
export interface FaultSpec {
  method?: string;
  /** A RegExp tested against the path, or a string the path must contain. */
  path: RegExp | string;
  status?: number;
  retryAfterSeconds?: number;
  latencyMs?: number;
  stall?: boolean;
  drop?: boolean;
  times?: number;
  probability?: number;
  /** A RegExp tested against the query string (without "?"), or a string it must contain. */
  query?: RegExp | string;
  /** Called when the fault fires, before the request is handled: lets a test change the cluster at that moment. */
  onMatch?: () => void;
}

interface ActiveFault {
  spec: FaultSpec;
  remaining: number;
}

export class FaultInjector {
  private faults: ActiveFault[] = [];

  add(spec: FaultSpec): void {
    this.faults.push({ spec, remaining: spec.times ?? Number.POSITIVE_INFINITY });
  }

  clear(): void {
    this.faults = [];
  }

  /** The first fault that fires for this request (consuming one of its `times`), if any. */
  match(method: string, path: string, query = '', random: () => number = Math.random): FaultSpec | undefined {
    for (const fault of this.faults) {
      const { spec } = fault;
      if (fault.remaining <= 0) continue;
      if (spec.method !== undefined && spec.method.toUpperCase() !== method.toUpperCase()) continue;
      const pathOk = typeof spec.path === 'string' ? path.includes(spec.path) : spec.path.test(path);
      if (!pathOk) continue;
      if (spec.query !== undefined && !(typeof spec.query === 'string' ? query.includes(spec.query) : spec.query.test(query))) continue;
      if (spec.probability !== undefined && random() >= spec.probability) continue;
      fault.remaining -= 1;
      spec.onMatch?.();
      return spec;
    }
    return undefined;
  }
}
