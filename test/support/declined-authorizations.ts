import { setCardStatus } from '../../billing/cards/card-admin';
import type { AuthorizeInput } from '../../billing/settlement/settlement';
import type { TxContext } from '../../billing/shared/context';
import type { TestBilling } from './databases';

/**
 * The states of a card or a request in which an authorization's short path (one statement on
 * PostgreSQL: settlement-one-statement.ts; one UPDATE on SQLite: authorize-in-one-update.ts) must
 * write nothing and leave the general path to decide. Each puts the card or the request in one
 * state the general path answers with an error (or a correction); dropping any condition from the
 * short path's WHERE clause makes the matching row fail.
 */
export const WRITES = ['holds', 'ledger_entries', 'postings', 'idempotency_keys', 'auth_throttles', 'refunds'];

/** Row counts of what a money move writes, and the cards' money and lock columns. */
export async function snapshot(t: TestBilling): Promise<Record<string, unknown>> {
  const q = t.billing.read().q;
  const out: Record<string, unknown> = {};
  for (const table of WRITES) out[table] = Number((await q.one<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`))?.n);
  out.cards = await q.all('SELECT id, balance_minor, pending_minor, pin_failures, locked_until_ms, first_used_at_ms, expires_at_ms FROM cards ORDER BY id');
  return out;
}

export interface World { t: TestBilling; merchant: number; other: number; number: string; pin: string; card_id: number }
export type Setup = (ctx: TxContext, w: World) => Promise<unknown>;
const sql = (text: string): Setup => (ctx, w) => ctx.q.run(text.replace(/\$card/g, String(w.card_id)));

export const DECLINED: Array<{ name: string; setup?: Setup; input?: Partial<AuthorizeInput>; key?: 'taken' }> = [
  { name: 'a wrong PIN (the general path counts it)', input: { pin: '9999' } },
  { name: 'the right PIN on a card with a failure counted (the general path resets it)', setup: sql('UPDATE cards SET pin_failures = 1 WHERE id = $card') },
  { name: 'a locked card', setup: sql(`UPDATE cards SET locked_until_ms = ${Date.UTC(2027, 0, 1)} WHERE id = $card`) },
  { name: 'a card whose lock has run out (the general path clears it)', setup: sql('UPDATE cards SET locked_until_ms = 1 WHERE id = $card') },
  { name: 'a card with a lockout counted (the general path resets it)', setup: sql('UPDATE cards SET pin_lockouts = 1 WHERE id = $card') },
  { name: 'a card locked until an operator unlocks it', setup: sql(`UPDATE cards SET pin_blocked_at_ms = ${Date.UTC(2025, 0, 1)} WHERE id = $card`) },
  { name: 'an inactive card', setup: sql("UPDATE cards SET status = 'inactive' WHERE id = $card") },
  { name: 'a suspended card', setup: (ctx, w) => setCardStatus(ctx, w.card_id, 'suspended') },
  { name: 'a closed card', setup: (ctx, w) => setCardStatus(ctx, w.card_id, 'closed') },
  { name: 'an expired card', setup: sql(`UPDATE cards SET expires_at_ms = ${Date.UTC(2025, 0, 1)} WHERE id = $card`) },
  { name: 'the first spend of a card that expires N days after first use', setup: sql("UPDATE cards SET expiry_kind = 'after_first_use', expiry_days = 30 WHERE id = $card") },
  { name: 'another currency', input: { currency: 'EUR' } },
  { name: 'more than is available', input: { amount: 5001 } },
  { name: 'more than is available once held money counts', setup: sql('UPDATE cards SET pending_minor = 4901 WHERE id = $card') },
  { name: 'an unknown card number', input: { card_number: '4111111111111111' } },
  {
    name: 'a card of a batch still being loaded (invisible to every lookup)',
    setup: async (ctx, w) => {
      await ctx.q.run("INSERT INTO batches (name, currency, value_minor, card_count, created_at_ms, status) VALUES ('still loading', 'USD', 5000, 1, 0, 'loading')");
      await ctx.q.run("UPDATE cards SET batch_id = (SELECT id FROM batches WHERE name = 'still loading') WHERE id = ?", [w.card_id]);
    },
  },
  { name: 'a malformed PIN', input: { pin: '12a4' } },
  { name: 'a throttled customer address', setup: sql(`INSERT INTO auth_throttles (key, failures, window_start_ms, locked_until_ms) VALUES ('ip:192.0.2.7', 0, 0, ${Date.UTC(2027, 0, 1)})`) },
  { name: 'a throttled merchant (card-testing protection)', setup: (ctx, w) => ctx.q.run(`INSERT INTO auth_throttles (key, failures, window_start_ms, locked_until_ms) VALUES ('merchant:${w.merchant}', 0, 0, ${Date.UTC(2027, 0, 1)})`) },
  { name: 'an Idempotency-Key already used (its unique index rolls the statement back)', key: 'taken' },
];
