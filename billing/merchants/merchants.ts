import { randomBytes } from 'node:crypto';
import type { TxContext } from '../shared/context';
import { assert, fail, ok } from '../shared/errors';
import type { Result } from '../shared/errors';

export interface Merchant {
  id: number;
  name: string;
  status: 'active' | 'revoked';
  api_key_last4: string | null;
  created_at_ms: number;
}

/** `sk_` + 32 base62-ish characters from the CSPRNG. Shown once; only its keyed hash is stored. */
export function generateApiKey(): string {
  return `sk_${randomBytes(24).toString('base64url')}`;
}

export async function createMerchant(ctx: TxContext, name: string): Promise<Result<{ merchant: Merchant; api_key: string }>> {
  const clean = name.trim();
  if (!clean || clean.length > 200) return fail('validation_error', 'merchant name must be 1 to 200 characters');
  const api_key = generateApiKey();
  const row = await ctx.q.one<{ id: number }>(
    "INSERT INTO merchants (name, api_key_hash, api_key_last4, status, created_at_ms) VALUES (?, ?, ?, 'active', ?) RETURNING id",
    [clean, ctx.hasher.apiKey(api_key), api_key.slice(-4), ctx.now_ms],
  );
  assert(row, 'merchant id');
  return ok({ merchant: { id: row.id, name: clean, status: 'active', api_key_last4: api_key.slice(-4), created_at_ms: ctx.now_ms }, api_key });
}

export async function merchantByApiKey(ctx: Pick<TxContext, 'q' | 'hasher'>, api_key: string): Promise<Merchant | undefined> {
  if (!/^sk_[A-Za-z0-9_-]{20,64}$/.test(api_key)) return undefined;
  return ctx.q.one<Merchant>("SELECT id, name, status, api_key_last4, created_at_ms FROM merchants WHERE api_key_hash = ? AND status = 'active'", [ctx.hasher.apiKey(api_key)]);
}

export async function listMerchants(ctx: Pick<TxContext, 'q'>): Promise<Merchant[]> {
  return ctx.q.all<Merchant>('SELECT id, name, status, api_key_last4, created_at_ms FROM merchants ORDER BY id');
}

/** A new key replaces the old one at once (the old key stops working). */
export async function rotateApiKey(ctx: TxContext, merchant_id: number): Promise<Result<{ api_key: string }>> {
  const api_key = generateApiKey();
  const r = await ctx.q.run("UPDATE merchants SET api_key_hash = ?, api_key_last4 = ?, status = 'active' WHERE id = ?", [ctx.hasher.apiKey(api_key), api_key.slice(-4), merchant_id]);
  if (r.changes !== 1) return fail('not_found', 'no such merchant');
  return ok({ api_key });
}

export async function revokeApiKey(ctx: TxContext, merchant_id: number): Promise<Result<Merchant>> {
  const r = await ctx.q.run("UPDATE merchants SET api_key_hash = NULL, status = 'revoked' WHERE id = ?", [merchant_id]);
  if (r.changes !== 1) return fail('not_found', 'no such merchant');
  const m = await ctx.q.one<Merchant>('SELECT id, name, status, api_key_last4, created_at_ms FROM merchants WHERE id = ?', [merchant_id]);
  assert(m, 'merchant');
  return ok(m);
}
