import type { Sql } from '../store/sql/database';
import type { Carrier } from './carrier';
import { listCarriers } from './carrier-store';

/** `billing.carriers`: what the SIP edge reads of carriers (e.g. their sources, to match inbound calls). */
export class Carriers {
  constructor(private readonly q: Sql) {}

  /** Every carrier, enabled or not, by name. */
  list(): Promise<Carrier[]> {
    return listCarriers(this.q);
  }
}
