import { randomUUID } from 'node:crypto';
import { acquireLease, renewLease, takeOverOrphanedCalls } from '../../billing/calls/ivr-leases';
import type { IvrContext } from './ivr-context';

export interface LeaseEvents {
  /** Calls of vanished nodes are now ours: reconcile them. */
  tookOver(calls: number): void;
  /** Our lease expired and was reaped (we stalled or lost the database longer than the lease): our calls may have moved. */
  lost(): void;
  /** Another process started with our node id and holds the lease now. */
  superseded(): void;
}

/**
 * This IVR process's lease on its node id (`ivr_nodes`), renewed every third of its time to live
 * (a bounded interval) in the call clock. After each renewal it reaps the leases that expired and
 * takes over their nodes' calls in progress (billing/calls/ivr-leases.ts): a node that vanished —
 * even one that comes back under another id, as a container with a new host name does — has its
 * calls reconciled by a live node once its lease has expired. Renewal and take-over failures are
 * logged and retried on the next tick; nothing here ever touches a call's money directly.
 */
export class NodeLease {
  readonly instance = randomUUID();
  private cancelTimer?: () => void;
  private running = false;
  private ticking: Promise<void> = Promise.resolve();

  constructor(private readonly ctx: IvrContext, private readonly events: LeaseEvents) {}

  get renewEvery_ms(): number {
    return Math.max(50, Math.floor(this.ctx.options.leaseTtl_ms / 3));
  }

  private now(): number {
    return Math.round(this.ctx.options.clock.now_ms());
  }

  /** Takes the node id's lease (from a previous run of this node, or from a clashing process: logged). */
  async acquire(): Promise<void> {
    const { billing, options, log } = this.ctx;
    const now = this.now();
    const before = await billing.tx((tx) => acquireLease(tx.q, options.nodeId, this.instance, now, options.leaseTtl_ms));
    if (before && before.expires_at_ms >= now) {
      log.warn('IVR node id was leased by another live process: taking it over (a restart, or two processes sharing IVR_NODE_ID)', { node: options.nodeId });
    }
    log.info('IVR node lease acquired', { node: options.nodeId, ttl_ms: options.leaseTtl_ms });
  }

  start(): void {
    this.running = true;
    this.schedule();
  }

  /** Stops renewing (the lease then expires on its own: a restart under the same id resumes the calls; otherwise a live node takes them over). */
  async stop(): Promise<void> {
    this.running = false;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    await this.ticking;
  }

  private schedule(): void {
    if (!this.running) return;
    this.cancelTimer = this.ctx.options.clock.after(this.renewEvery_ms, () => {
      this.cancelTimer = undefined;
      this.ticking = this.tick().finally(() => this.schedule());
    });
  }

  /** One renewal, then one take-over pass. Never rejects. */
  async tick(): Promise<void> {
    const { billing, options, log } = this.ctx;
    try {
      const outcome = await billing.tx((tx) => renewLease(tx.q, options.nodeId, this.instance, this.now(), options.leaseTtl_ms));
      if (!this.running) return;
      if (outcome === 'lost') {
        log.error('IVR node lease lost (it expired and was reaped): calls may have been taken over by another node; restarting the IVR', { node: options.nodeId });
        this.events.lost();
        return;
      }
      if (outcome === 'taken_over') {
        log.error('another process took over this IVR node id: this IVR stops (every IVR process needs its own IVR_NODE_ID)', { node: options.nodeId });
        this.running = false;
        this.events.superseded();
        return;
      }
      const taken = await billing.tx((tx) => takeOverOrphanedCalls(tx.q, options.nodeId, this.now()));
      if (taken.reaped.length > 0 || taken.calls > 0) log.warn('took over the calls of vanished IVR nodes', { reaped: taken.reaped, calls: taken.calls });
      if (taken.calls > 0 && this.running) this.events.tookOver(taken.calls);
    } catch (err) {
      log.warn('IVR node lease renewal failed (retried)', { error: err instanceof Error ? err.message : String(err) });
    }
  }
}
