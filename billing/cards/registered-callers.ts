import type { TxContext } from '../shared/context';

/**
 * Phones registered for PIN-less access: a caller number (as the IVR normalises it, E.164 when it
 * can) maps to one card. Registering a number again moves it to the new card.
 */
export async function cardIdOfCaller(ctx: Pick<TxContext, 'q'>, caller_number: string): Promise<number | undefined> {
  const row = await ctx.q.one<{ card_id: number }>('SELECT card_id FROM registered_callers WHERE caller_number = ?', [caller_number]);
  return row ? Number(row.card_id) : undefined;
}

export async function registerCaller(ctx: Pick<TxContext, 'q' | 'now_ms'>, caller_number: string, card_id: number): Promise<void> {
  await ctx.q.run(
    'INSERT INTO registered_callers (caller_number, card_id, created_at_ms) VALUES (?, ?, ?) ON CONFLICT (caller_number) DO UPDATE SET card_id = excluded.card_id, created_at_ms = excluded.created_at_ms',
    [caller_number, card_id, ctx.now_ms],
  );
}

/** Removes the registration when it points at `card_id`; false when the number was not registered to it. */
export async function unregisterCaller(ctx: Pick<TxContext, 'q'>, caller_number: string, card_id: number): Promise<boolean> {
  const r = await ctx.q.run('DELETE FROM registered_callers WHERE caller_number = ? AND card_id = ?', [caller_number, card_id]);
  return r.changes === 1;
}
