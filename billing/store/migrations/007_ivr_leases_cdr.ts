import type { Knex } from 'knex';

/**
 * IVR node leases and billing from Asterisk's CDRs.
 * - `ivr_nodes`: one row per live IVR process (its lease: renewed on a bounded interval, expiring on
 *   its own when the process vanishes). `instance` tells two processes using the same node id apart.
 * - `call_records.ivr_node`: the node that owns (meters, reconciles) an active call. A live node takes
 *   over the calls of a node whose lease expired by one conditional UPDATE of this column.
 * - `call_records.cdr_state`: `awaiting` (reconciled while nobody saw the call end: its unconfirmed
 *   chunks stay held until Asterisk's CDR says how long it lasted), `billed` (billed from the CDR),
 *   `missing` (no CDR came while the holds lasted: the reconcile rule's bill is final).
 * - `call_cdr_legs`: the CDR rows matched to a call (its outbound leg's row and the bridged row).
 * - `cdr_files`: how far each CDR file has been read (resumable, survives rotation).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('ivr_nodes', (t) => {
    t.string('node_id', 16).primary();
    t.string('instance', 40).notNullable();
    t.bigInteger('started_at_ms').notNullable();
    t.bigInteger('renewed_at_ms').notNullable();
    t.bigInteger('expires_at_ms').notNullable();
    t.index(['expires_at_ms']);
  });

  await knex.schema.alterTable('call_records', (t) => {
    t.string('ivr_node', 16).nullable();
    t.string('cdr_state', 16).nullable(); // awaiting | billed | missing
    t.integer('cdr_talk_s').nullable();
    t.index(['status', 'ivr_node']);
    t.index(['cdr_state']);
    t.index(['channel_id']);
  });
  // Calls in progress across the upgrade belong to the node their id names (`<node>-<hex>`).
  const active = await knex('call_records').where({ status: 'active' }).select<Array<{ id: string }>>('id');
  for (const { id } of active) {
    const node = id.includes('-') ? id.slice(0, id.indexOf('-')) : null;
    if (node) await knex('call_records').where({ id }).update({ ivr_node: node.slice(0, 16) });
  }

  await knex.schema.createTable('call_cdr_legs', (t) => {
    t.string('call_id', 40).notNullable();
    t.string('role', 10).notNullable(); // outbound | bridged
    t.string('uniqueid', 150).notNullable();
    t.string('channel', 200).notNullable();
    t.string('dstchannel', 200).notNullable();
    t.string('answer_text', 32).notNullable(); // as Asterisk wrote it ('' when never answered)
    t.string('end_text', 32).notNullable();
    t.integer('billsec').notNullable();
    t.string('disposition', 20).notNullable();
    t.string('source', 600).notNullable(); // file:byte offset of the line
    t.bigInteger('imported_at_ms').notNullable();
    t.primary(['call_id', 'role']);
  });

  await knex.schema.createTable('cdr_files', (t) => {
    t.string('source', 600).primary(); // host:path of the file read
    t.string('identity', 64).notNullable(); // device:inode, to notice rotation
    t.bigInteger('read_offset').notNullable();
    t.string('tail_hash', 64).notNullable(); // sha256 of the bytes just before read_offset, to notice a file rewritten in place
    t.bigInteger('updated_at_ms').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('cdr_files');
  await knex.schema.dropTableIfExists('call_cdr_legs');
  await knex.schema.alterTable('call_records', (t) => {
    t.dropIndex(['status', 'ivr_node']);
    t.dropIndex(['cdr_state']);
    t.dropIndex(['channel_id']);
  });
  await knex.schema.alterTable('call_records', (t) => {
    t.dropColumn('ivr_node');
    t.dropColumn('cdr_state');
    t.dropColumn('cdr_talk_s');
  });
  await knex.schema.dropTableIfExists('ivr_nodes');
}
