import type { Sql } from '../store/sql/database';
import { newId } from '../shared/ids';
import type { CheckoutRequest } from './payment-provider';

/**
 * The sandbox payment provider's state, kept in the database (so any site process can serve its
 * pages). No real money: the test card numbers below are the only ones it knows.
 */
export const SANDBOX_TEST_CARDS = {
  succeeds: '4242424242424242',
  declines: '4000000000000002',
} as const;

export interface SandboxSession {
  id: string;
  order_id: string;
  amount_minor: number;
  currency: string;
  description: string;
  success_url: string;
  cancel_url: string;
  status: 'open' | 'paid';
  payment_id: string | null;
  declines: number;
  created_at_ms: number;
}

export type SandboxPayOutcome =
  | { ok: true; session: SandboxSession }
  | { ok: false; reason: 'declined' | 'unknown_test_card' | 'not_found' };

const COLUMNS = 'id, order_id, amount_minor, currency, description, success_url, cancel_url, status, payment_id, declines, created_at_ms';

export async function createSandboxSession(q: Sql, now_ms: number, r: CheckoutRequest): Promise<SandboxSession> {
  const id = newId('sbcs');
  await q.run(`INSERT INTO sandbox_payments (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, 'open', NULL, 0, ?)`, [
    id, r.order_id, r.amount_minor, r.currency, r.description.slice(0, 200), r.success_url, r.cancel_url, now_ms,
  ]);
  return (await sandboxSession(q, id))!;
}

export async function sandboxSession(q: Sql, id: string): Promise<SandboxSession | undefined> {
  return q.one<SandboxSession>(`SELECT ${COLUMNS} FROM sandbox_payments WHERE id = ?`, [id]);
}

/** "Pays" a sandbox session with a test card: 4242… succeeds (once; a repeat returns the same payment), 4000…0002 declines. */
export async function paySandboxSession(q: Sql, id: string, testCardNumber: string): Promise<SandboxPayOutcome> {
  const s = await sandboxSession(q, id);
  if (!s) return { ok: false, reason: 'not_found' };
  if (s.status === 'paid') return { ok: true, session: s };
  const digits = testCardNumber.replace(/[\s-]/g, '');
  if (digits === SANDBOX_TEST_CARDS.declines) {
    await q.run('UPDATE sandbox_payments SET declines = declines + 1 WHERE id = ?', [id]);
    return { ok: false, reason: 'declined' };
  }
  if (digits !== SANDBOX_TEST_CARDS.succeeds) return { ok: false, reason: 'unknown_test_card' };
  await q.run("UPDATE sandbox_payments SET status = 'paid', payment_id = ? WHERE id = ? AND status = 'open'", [newId('sbpay'), id]);
  return { ok: true, session: (await sandboxSession(q, id))! };
}
