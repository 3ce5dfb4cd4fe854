import { randomBytes } from 'node:crypto';
import type { TxContext } from '../shared/context';
import { assert } from '../shared/errors';
import { cardAccount } from '../ledger/accounts';
import type { AccountId, EntryKind } from '../ledger/accounts';
import { postEntry } from '../ledger/ledger-writer';
import type { CardStatus, ExpiryPolicy } from './card';
import { last4 } from './card-number';

export interface NewCard {
  number: string;
  pin: string;
  serial: string;
  batch_id: number | null;
  currency: string;
  status: CardStatus;
  expiry: ExpiryPolicy;
}

/** A non-secret control number for plastic and support calls: 12 characters, no ambiguous letters. */
export function newSerial(): string {
  const alphabet = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
  const bytes = randomBytes(12);
  let s = '';
  for (const b of bytes) s += alphabet[b % 32];
  return s;
}

/** Inserts a card row (balance 0) and returns its id. Only hashes and last4 are stored. */
export async function insertCard(ctx: TxContext, c: NewCard): Promise<number> {
  const numberHash = ctx.hasher.cardNumber(c.number);
  const activated = c.status === 'active' ? ctx.now_ms : null;
  const DAY_MS = 86_400_000;
  const expires =
    c.expiry.kind === 'fixed' ? (c.expiry.expires_at_ms ?? null)
    : c.expiry.kind === 'after_activation' && activated !== null && c.expiry.days ? activated + c.expiry.days * DAY_MS
    : null;
  const row = await ctx.q.one<{ id: number }>(
    'INSERT INTO cards (number_hash, pin_hash, last4, serial, batch_id, currency, status, expiry_kind, expiry_days, expires_at_ms, activated_at_ms, created_at_ms, balance_minor, pending_minor, pin_failures) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, 0) RETURNING id',
    [numberHash, ctx.hasher.pin(numberHash, c.pin), last4(c.number), c.serial, c.batch_id, c.currency, c.status, c.expiry.kind, c.expiry.days ?? null, expires, activated, ctx.now_ms],
  );
  assert(row, 'card id');
  return row.id;
}

/** Puts value on a card: one balanced entry from a funding account. */
export async function creditCard(
  ctx: TxContext,
  card_id: number,
  amount_minor: number,
  currency: string,
  from: AccountId,
  kind: EntryKind,
  meta: { reference?: string | null; reason?: string | null; actor?: string | null } = {},
): Promise<number> {
  assert(Number.isSafeInteger(amount_minor) && amount_minor > 0, 'credit is a positive integer');
  return postEntry(ctx.q, ctx.now_ms, {
    kind,
    card_id,
    ...meta,
    postings: [
      { account: cardAccount(card_id), card_id, amount_minor, currency },
      { account: from, card_id: null, amount_minor: -amount_minor, currency },
    ],
  });
}
