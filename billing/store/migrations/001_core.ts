import type { Knex } from 'knex';

/** The billing core's schema. Times are epoch milliseconds (`*_at_ms`), money is integer minor units. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('merchants', (t) => {
    t.increments('id').primary();
    t.string('name', 200).notNullable();
    t.string('api_key_hash', 64).nullable().unique();
    t.string('api_key_last4', 4).nullable();
    t.string('status', 16).notNullable().defaultTo('active');
    t.bigInteger('created_at_ms').notNullable();
  });

  await knex.schema.createTable('batches', (t) => {
    t.increments('id').primary();
    t.string('name', 100).notNullable().unique();
    t.string('currency', 3).notNullable();
    t.bigInteger('value_minor').notNullable();
    t.integer('card_count').notNullable().defaultTo(0);
    t.bigInteger('created_at_ms').notNullable();
  });

  await knex.schema.createTable('cards', (t) => {
    t.bigIncrements('id').primary();
    t.string('number_hash', 64).notNullable().unique();
    t.string('pin_hash', 64).notNullable();
    t.string('last4', 4).notNullable();
    t.string('serial', 32).notNullable().unique();
    t.integer('batch_id').nullable().references('id').inTable('batches');
    t.string('currency', 3).notNullable();
    t.string('status', 16).notNullable();
    t.string('expiry_kind', 20).notNullable().defaultTo('none');
    t.integer('expiry_days').nullable();
    t.bigInteger('expires_at_ms').nullable();
    t.bigInteger('activated_at_ms').nullable();
    t.bigInteger('first_used_at_ms').nullable();
    t.bigInteger('created_at_ms').notNullable();
    t.bigInteger('balance_minor').notNullable().defaultTo(0);
    t.bigInteger('pending_minor').notNullable().defaultTo(0);
    t.integer('pin_failures').notNullable().defaultTo(0);
    t.bigInteger('locked_until_ms').nullable();
    t.index(['batch_id']);
    // The store's last line of defence: available = balance − pending never below zero.
    t.check('pending_minor >= 0 AND balance_minor >= pending_minor', [], 'cards_available_non_negative');
  });

  await knex.schema.createTable('holds', (t) => {
    t.string('id', 40).primary();
    t.bigInteger('card_id').notNullable().references('id').inTable('cards');
    t.string('kind', 16).notNullable();
    t.integer('merchant_id').nullable().references('id').inTable('merchants');
    t.string('call_id', 40).nullable();
    t.string('currency', 3).notNullable();
    t.bigInteger('amount_minor').notNullable();
    t.bigInteger('captured_minor').notNullable().defaultTo(0);
    t.bigInteger('refunded_minor').notNullable().defaultTo(0);
    t.string('status', 16).notNullable();
    t.string('reference', 200).nullable();
    t.string('description', 500).nullable();
    t.bigInteger('expires_at_ms').notNullable();
    t.bigInteger('created_at_ms').notNullable();
    t.bigInteger('updated_at_ms').notNullable();
    t.index(['status', 'expires_at_ms']);
    t.index(['card_id', 'status']);
    t.index(['call_id']);
    t.check('amount_minor > 0 AND captured_minor >= 0 AND captured_minor <= amount_minor AND refunded_minor >= 0 AND refunded_minor <= captured_minor', [], 'holds_amounts_consistent');
  });

  await knex.schema.createTable('ledger_entries', (t) => {
    t.bigIncrements('id').primary();
    t.string('kind', 20).notNullable();
    t.bigInteger('card_id').nullable();
    t.string('hold_id', 40).nullable();
    t.string('reference', 200).nullable();
    t.string('reason', 500).nullable();
    t.string('actor', 100).nullable();
    t.bigInteger('created_at_ms').notNullable();
    t.index(['card_id', 'id']);
    t.index(['created_at_ms']);
  });

  await knex.schema.createTable('postings', (t) => {
    t.bigIncrements('id').primary();
    t.bigInteger('entry_id').notNullable().references('id').inTable('ledger_entries');
    t.string('account', 60).notNullable();
    t.bigInteger('card_id').nullable();
    t.bigInteger('amount_minor').notNullable();
    t.string('currency', 3).notNullable();
    t.index(['entry_id']);
    t.index(['card_id']);
    t.index(['account']);
  });

  await knex.schema.createTable('refunds', (t) => {
    t.string('id', 40).primary();
    t.string('hold_id', 40).notNullable().references('id').inTable('holds');
    t.bigInteger('amount_minor').notNullable();
    t.string('reason', 500).nullable();
    t.bigInteger('entry_id').notNullable();
    t.bigInteger('created_at_ms').notNullable();
    t.index(['hold_id']);
  });

  await knex.schema.createTable('idempotency_keys', (t) => {
    t.string('scope', 60).notNullable();
    t.string('key', 255).notNullable();
    t.string('request_hash', 64).notNullable();
    t.integer('status_code').notNullable();
    t.text('response_json').notNullable();
    t.bigInteger('created_at_ms').notNullable();
    t.primary(['scope', 'key']);
    t.index(['created_at_ms']);
  });

  await knex.schema.createTable('rate_decks', (t) => {
    t.increments('id').primary();
    t.string('name', 100).notNullable();
    t.string('currency', 3).notNullable();
    t.string('status', 16).notNullable(); // loading | active | retired
    t.integer('row_count').notNullable().defaultTo(0);
    t.bigInteger('created_at_ms').notNullable();
    t.bigInteger('activated_at_ms').nullable();
    t.index(['name', 'status']);
  });

  await knex.schema.createTable('rates', (t) => {
    t.integer('deck_id').notNullable().references('id').inTable('rate_decks');
    t.string('prefix', 15).notNullable();
    t.string('destination', 200).notNullable();
    t.bigInteger('rate_per_minute_scaled').notNullable();
    t.bigInteger('connect_fee_minor').notNullable();
    t.integer('initial_increment_s').notNullable();
    t.integer('increment_s').notNullable();
    t.bigInteger('min_charge_minor').notNullable();
    t.integer('blocked').notNullable();
    t.primary(['deck_id', 'prefix']);
  });

  await knex.schema.createTable('call_records', (t) => {
    t.string('id', 40).primary();
    t.bigInteger('card_id').nullable();
    t.string('caller_number', 32).nullable();
    t.string('access_number', 32).nullable();
    t.string('destination', 32).nullable();
    t.string('destination_name', 200).nullable();
    t.string('currency', 3).nullable();
    t.text('rate_json').nullable();
    t.string('status', 16).notNullable(); // active | completed | failed
    t.bigInteger('started_at_ms').notNullable();
    t.bigInteger('answered_at_ms').nullable();
    t.bigInteger('ended_at_ms').nullable();
    t.integer('billed_seconds').notNullable().defaultTo(0);
    t.bigInteger('cost_minor').notNullable().defaultTo(0);
    t.bigInteger('captured_minor').notNullable().defaultTo(0);
    t.string('hangup_cause', 60).nullable();
    t.string('channel_id', 64).nullable();
    t.string('outbound_channel_id', 64).nullable();
    t.index(['card_id', 'started_at_ms']);
    t.index(['status']);
  });

  await knex.schema.createTable('registered_callers', (t) => {
    t.string('caller_number', 32).primary();
    t.bigInteger('card_id').notNullable().references('id').inTable('cards');
    t.bigInteger('created_at_ms').notNullable();
  });

  await knex.schema.createTable('auth_throttles', (t) => {
    t.string('key', 100).primary(); // e.g. caller:+15551234567, ip:127.0.0.1
    t.integer('failures').notNullable();
    t.bigInteger('window_start_ms').notNullable();
    t.bigInteger('locked_until_ms').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const t of ['auth_throttles', 'registered_callers', 'call_records', 'rates', 'rate_decks', 'idempotency_keys', 'refunds', 'postings', 'ledger_entries', 'holds', 'cards', 'batches', 'merchants']) {
    await knex.schema.dropTableIfExists(t);
  }
}
