import { Billing } from '../billing/billing';
import { SecretHasher } from '../billing/cards/secrets';
import { systemClock } from '../billing/shared/clock';
import type { Clock } from '../billing/shared/clock';
import { DEFAULT_POLICY } from '../billing/shared/context';
import type { BillingPolicy } from '../billing/shared/context';
import { migrate, openDatabase } from '../billing/store/sql/open';
import type { Config } from './config';

/** Opens the billing core for a process: migrations first (idempotent), then the raw driver. */
export async function openBilling(config: Config, opts: { clock?: Clock; policy?: Partial<BillingPolicy>; migrate?: boolean; poolSize?: number } = {}): Promise<Billing> {
  if (opts.migrate !== false) await migrate(config.databaseUrl);
  const db = openDatabase(config.databaseUrl, { poolSize: opts.poolSize });
  return new Billing(db, new SecretHasher(config.secretKey), opts.clock ?? systemClock, { ...DEFAULT_POLICY, ...config.cardSecurity, sell_deck: config.ivr.rateDeck, ...opts.policy });
}
