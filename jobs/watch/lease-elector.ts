// One watcher among the bot's replicas, elected with a coordination.k8s.io/v1 Lease the way client-go's
// leaderelection does it (k8s.io/client-go/tools/leaderelection/leaderelection.go, resourcelock/leaselock.go):
// - try to acquire or renew every retry period (2 s); create the Lease when there is none;
// - the leader renews with one write of the Lease as it last wrote it (client-go's "fast path for the leader to
//   update optimistically assuming that the record observed last time is the current version", tryAcquireOrRenew
//   step 1), and reads the Lease first only when that write fails (409: someone else wrote it since) or its lease
//   may have lapsed by our clock: half the requests of a read and a write every 2 s;
// - another holder's lease counts as expired only when the record has not changed for leaseDurationSeconds (15 s)
//   by our own clock since we last saw it change (client-go's observedTime: no trust in other hosts' clocks);
// - every write carries the resourceVersion read, so two candidates racing get one 200 and one 409 Conflict;
// - the leader stops leading as soon as it has not renewed for the renew deadline (10 s), before another
//   replica may take over (15 s), so two replicas never post at once; on a clean stop it releases the lease.
import { ApiException, CoordinationV1Api, V1MicroTime, type KubeConfig, type V1Lease } from '@kubernetes/client-node';

export interface LeaseTiming {
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
}

/** client-go's defaults (and kube-controller-manager's --leader-elect-* defaults). */
export const DEFAULT_LEASE_TIMING: LeaseTiming = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };

/** The three Lease calls the elector makes; `conflict` when the apiserver answered 409. */
export interface LeaseClient {
  get(): Promise<V1Lease | null>;
  create(lease: V1Lease): Promise<V1Lease | 'conflict'>;
  replace(lease: V1Lease): Promise<V1Lease | 'conflict'>;
}

export function clientNodeLeaseClient(kubeConfig: KubeConfig, namespace: string, name: string): LeaseClient {
  const api = kubeConfig.makeApiClient(CoordinationV1Api);
  const code = (e: unknown): number | undefined => (e instanceof ApiException ? e.code : undefined);
  return {
    async get() {
      try {
        return await api.readNamespacedLease({ name, namespace });
      } catch (e) {
        if (code(e) === 404) return null;
        throw e;
      }
    },
    async create(lease) {
      try {
        return await api.createNamespacedLease({ namespace, body: lease });
      } catch (e) {
        if (code(e) === 409) return 'conflict';
        throw e;
      }
    },
    async replace(lease) {
      try {
        return await api.replaceNamespacedLease({ name, namespace, body: lease });
      } catch (e) {
        if (code(e) === 409) return 'conflict';
        throw e;
      }
    },
  };
}

export interface LeaseElectorOptions {
  client: LeaseClient;
  namespace: string;
  name: string;
  /** This replica: its pod name (HOSTNAME) plus a random suffix, as client-go's examples do. */
  identity: string;
  timing?: LeaseTiming;
  onStartedLeading: () => void;
  onStoppedLeading: () => void;
  onError?: (err: unknown) => void;
  now?: () => number;
}

export class LeaseElector {
  private readonly timing: LeaseTiming;
  private readonly now: () => number;
  /** The record as last seen, and when (by our clock) it last changed. */
  private observed: { holder: string; renewTime: string; resourceVersion: string } | null = null;
  private observedAt = 0;
  /** The Lease as we last wrote it: its resourceVersion makes the leader's next renewal a compare-and-swap. */
  private written: V1Lease | null = null;
  private lastRenewed = 0;
  private leading = false;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private running: Promise<void> | null = null;

  constructor(private readonly opts: LeaseElectorOptions) {
    this.timing = opts.timing ?? DEFAULT_LEASE_TIMING;
    this.now = opts.now ?? Date.now;
  }

