// Every request the emulator answered, for tests and benchmarks ("how many pod log reads did a diagnosis make").
export interface RequestLogEntry {
  method: string;
  path: string;
  query: string;
  user: string;
  status: number;
  verb: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  durationMs: number;
  /** The Accept header, when sent: which form was asked for (a Table, metadata only, the objects). */
  accept?: string;
  /** The client closed the connection before the answer was written (it may still have been applied). */
  clientGone: boolean;
  /** The request changed stored state (a write that was persisted; never a dry run or a no-op patch). */
  changedState: boolean;
}

export type RequestLogFilter = Partial<{ verb: string; resource: string; subresource: string }>;

export class RequestLog {
  private log: RequestLogEntry[] = [];

  record(entry: RequestLogEntry): void {
    this.log.push(entry);
  }

  entries(): RequestLogEntry[] {
    return this.log.map((e) => ({ ...e }));
  }

  count(filter: RequestLogFilter = {}): number {
    return this.log.filter((e) => (filter.verb === undefined || e.verb === filter.verb)
      && (filter.resource === undefined || e.resource === filter.resource)
      && (filter.subresource === undefined || e.subresource === filter.subresource)).length;
  }

  clear(): void {
    this.log = [];
  }
}
