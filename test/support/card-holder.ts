import { cardById } from '../../billing/cards/card-rows';
import type { Database } from '../../billing/store/sql/database';

/**
 * A general transaction holding card `card_id` as every writer of a card does (cardById with
 * `lock`: on PostgreSQL the card's lock of billing/cards/card-lock.ts, then its row FOR UPDATE),
 * kept open until `release()` (which commits it). Resolves once the card is held.
 */
export async function holdCard(db: Database, card_id: number): Promise<{ release(): Promise<void> }> {
  let held!: () => void;
  let release!: () => void;
  const isHeld = new Promise<void>((r) => { held = r; });
  const released = new Promise<void>((r) => { release = r; });
  const tx = db.tx(async (q) => {
    if (!(await cardById(q, card_id, true))) throw new Error(`no card ${card_id}`);
    held();
    await released;
  });
  await Promise.race([isHeld, tx]);
  return { release: async () => { release(); await tx; } };
}
