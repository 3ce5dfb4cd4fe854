import type { Knex } from 'knex';

/**
 * Carriers and least-cost routing. A carrier is a SIP trunk we buy termination from; its buy deck
 * is an ordinary rate deck (same tables, same versioned import and atomic switch as the sell decks)
 * marked with `rate_decks.carrier_id` and named `carrier:<id>`. `route_attempts` keeps every carrier
 * the edge tried for a call; the call record gets the winning carrier, the buy rate it snapshotted,
 * the talk time and the buy cost, so each call carries revenue (cost_minor), cost and margin.
 * `routing_epoch` is one row the DATABASE bumps (triggers) on any change to carriers or rate decks,
 * so a routing cache in any process can tell with one primary-key read that it may be stale; on
 * PostgreSQL the bump is also NOTIFYed on channel `routing_epoch`.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('carriers', (t) => {
    t.increments('id').primary();
    t.string('name', 100).notNullable().unique();
    t.string('sip_uri', 255).notNullable();
    t.string('transport', 3).notNullable();
    t.string('tech_prefix', 20).notNullable().defaultTo('');
    t.integer('send_plus').notNullable().defaultTo(0);
    t.integer('max_concurrent').nullable();
    t.integer('cps').nullable();
    t.text('sources_json').notNullable().defaultTo('[]');
    t.integer('enabled').notNullable().defaultTo(1);
    t.integer('priority').notNullable().defaultTo(0);
    t.integer('allow_loss').notNullable().defaultTo(0);
    t.bigInteger('created_at_ms').notNullable();
    t.bigInteger('updated_at_ms').notNullable();
    t.check("transport IN ('udp', 'tcp', 'tls')", [], 'carriers_transport');
    t.check('send_plus IN (0, 1) AND enabled IN (0, 1) AND allow_loss IN (0, 1)', [], 'carriers_flags');
    t.check('(max_concurrent IS NULL OR max_concurrent > 0) AND (cps IS NULL OR cps > 0)', [], 'carriers_capacity');
  });

  // No foreign key: SQLite cannot drop a column that has one (the `down` below must work on both).
  await knex.raw('ALTER TABLE rate_decks ADD COLUMN carrier_id INTEGER NULL');
  await knex.raw('CREATE INDEX rate_decks_carrier ON rate_decks (carrier_id, status)');

  await knex.schema.createTable('route_attempts', (t) => {
    t.bigIncrements('id').primary();
    t.string('call_id', 40).nullable();
    t.integer('carrier_id').notNullable().references('id').inTable('carriers');
    t.integer('attempt_order').notNullable();
    t.bigInteger('started_at_ms').notNullable();
    t.bigInteger('ended_at_ms').notNullable();
    t.integer('sip_status').nullable();
    t.string('outcome', 20).notNullable();
    t.index(['call_id']);
    t.index(['carrier_id', 'started_at_ms']);
    t.index(['started_at_ms']);
    t.check("outcome IN ('answered', 'failed', 'timeout', 'cancelled', 'transport_error', 'skipped_capacity')", [], 'route_attempts_outcome');
    t.check('attempt_order >= 1 AND ended_at_ms >= started_at_ms', [], 'route_attempts_consistent');
  });

  await knex.schema.createTable('routing_epoch', (t) => {
    t.integer('id').primary();
    t.bigInteger('epoch').notNullable();
  });
  await knex('routing_epoch').insert({ id: 1, epoch: 1 });
  if (knex.client.config.client === 'pg') {
    // PostgreSQL also tells listening processes (delivered at commit, in order; nothing on rollback).
    await knex.raw(`CREATE FUNCTION routing_epoch_bump() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE e bigint;
      BEGIN
        UPDATE routing_epoch SET epoch = epoch + 1 WHERE id = 1 RETURNING epoch INTO e;
        PERFORM pg_notify('routing_epoch', e::text);
        RETURN NULL;
      END $$`);
    for (const table of ['carriers', 'rate_decks']) {
      await knex.raw(`CREATE TRIGGER ${table}_routing_epoch AFTER INSERT OR UPDATE OR DELETE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION routing_epoch_bump()`);
    }
  } else {
    for (const table of ['carriers', 'rate_decks']) {
      for (const event of ['INSERT', 'UPDATE', 'DELETE']) {
        await knex.raw(`CREATE TRIGGER ${table}_routing_epoch_${event.toLowerCase()} AFTER ${event} ON ${table} BEGIN UPDATE routing_epoch SET epoch = epoch + 1 WHERE id = 1; END`);
      }
    }
  }

  for (const column of [
    'carrier_id INTEGER NULL',
    'buy_rate_json TEXT NULL',
    'talk_ms BIGINT NULL',
    'buy_billed_seconds INTEGER NULL',
    'buy_cost_minor BIGINT NULL',
  ]) await knex.raw(`ALTER TABLE call_records ADD COLUMN ${column}`);
  await knex.raw('CREATE INDEX call_records_carrier ON call_records (carrier_id, started_at_ms)');
  await knex.raw('CREATE INDEX call_records_started ON call_records (started_at_ms)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS call_records_started');
  await knex.raw('DROP INDEX IF EXISTS call_records_carrier');
  for (const column of ['buy_cost_minor', 'buy_billed_seconds', 'talk_ms', 'buy_rate_json', 'carrier_id']) {
    await knex.raw(`ALTER TABLE call_records DROP COLUMN ${column}`);
  }
  await knex.schema.dropTableIfExists('route_attempts');
  for (const table of ['carriers', 'rate_decks']) {
    if (knex.client.config.client === 'pg') await knex.raw(`DROP TRIGGER IF EXISTS ${table}_routing_epoch ON ${table}`);
    else for (const event of ['insert', 'update', 'delete']) await knex.raw(`DROP TRIGGER IF EXISTS ${table}_routing_epoch_${event}`);
  }
  if (knex.client.config.client === 'pg') await knex.raw('DROP FUNCTION IF EXISTS routing_epoch_bump()');
  await knex.schema.dropTableIfExists('routing_epoch');
  // Buy decks go with their carriers; sell decks stay.
  await knex.raw('DELETE FROM rates WHERE deck_id IN (SELECT id FROM rate_decks WHERE carrier_id IS NOT NULL)');
  await knex.raw('DELETE FROM rate_decks WHERE carrier_id IS NOT NULL');
  await knex.raw('DROP INDEX IF EXISTS rate_decks_carrier');
  await knex.raw('ALTER TABLE rate_decks DROP COLUMN carrier_id');
  await knex.schema.dropTableIfExists('carriers');
}
