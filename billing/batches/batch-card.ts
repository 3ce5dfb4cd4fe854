import type { ExpiryPolicy } from '../cards/card';

/** One card of a batch, in clear, on its way into the database (hashed) and the operator's CSV. */
export interface BatchCard {
  number: string;
  pin: string;
  serial: string;
  value_minor: number;
  expiry: ExpiryPolicy;
  /** Line of the source CSV, for imported cards (error messages). */
  line?: number;
}

/**
 * `loading`: cards are still going in (bulk loads commit in slices) and none of them can be found or
 * used; `discarding`: an unfinished load being removed. Then `inactive` | `active` | `suspended`.
 */
export type BatchStatus = 'loading' | 'discarding' | 'inactive' | 'active' | 'suspended';
export const STAGING_STATUSES: readonly BatchStatus[] = ['loading', 'discarding'];
export type BatchSource = 'generated' | 'imported';

export interface BatchSpec {
  name: string;
  currency: string;
  /** `active` when the operator asked for `--activate`. */
  status: 'inactive' | 'active';
  source: BatchSource;
  actor: string;
  /** Face value of every card, or 0 for an imported batch of mixed values. */
  value_minor: number;
}

export interface BatchSummary {
  id: number;
  name: string;
  currency: string;
  status: BatchStatus;
  source: BatchSource;
  card_count: number;
  value_minor: number;
  total_minor: number;
  entry_id: number | null;
  actor: string | null;
  created_at_ms: number;
}

const DAY_MS = 86_400_000;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** `YYYY-MM-DD` (UTC) → the first millisecond after that day; undefined when not a real date. */
export function endOfDayMs(text: string): number | undefined {
  const m = DATE.exec(text);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const start = Date.UTC(y, mo - 1, d);
  const back = new Date(start);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return undefined;
  return start + DAY_MS;
}

/** `YYYY-MM-DD` (UTC) of a day start. */
export const isoDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

export const MAX_EXPIRY_DAYS = 3650;

/**
 * The `expires` column of the batch CSV: empty (never), `2027-12-31` (usable through that day, UTC),
 * `90d after activation`, `90d after first use`.
 */
export function formatExpiry(e: ExpiryPolicy): string {
  switch (e.kind) {
    case 'none': return '';
    case 'fixed': return e.expires_at_ms ? isoDay(e.expires_at_ms - 1) : '';
    case 'after_activation': return `${e.days}d after activation`;
    case 'after_first_use': return `${e.days}d after first use`;
  }
}

export const EXPIRY_FORMS = 'empty, YYYY-MM-DD, "90d after activation" or "90d after first use"';

export function parseExpiry(text: string): ExpiryPolicy | undefined {
  const t = text.trim();
  if (t === '') return { kind: 'none' };
  const fixed = endOfDayMs(t);
  if (fixed !== undefined) return { kind: 'fixed', expires_at_ms: fixed };
  const rel = /^(\d{1,4})d after (activation|first use)$/.exec(t);
  if (!rel) return undefined;
  const days = Number(rel[1]);
  if (days < 1 || days > MAX_EXPIRY_DAYS) return undefined;
  return { kind: rel[2] === 'activation' ? 'after_activation' : 'after_first_use', days };
}

/** Concrete expiry date of a card created now with `status`. */
export function expiresAtMs(e: ExpiryPolicy, status: 'inactive' | 'active', now_ms: number): number | null {
  if (e.kind === 'fixed') return e.expires_at_ms ?? null;
  if (e.kind === 'after_activation' && status === 'active' && e.days) return now_ms + e.days * DAY_MS;
  return null;
}

/** Serials of generated cards: `B<batch id>-<sequence>`, unique by construction, easy to read off plastic. */
export function generatedSerial(batch_id: number, seq: number, width: number): string {
  return `B${batch_id}-${String(seq).padStart(width, '0')}`;
}
