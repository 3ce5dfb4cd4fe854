import type { Sql } from '../store/sql/database';
import { BillingError } from '../shared/errors';
import type { Carrier, CarrierInput, Transport } from './carrier';
import { validateCarrier } from './carrier';

export interface CarrierRow {
  id: number;
  name: string;
  sip_uri: string;
  transport: string;
  tech_prefix: string;
  send_plus: number;
  max_concurrent: number | null;
  cps: number | null;
  sources_json: string;
  enabled: number;
  priority: number;
  allow_loss: number;
}

export const CARRIER_COLUMNS = 'id, name, sip_uri, transport, tech_prefix, send_plus, max_concurrent, cps, sources_json, enabled, priority, allow_loss';

/** A row as the contract's Carrier (flags are 0/1 in the database, sources a JSON array). */
export function carrierFromRow(r: CarrierRow): Carrier {
  return {
    id: Number(r.id), name: r.name, sip_uri: r.sip_uri, transport: r.transport as Transport, tech_prefix: r.tech_prefix,
    send_plus: Number(r.send_plus) === 1, max_concurrent: r.max_concurrent === null ? null : Number(r.max_concurrent),
    cps: r.cps === null ? null : Number(r.cps), sources: JSON.parse(r.sources_json) as string[], enabled: Number(r.enabled) === 1,
    priority: Number(r.priority), allow_loss: Number(r.allow_loss) === 1,
  };
}

const toParams = (c: CarrierInput) => [
  c.name, c.sip_uri, c.transport, c.tech_prefix, c.send_plus ? 1 : 0, c.max_concurrent, c.cps, JSON.stringify(c.sources), c.enabled ? 1 : 0, c.priority, c.allow_loss ? 1 : 0,
];

export async function carrierByName(q: Sql, name: string): Promise<Carrier | undefined> {
  const r = await q.one<CarrierRow>(`SELECT ${CARRIER_COLUMNS} FROM carriers WHERE name = ?`, [name]);
  return r && carrierFromRow(r);
}

export async function carrierById(q: Sql, id: number): Promise<Carrier | undefined> {
  const r = await q.one<CarrierRow>(`SELECT ${CARRIER_COLUMNS} FROM carriers WHERE id = ?`, [id]);
  return r && carrierFromRow(r);
}

/** Every carrier, by name. */
export async function listCarriers(q: Sql): Promise<Carrier[]> {
  return (await q.all<CarrierRow>(`SELECT ${CARRIER_COLUMNS} FROM carriers ORDER BY name`)).map(carrierFromRow);
}

/** Adds a carrier (validated first); a name already taken is invalid_state. */
export async function insertCarrier(q: Sql, now_ms: number, input: CarrierInput): Promise<Carrier> {
  const c = validateCarrier(input);
  if (await carrierByName(q, c.name)) throw new BillingError('invalid_state', `a carrier named "${c.name}" already exists`, { field: 'name' });
  const row = await q.one<{ id: number }>(
    `INSERT INTO carriers (name, sip_uri, transport, tech_prefix, send_plus, max_concurrent, cps, sources_json, enabled, priority, allow_loss, created_at_ms, updated_at_ms)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
    [...toParams(c), now_ms, now_ms],
  );
  return { ...c, id: Number(row?.id) };
}

/** Changes some fields of a carrier (the whole result is validated again). */
export async function updateCarrier(q: Sql, now_ms: number, id: number, patch: Partial<CarrierInput>): Promise<Carrier> {
  const current = await q.one<CarrierRow>(`SELECT ${CARRIER_COLUMNS} FROM carriers WHERE id = ?${q.forUpdate}`, [id]);
  if (!current) throw new BillingError('not_found', `no carrier with id ${id}`);
  const { id: _id, ...was } = carrierFromRow(current);
  const next = validateCarrier({ ...was, ...patch });
  if (next.name !== was.name && (await carrierByName(q, next.name))) throw new BillingError('invalid_state', `a carrier named "${next.name}" already exists`, { field: 'name' });
  await q.run(
    `UPDATE carriers SET name = ?, sip_uri = ?, transport = ?, tech_prefix = ?, send_plus = ?, max_concurrent = ?, cps = ?, sources_json = ?, enabled = ?, priority = ?, allow_loss = ?,
            updated_at_ms = ? WHERE id = ?`,
    [...toParams(next), now_ms, id],
  );
  return { ...next, id };
}
