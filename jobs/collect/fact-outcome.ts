// Turns a collector's outcome into a fact: ok, or unavailable with the reason and the fix a human can apply.
import type { Fact, Unavailable } from '../../runbooks/engine/evidence.ts';
import { DeadlineExceededError, KubeApiError, toKubeApiError } from '../kube/kube-api-error.ts';

/** What a fact needs from the API, so a 403 can be answered with the exact rule to add. */
export interface Permission {
  verb: string;
  resource: string;
  group?: string;
  namespace?: string;
}

export function describePermission(p: Permission): string {
  const where = p.namespace === undefined ? 'cluster-wide' : `in namespace ${p.namespace}`;
  const group = p.group === undefined || p.group === '' ? '' : ` (API group ${p.group})`;
  return `${p.verb} on ${p.resource}${group} ${where}`;
}

export function unavailable(e: unknown, what: string, needs: Permission[], subject?: string): Unavailable {
  if (e instanceof DeadlineExceededError) {
    return { ok: false, reason: 'timeout', detail: e.message, fix: 'The API server answered too slowly; check its health or raise COLLECT_DEADLINE_MS.' };
  }
  const err = e instanceof KubeApiError ? e : toKubeApiError(e, what);
  if (err instanceof DeadlineExceededError) return unavailable(err, what, needs, subject);
  const who = subject === undefined ? 'the bot' : subject;
  switch (err.reason) {
    case 'forbidden':
      return {
        ok: false,
        reason: 'forbidden',
        detail: err.message,
        fix: `Grant ${who} ${needs.map(describePermission).join(' and ')} (deploy/ has the least-privilege Role).`,
      };
    case 'not-found':
      return { ok: false, reason: 'not-found', detail: err.message };
    case 'timeout':
      return { ok: false, reason: 'timeout', detail: err.message, fix: 'The API server timed out; check its health and retry.' };
    default:
      return { ok: false, reason: 'unavailable', detail: err.message };
  }
}

/** Races a call against its deadline; the deadline wins with DeadlineExceededError. */
export async function withDeadline<T>(what: string, ms: number, call: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineExceededError(what, ms)), ms);
  });
  try {
    return await Promise.race([call(), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

export function ok<T>(value: T): Fact<T> {
  return { ok: true, value };
}
