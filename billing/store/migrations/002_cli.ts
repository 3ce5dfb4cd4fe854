import type { Knex } from 'knex';

/**
 * Operator CLI additions: a batch remembers its status, origin, total value, ledger entry and who
 * made it; `operator_events` is the audit trail of what operators did (status changes, adjustments,
 * key rotations, deck imports), with the operator's name.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('batches', (t) => {
    t.string('status', 16).notNullable().defaultTo('inactive'); // inactive | active | suspended
    t.string('source', 16).notNullable().defaultTo('generated'); // generated | imported
    t.bigInteger('total_minor').notNullable().defaultTo(0);
    t.bigInteger('entry_id').nullable();
    t.string('actor', 100).nullable();
  });
  await knex.schema.createTable('operator_events', (t) => {
    t.bigIncrements('id').primary();
    t.string('action', 40).notNullable();
    t.string('target_kind', 16).notNullable(); // card | batch | merchant | deck
    t.string('target_id', 100).notNullable();
    t.string('actor', 100).notNullable();
    t.string('detail', 1000).nullable();
    t.bigInteger('created_at_ms').notNullable();
    t.index(['target_kind', 'target_id']);
    t.index(['created_at_ms']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('operator_events');
  await knex.schema.alterTable('batches', (t) => {
    t.dropColumn('status');
    t.dropColumn('source');
    t.dropColumn('total_minor');
    t.dropColumn('entry_id');
    t.dropColumn('actor');
  });
}
