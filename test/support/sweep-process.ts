/**
 * A separate process that runs the hold sweeper once against DATABASE_URL at time NOW_MS and prints
 * the result as JSON: for tests proving the sweeper is safe in several processes at once.
 */
import { Billing } from '../../billing/billing';
import { SecretHasher } from '../../billing/cards/secrets';
import { DEFAULT_POLICY } from '../../billing/shared/context';
import { openDatabase } from '../../billing/store/sql/open';

const db = openDatabase(process.env.DATABASE_URL ?? '');
const clock = { now: () => new Date(Number(process.env.NOW_MS)) };
const billing = new Billing(db, new SecretHasher(process.env.SECRET_KEY ?? ''), clock, DEFAULT_POLICY);
let expired = 0;
for (let round = 0; round < 20; round++) {
  const r = await billing.sweep(Number(process.env.LIMIT ?? 5));
  expired += r.expired_holds;
  if (r.expired_holds === 0) break;
}
await db.close();
process.stdout.write(JSON.stringify({ expired }));
