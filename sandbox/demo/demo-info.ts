import type { Billing } from '../../billing/billing';
import { cardByNumberHash } from '../../billing/cards/card-rows';
import type { SandboxSettings } from '../sandbox-deps';
import { DEMO_BATCH, DEMO_MERCHANT } from './demo-data';
import { demoCardNumber, demoCardPin, demoMerchantKey } from './demo-secrets';

export interface DemoCard {
  number: string;
  pin: string;
  balance_minor: number;
  available_minor: number;
  currency: string;
  status: string;
}

export interface DemoInfo {
  cards: DemoCard[];
  merchant: { name: string; api_key: string } | null;
}

/**
 * The seeded demo's cards (derived again from SECRET_KEY, with their live balances) and merchant key;
 * null when no demo was seeded in this database. Only cards of the `demo` batch are ever shown.
 */
export async function readDemo(config: Pick<SandboxSettings, 'secretKey'>, billing: Billing): Promise<DemoInfo | null> {
  const q = billing.db;
  const batch = await q.one<{ id: number; card_count: number }>('SELECT id, card_count FROM batches WHERE name = ?', [DEMO_BATCH]);
  if (!batch) return null;
  const cards: DemoCard[] = [];
  for (let i = 0; i < Math.min(batch.card_count, 10); i++) {
    const number = demoCardNumber(config.secretKey, i, billing.policy.issuer_prefix);
    const row = await cardByNumberHash(q, billing.hasher.cardNumber(number));
    if (!row || row.batch_id !== batch.id) continue;
    cards.push({
      number, pin: demoCardPin(config.secretKey, i, billing.policy.pin_length),
      balance_minor: row.balance_minor, available_minor: row.balance_minor - row.pending_minor, currency: row.currency, status: row.status,
    });
  }
  const key = demoMerchantKey(config.secretKey);
  const m = await q.one<{ name: string }>("SELECT name FROM merchants WHERE api_key_hash = ? AND status = 'active'", [billing.hasher.apiKey(key)]);
  return { cards, merchant: m ? { name: m.name || DEMO_MERCHANT, api_key: key } : null };
}
