// The cilium-operator as the watch sees it (pods labelled io.cilium/app=operator, the Helm chart's label): it is
// not a node, so it opens no node incident; past the damping window its trouble is posted once in the watch
// channel, and its recovery once (across leaders too: the announced state is seeded from Redis). Pure: time passed in.
import type { V1Pod } from '@kubernetes/client-node';

export const OPERATOR_LABEL = 'io.cilium/app=operator';

/** Why the operator is unhealthy ("cilium-operator-6b8f…: CrashLoopBackOff, 7 restarts"), or null when a replica is ready. */
export function operatorProblem(pods: readonly V1Pod[]): string | null {
  if (pods.length === 0) return 'no cilium-operator pod';
  const ready = pods.some((p) => (p.status?.containerStatuses ?? []).length > 0 && (p.status?.containerStatuses ?? []).every((c) => c.ready));
  if (ready) return null;
  return pods.map((p) => {
    const c = p.status?.containerStatuses?.[0];
    const why = c?.state?.waiting?.reason ?? p.status?.phase ?? 'not ready';
    return `${p.metadata?.name ?? '?'}: ${why}, ${c?.restartCount ?? 0} restarts`;
  }).join('; ');
}

export type OperatorEvent = { kind: 'unhealthy'; reason: string } | { kind: 'recovered' };

export class OperatorHealth {
  private problem: { reason: string; since: number } | null = null;
  private healthySince: number | null = null;
  private posted = false;

  constructor(private readonly dampingMs: number) {}

  /** The state already announced (read back from Redis when this replica becomes the leader): not announced again. */
  seed(announcedUnhealthy: boolean): void {
    this.posted = announcedUnhealthy;
  }

  /** Undoes an event that could not be posted: the next tick produces it again. */
  revert(event: OperatorEvent): void {
    this.posted = event.kind === 'recovered';
  }

  observe(reason: string | null, now: number): void {
    if (reason === null) {
      this.problem = null;
      this.healthySince ??= now;
      return;
    }
    this.healthySince = null;
    this.problem = this.problem === null ? { reason, since: now } : { ...this.problem, reason };
  }

  tick(now: number): OperatorEvent | null {
    if (!this.posted && this.problem !== null && now - this.problem.since >= this.dampingMs) {
      this.posted = true;
      return { kind: 'unhealthy', reason: this.problem.reason };
    }
    if (this.posted && this.healthySince !== null && now - this.healthySince >= this.dampingMs) {
      this.posted = false;
      return { kind: 'recovered' };
    }
    return null;
  }
}
