// One error type for every Kubernetes API failure, carrying the Status the server sent, whether a retry can help,
// and (for 403) the exact permission that is missing — client-node hides all of this in a JSON string.
import { ApiException } from '@kubernetes/client-node';

export type KubeFailureReason = 'forbidden' | 'not-found' | 'timeout' | 'unavailable';

export class KubeApiError extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly statusReason: string | undefined,
    readonly retryAfterSeconds: number | undefined,
    /** What was attempted, e.g. `get pods/log in kube-system`. */
    readonly attempted: string,
  ) {
    super(message);
  }

  /** 429, 5xx and network failures are worth retrying; 4xx are not. */
  get transient(): boolean {
    return this.status === undefined || this.status === 429 || this.status >= 500;
  }

  get reason(): KubeFailureReason {
    if (this.status === 403 || this.status === 401) return 'forbidden';
    if (this.status === 404) return 'not-found';
    if (this.status === 504 || this.statusReason === 'Timeout') return 'timeout';
    return 'unavailable';
  }
}

export class DeadlineExceededError extends Error {
  constructor(
    readonly attempted: string,
    readonly deadlineMs: number,
  ) {
    super(`${attempted}: no answer from the Kubernetes API within ${deadlineMs} ms`);
  }
}

interface StatusBody {
  message?: string;
  reason?: string;
}

function parseStatusBody(body: unknown): StatusBody {
  let value: unknown = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body);
    } catch {
      return body.length > 0 ? { message: body.slice(0, 500) } : {};
    }
  }
  if (typeof value !== 'object' || value === null) return {};
  const record = value as Record<string, unknown>;
  return {
    ...(typeof record.message === 'string' && { message: record.message }),
    ...(typeof record.reason === 'string' && { reason: record.reason }),
  };
}

/** Turns whatever client-node (or the network) threw into a KubeApiError. */
export function toKubeApiError(e: unknown, attempted: string): KubeApiError | DeadlineExceededError {
  if (e instanceof KubeApiError || e instanceof DeadlineExceededError) return e;
  if (e instanceof ApiException) {
    const status = parseStatusBody(e.body as unknown);
    const headers = e.headers as Record<string, string | undefined>;
    const retryAfter = Number(headers['retry-after'] ?? headers['Retry-After']);
    const message = status.message ?? (e.code === 401 ? 'Unauthorized: the credentials were refused' : `HTTP ${e.code}`);
    return new KubeApiError(message, e.code, status.reason, Number.isFinite(retryAfter) ? retryAfter : undefined, attempted);
  }
  const message = e instanceof Error ? e.message : String(e);
  // A refused exec upgrade reaches us only as the ws library's text, e.g. "Unexpected server response: 403".
  const upgrade = /Unexpected server response: (\d{3})/.exec(message);
  const status = upgrade?.[1] === undefined ? undefined : Number(upgrade[1]);
  return new KubeApiError(`${attempted}: ${message}`, status, undefined, undefined, attempted);
}
