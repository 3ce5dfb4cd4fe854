import type { Billing } from '../billing/billing';
import type { Logger } from '../billing/shared/logger';

/** The part of the process configuration the sandbox reads. */
export interface SandboxSettings {
  /** The demo's card numbers, PINs and merchant key are derived from it (never stored in clear). */
  readonly secretKey: string;
  readonly defaultCurrency: string;
  readonly publicUrl: string;
  /** The demo is seeded only on the embedded default (SQLite in DATA_DIR). */
  readonly embedded: boolean;
  /** The demo's rate deck is seeded under the name calls are rated from (RATE_DECK). */
  readonly ivr: { readonly rateDeck: string };
}

/** What the sandbox is built from; the composition root (app/) builds it. */
export interface SandboxDeps {
  config: SandboxSettings;
  billing: Billing;
  logger: Logger;
}
