import type { Knex } from 'knex';

/**
 * The cyber card site: orders (one per checkout, fulfilled at most once), the sandbox payment
 * provider's sessions, and the transactional mail outbox. No card number or PIN is stored in
 * clear: `orders.secret_enc` is AES-256-GCM sealed with a key derived from SECRET_KEY.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('orders', (t) => {
    t.string('id', 40).primary();
    t.string('kind', 16).notNullable(); // card | recharge
    t.string('status', 16).notNullable(); // pending | fulfilled | failed
    t.bigInteger('amount_minor').notNullable();
    t.string('currency', 3).notNullable();
    t.string('buyer_email', 254).notNullable();
    t.string('buyer_session_hash', 64).nullable();
    t.string('recipient_email', 254).nullable();
    t.string('recipient_name', 100).nullable();
    t.string('gift_message', 500).nullable();
    t.bigInteger('send_at_ms').nullable();
    t.bigInteger('card_id').nullable().references('id').inTable('cards');
    t.string('card_last4', 4).nullable();
    t.string('provider', 16).notNullable();
    t.string('provider_session_id', 255).nullable().unique();
    t.string('provider_payment_id', 255).nullable().unique();
    t.text('secret_enc').nullable();
    t.string('claim_token_hash', 64).nullable().unique();
    t.bigInteger('revealed_at_ms').nullable();
    t.bigInteger('claimed_at_ms').nullable();
    t.string('failure_code', 40).nullable();
    t.bigInteger('created_at_ms').notNullable();
    t.bigInteger('fulfilled_at_ms').nullable();
    t.index(['status', 'created_at_ms']);
    t.check('amount_minor > 0', [], 'orders_amount_positive');
  });

  await knex.schema.createTable('sandbox_payments', (t) => {
    t.string('id', 40).primary();
    t.string('order_id', 40).notNullable();
    t.bigInteger('amount_minor').notNullable();
    t.string('currency', 3).notNullable();
    t.string('description', 200).notNullable();
    t.string('success_url', 500).notNullable();
    t.string('cancel_url', 500).notNullable();
    t.string('status', 16).notNullable(); // open | paid
    t.string('payment_id', 40).nullable();
    t.integer('declines').notNullable().defaultTo(0);
    t.bigInteger('created_at_ms').notNullable();
  });

  await knex.schema.createTable('mail_outbox', (t) => {
    t.bigIncrements('id').primary();
    t.string('kind', 16).notNullable(); // receipt | gift
    t.string('order_id', 40).notNullable().references('id').inTable('orders');
    t.string('to_address', 254).notNullable();
    t.string('status', 16).notNullable(); // pending | sent | failed
    t.integer('attempts').notNullable().defaultTo(0);
    t.bigInteger('next_attempt_at_ms').notNullable();
    t.string('last_error', 500).nullable();
    t.string('message_id', 255).nullable();
    t.bigInteger('created_at_ms').notNullable();
    t.bigInteger('sent_at_ms').nullable();
    t.index(['status', 'next_attempt_at_ms']);
    t.index(['order_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const t of ['mail_outbox', 'sandbox_payments', 'orders']) await knex.schema.dropTableIfExists(t);
}