  get isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Stops campaigning; the leader gives the lease up (holder cleared) so another replica takes over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    await this.running;
    if (!this.leading) return;
    this.setLeading(false);
    try {
      const current = await this.opts.client.get();
      if (current?.spec?.holderIdentity !== this.opts.identity) return;
      await this.opts.client.replace({
        ...current,
        spec: { ...current.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: new V1MicroTime(this.now()), acquireTime: new V1MicroTime(this.now()) },
      });
    } catch (e) {
      this.opts.onError?.(e);
    }
  }

  /** Stops campaigning without releasing: what a killed process leaves behind (tests of the hand-over). */
  abandon(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.leading = false;
  }

  /** One acquire-or-renew attempt; true when we hold the lease afterwards. */
  async tryAcquireOrRenew(): Promise<boolean> {
    const now = this.now();
    const durationSeconds = Math.max(1, Math.ceil(this.timing.leaseDurationMs / 1000));
    const mine = (lease: V1Lease, transitions: number, acquiredAt: Date | string | undefined): V1Lease => ({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { ...lease.metadata, name: this.opts.name, namespace: this.opts.namespace },
      spec: {
        holderIdentity: this.opts.identity,
        leaseDurationSeconds: durationSeconds,
        // client-node hands MicroTime fields back as the apiserver's strings.
        acquireTime: new V1MicroTime(acquiredAt === undefined ? now : new Date(acquiredAt).getTime()),
        renewTime: new V1MicroTime(now),
        leaseTransitions: transitions,
      },
    });
    // The leader's renewal on top of what it last wrote, while that is valid by our clock. Any other write since
    // (a replica that took over, an edit) changed the resourceVersion: 409, and the read below decides as before.
    const last = this.written;
    if (this.leading && last !== null && this.observedAt + durationSeconds * 1000 > now) {
      try {
        const renewed = await this.opts.client.replace({ ...mine(last, last.spec?.leaseTransitions ?? 0, last.spec?.acquireTime), metadata: { ...last.metadata } });
        if (renewed !== 'conflict') return this.record(renewed, now);
      } catch {
        // As client-go: on to the slow path at once, whose read reports the error if the API server is down.
      }
    }
    const current = await this.opts.client.get();
    if (current === null) {
      const created = await this.opts.client.create(mine({ metadata: {} }, 0, undefined));
      return this.record(created, now);
    }
    const spec = current.spec ?? {};
    const holder = spec.holderIdentity ?? '';
    const record = { holder, renewTime: timeText(spec.renewTime), resourceVersion: current.metadata?.resourceVersion ?? '' };
    if (this.observed === null || this.observed.holder !== record.holder || this.observed.renewTime !== record.renewTime) {
      this.observed = record;
      this.observedAt = now;
    }
    const heldByOther = holder !== '' && holder !== this.opts.identity;
    const leaseMs = (spec.leaseDurationSeconds ?? durationSeconds) * 1000;
    if (heldByOther && this.observedAt + leaseMs > now) return false;
    const transitions = (spec.leaseTransitions ?? 0) + (holder === this.opts.identity ? 0 : 1);
    const acquiredAt = holder === this.opts.identity ? spec.acquireTime : undefined;
    const replaced = await this.opts.client.replace({ ...mine(current, transitions, acquiredAt), metadata: { ...current.metadata } });
    return this.record(replaced, now);
  }

  private record(result: V1Lease | 'conflict', now: number): boolean {
    if (result === 'conflict') {
      this.written = null;
      return false;
    }
    this.written = result;
    this.observed = {
      holder: result.spec?.holderIdentity ?? '',
      renewTime: timeText(result.spec?.renewTime),
      resourceVersion: result.metadata?.resourceVersion ?? '',
    };
    this.observedAt = now;
    this.lastRenewed = now;
    return true;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.round().finally(() => {
        this.running = null;
        this.schedule(this.timing.retryPeriodMs);
      });
    }, delayMs);
  }

  private async round(): Promise<void> {
    let held = false;
    try {
      held = await this.tryAcquireOrRenew();
    } catch (e) {
      this.opts.onError?.(e);
    }
    if (this.stopped) return;
    if (held) this.setLeading(true);
    // A leader that could not renew keeps leading only until the renew deadline (client-go's renew loop).
    else if (this.leading && this.now() - this.lastRenewed >= this.timing.renewDeadlineMs) this.setLeading(false);
    else if (this.leading && this.observed !== null && this.observed.holder !== this.opts.identity) this.setLeading(false);
  }

  private setLeading(leading: boolean): void {
    if (leading === this.leading) return;
    this.leading = leading;
    if (leading) this.opts.onStartedLeading();
    else this.opts.onStoppedLeading();
  }
}

/** A MicroTime as compared between reads (the client may hand back a Date or, from another writer, a string). */
function timeText(t: Date | string | undefined): string {
  if (t === undefined) return '';
  return typeof t === 'string' ? t : t.toISOString();
}
