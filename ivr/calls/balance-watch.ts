import type { Billing } from '../../billing/billing';
import { availableMinor } from '../../billing/cards/card';
import type { Logger } from '../../billing/shared/logger';
import type { Unsubscribe } from '../ari/telephony';
import type { CallClock } from './call-clock';

type Listener = (available_minor: number) => void;

/** Cards read per query (a bound on the IN list). */
const BATCH = 500;

/**
 * The available balance of every card with a metered call in this IVR process, read with ONE query per
 * `interval_ms` of call time for all of them, so a spend anywhere else (a merchant capture, another call, another
 * process sharing the database) reaches each call within one interval: its warning and cut-off moments are then
 * re-computed (metered-call.ts). Listeners hear of a card only when its available balance changed since the last
 * read. Polling runs only while something is watched.
 */
export class BalanceWatch {
  private readonly cards = new Map<number, { last?: number; listeners: Set<Listener> }>();
  private cancelTimer?: () => void;
  private stopped = false;

  constructor(private readonly billing: Billing, private readonly clock: CallClock, private readonly interval_ms: number, private readonly log: Logger) {}

  watch(card_id: number, listener: Listener): Unsubscribe {
    const entry = this.cards.get(card_id) ?? { listeners: new Set<Listener>() };
    entry.listeners.add(listener);
    this.cards.set(card_id, entry);
    this.arm();
    return () => {
      entry.listeners.delete(listener);
      if (entry.listeners.size === 0 && this.cards.get(card_id) === entry) this.cards.delete(card_id);
      if (this.cards.size === 0) {
        this.cancelTimer?.();
        this.cancelTimer = undefined;
      }
    };
  }

  stop(): void {
    this.stopped = true;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
  }

  private arm(): void {
    if (this.stopped || this.cancelTimer || this.cards.size === 0) return;
    this.cancelTimer = this.clock.after(this.interval_ms, () => {
      void this.poll().finally(() => {
        this.cancelTimer = undefined;
        this.arm();
      });
    });
  }

  private async poll(): Promise<void> {
    const ids = [...this.cards.keys()];
    try {
      for (let i = 0; i < ids.length; i += BATCH) {
        const part = ids.slice(i, i + BATCH);
        const rows = await this.billing.read().q.all<{ id: number; balance_minor: number; pending_minor: number }>(
          `SELECT id, balance_minor, pending_minor FROM cards WHERE id IN (${part.map(() => '?').join(', ')})`, part);
        for (const row of rows) {
          const entry = this.cards.get(Number(row.id));
          if (!entry) continue;
          const available = availableMinor({ balance_minor: Number(row.balance_minor), pending_minor: Number(row.pending_minor) });
          const changed = entry.last !== undefined && entry.last !== available;
          entry.last = available;
          if (changed) for (const l of [...entry.listeners]) l(available);
        }
      }
    } catch (err) {
      this.log.warn('could not read the balances of live calls', { error: err instanceof Error ? err.message : String(err) });
    }
  }
}
