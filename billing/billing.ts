import type { ExpiryPolicy, CardStatus } from './cards/card';
import { generateCardNumber } from './cards/card-number';
import { creditCard, insertCard, newSerial } from './cards/card-issue';
import { generatePin } from './cards/pin';
import type { SecretHasher } from './cards/secrets';
import { recordBreakage } from './cards/card-admin';
import { purgeExpiredCardCalls } from './calls/card-calls';
import { Carriers } from './carriers/carriers';
import { expireOverdueHolds } from './holds/hold-engine';
import { purgeIdempotencyKeys } from './idempotency/idempotency';
import type { AccountId, EntryKind } from './ledger/accounts';
import { FUNDING_SALES } from './ledger/accounts';
import { IndexedRouteLookup } from './routing/indexed-route-lookup';
import { Routing } from './routing/routing';
import type { Clock } from './shared/clock';
import type { BillingPolicy, TxContext } from './shared/context';
import type { Database, Sql } from './store/sql/database';

export interface IssueCardInput {
  value_minor: number;
  currency: string;
  status?: CardStatus;
  expiry?: ExpiryPolicy;
  batch_id?: number | null;
  funding?: AccountId;
  entry_kind?: EntryKind;
  reference?: string | null;
  actor?: string | null;
}

export interface IssuedCard {
  card_id: number;
  number: string;
  pin: string;
  serial: string;
}

/**
 * The billing core as one object: the database, the keyed hasher, the clock and the policy.
 * Every operation runs through `tx`, which hands the domain functions a TxContext.
 */
export class Billing {
  /** Least-cost routing for the SIP edge: rank (in-memory index of the active decks, exact across processes), recordAttempt, setCallCarrier. */
  readonly routing: Routing;
  readonly carriers: Carriers;

  constructor(
    readonly db: Database,
    readonly hasher: SecretHasher,
    readonly clock: Clock,
    readonly policy: BillingPolicy,
  ) {
    this.routing = new Routing(db, new IndexedRouteLookup(db, { sellDeck: policy.sell_deck }));
    this.carriers = new Carriers(db);
  }

  /** One transaction; committed when `fn` returns (Results that failed included), rolled back when it throws. */
  tx<T>(fn: (ctx: TxContext) => Promise<T>): Promise<T> {
    return this.db.tx((q) => fn({ q, now_ms: this.clock.now().getTime(), hasher: this.hasher, policy: this.policy }));
  }

  /**
   * ONE statement that is a whole transaction (a call record opened or updated): on PostgreSQL sent
   * alone, committed on its own without BEGIN and COMMIT round trips; on SQLite queued like every
   * write on the one connection (billing.tx), so it never lands inside another's open transaction.
   */
  statement<T>(fn: (q: Sql) => Promise<T>): Promise<T> {
    return this.db.dialect === 'pg' ? fn(this.db) : this.db.tx(fn);
  }

  /** A context outside any transaction, for reads. */
  read(): TxContext {
    return { q: this.db, now_ms: this.clock.now().getTime(), hasher: this.hasher, policy: this.policy };
  }

  /**
   * A context whose statements are each a whole transaction, answered after its COMMIT (group
   * commit on PostgreSQL), for the one-statement money moves; null on SQLite, where they do not apply.
   */
  oneStatement(): TxContext | null {
    const q = this.db.grouped;
    return q ? { q, now_ms: this.clock.now().getTime(), hasher: this.hasher, policy: this.policy } : null;
  }

  /** Issues one card with a fresh number and PIN (web shop sale, demo data). Returns the secrets once. */
  async issueCard(input: IssueCardInput): Promise<IssuedCard> {
    return this.tx(async (ctx) => {
      // A collision of 15 random digits is astronomically rare; retry a bounded number of times.
      for (let attempt = 0; attempt < 5; attempt++) {
        const number = generateCardNumber(this.policy.issuer_prefix);
        const exists = await ctx.q.one('SELECT id FROM cards WHERE number_hash = ?', [this.hasher.cardNumber(number)]);
        if (exists) continue;
        const pin = generatePin(this.policy.pin_length);
        const serial = newSerial();
        const card_id = await insertCard(ctx, {
          number, pin, serial, batch_id: input.batch_id ?? null, currency: input.currency,
          status: input.status ?? 'active', expiry: input.expiry ?? { kind: 'none' },
        });
        if (input.value_minor > 0) {
          await creditCard(ctx, card_id, input.value_minor, input.currency, input.funding ?? FUNDING_SALES, input.entry_kind ?? 'sale', {
            reference: input.reference ?? null, actor: input.actor ?? null,
          });
        }
        return { card_id, number, pin, serial };
      }
      throw new Error('could not allocate a unique card number');
    });
  }

  /**
   * Housekeeping, safe in several processes at once: expire holds, book breakage, purge old
   * idempotency keys and the card places of IVR processes that died (card_calls past their TTL).
   */
  async sweep(limit = 500): Promise<{ expired_holds: number; breakage: number; purged_keys: number; expired_card_calls: number }> {
    const expired_holds = await this.tx((ctx) => expireOverdueHolds(ctx, limit));
    const breakage = await this.tx((ctx) => recordBreakage(ctx, limit));
    const purged_keys = await this.tx((ctx) => purgeIdempotencyKeys(ctx.q, ctx.now_ms));
    const expired_card_calls = await this.tx((ctx) => purgeExpiredCardCalls(ctx.q, ctx.now_ms, limit));
    return { expired_holds, breakage, purged_keys, expired_card_calls };
  }
}
