import { expect } from 'chai';
import knexFactory from 'knex';
import { authenticateCard } from '../../billing/cards/card-auth';
import { deliverDueMail, DEFAULT_DELIVERY } from '../../billing/mail/deliver';
import type { MailMessage, MailTransport } from '../../billing/mail/mail-transport';
import { outboxOfOrder } from '../../billing/mail/outbox';
import { fulfilOrder } from '../../billing/orders/fulfil';
import { orderById } from '../../billing/orders/order';
import { createCardOrder } from '../../billing/orders/orders';
import { revealOwnCard } from '../../billing/orders/reveal';
import { MAX_REVEAL_LINKS, orderByRevealToken, renewRevealLink, revealByLink } from '../../billing/orders/reveal-link';
import { SecretBox } from '../../billing/orders/secret-box';
import { silentLogger } from '../../billing/shared/logger';
import { unwrap } from '../../billing/shared/errors';
import type { Result } from '../../billing/shared/errors';
import { migrationSource } from '../../billing/store/migrations/index';
import { parseDatabaseUrl } from '../../billing/store/sql/database-url';
import { createTestBilling, createTestDatabase, KINDS, requireKind, TEST_SECRET } from '../support/databases';
import type { TestBilling } from '../support/databases';

class RecordingTransport implements MailTransport {
  sent: MailMessage[] = [];
  async send(m: MailMessage) {
    this.sent.push(m);
    return { message_id: `<m${this.sent.length}@test>` };
  }
}

const box = new SecretBox(TEST_SECRET);
const BASE = 'https://shop.example';
const SUPPORT = 'help@shop.example';
const renderer = { box, publicUrl: BASE, supportEmail: SUPPORT };
const policy = { ...DEFAULT_DELIVERY, lease_ms: 60_000 };
const SESSION = 'session-hash-of-buyer';
const DAY = 86_400_000;
const TTL = 7 * DAY;
const code = (r: Result<unknown>) => (r.ok ? 'ok' : r.error.code);
const tokenIn = (m: MailMessage) => new RegExp(`${BASE}/reveal/([A-Za-z0-9_-]+)`).exec(m.text)?.[1];

for (const kind of KINDS) {
  describe(`one-time reveal links to a buyer's own card (${kind})`, () => {
    let t: TestBilling;
    let transport: RecordingTransport;
    before(async function () { await requireKind(this, kind); });
    beforeEach(async () => { t = await createTestBilling(kind); transport = new RecordingTransport(); });
    afterEach(async () => { await t?.close(); });

    async function paidCardOrder(gift: Parameters<typeof createCardOrder>[1]['gift'] = null) {
      const order = await t.billing.tx(async (ctx) => unwrap(await createCardOrder(ctx, { amount_minor: 2000, currency: 'USD', buyer_email: 'buyer@example.com', buyer_session_hash: SESSION, provider: 'sandbox', gift })));
      unwrap(await t.billing.tx((ctx) => fulfilOrder(ctx, box, { order_id: order.id, provider: 'sandbox', payment_id: `pay_${order.id}`, amount_minor: 2000, currency: 'USD' }, { reveal_link_ttl_ms: TTL })));
      return order.id;
    }
    const deliver = () => deliverDueMail(t.billing, transport, renderer, policy, silentLogger);

    it('the receipt carries a one-time link whose token is stored only as a keyed hash; it reveals once', async () => {
      const id = await paidCardOrder();
      await deliver();
      const [receipt] = transport.sent;
      expect(receipt!.to).to.equal('buyer@example.com');
      expect(receipt!.reply_to).to.equal(SUPPORT);
      expect(receipt!.text).to.contain(SUPPORT);
      expect(receipt!.text).to.not.match(/\d{16}/);
      const token = tokenIn(receipt!)!;
      expect(token).to.match(/^[A-Za-z0-9_-]{32}$/);
      const row = (await orderById(t.billing.db, id))!;
      expect(row.reveal_token_hash).to.equal(t.billing.hasher.token('card-reveal', token));
      expect(row.reveal_expires_at_ms).to.equal(t.clock.ms + TTL);
      for (const table of ['orders', 'mail_outbox']) expect(JSON.stringify(await t.billing.db.all(`SELECT * FROM ${table}`)), table).to.not.contain(token);

      expect((await orderByRevealToken(t.billing.read(), token))?.id).to.equal(id);
      const shown = unwrap(await t.billing.tx((ctx) => revealByLink(ctx, box, token)));
      expect((await t.billing.tx((ctx) => authenticateCard(ctx, shown.number, shown.pin))).ok).to.equal(true);
      const again = await t.billing.tx((ctx) => revealByLink(ctx, box, token));
      expect(code(again)).to.equal('invalid_state');
      expect(again.ok ? null : again.error.details?.reason).to.equal('shown');
      // The buying browser can no longer show it either; nothing secret is left.
      expect(code(await t.billing.tx((ctx) => revealOwnCard(ctx, box, id, SESSION)))).to.equal('invalid_state');
      expect((await orderById(t.billing.db, id))!.secret_enc).to.equal(null);
      expect(code(await t.billing.tx((ctx) => revealByLink(ctx, box, 'x'.repeat(32))))).to.equal('not_found');
    });

    it('a reveal in the buying browser kills the link; a receipt sent afterwards carries none', async () => {
      const id = await paidCardOrder();
      unwrap(await t.billing.tx((ctx) => revealOwnCard(ctx, box, id, SESSION)));
      await deliver();
      expect(tokenIn(transport.sent[0]!)).to.equal(undefined);
      expect(transport.sent[0]!.text).to.contain('were shown on');
      expect(code(await t.billing.tx((ctx) => renewRevealLink(ctx, box, id, TTL)))).to.equal('invalid_state');
    });

    it('an expired link is refused; a new link (mailed to the buyer only) replaces it, bounded per order', async () => {
      const id = await paidCardOrder();
      await deliver();
      const first = tokenIn(transport.sent[0]!)!;
      t.clock.advance(TTL);
      const expired = await t.billing.tx((ctx) => revealByLink(ctx, box, first));
      expect(expired.ok ? null : expired.error.details?.reason).to.equal('expired');

      unwrap(await t.billing.tx((ctx) => renewRevealLink(ctx, box, id, TTL)));
      await deliver();
      const mail = transport.sent[1]!;
      expect(mail.to).to.equal('buyer@example.com');
      expect(mail.subject).to.contain('one-time link');
      const second = tokenIn(mail)!;
      expect(second).to.not.equal(first);
      expect(code(await t.billing.tx((ctx) => revealByLink(ctx, box, first)))).to.equal('not_found');

      // Renewed again before it went out: only the newest link is mailed.
      for (let i = 1; i < MAX_REVEAL_LINKS; i++) unwrap(await t.billing.tx((ctx) => renewRevealLink(ctx, box, id, TTL)));
      expect(code(await t.billing.tx((ctx) => renewRevealLink(ctx, box, id, TTL)))).to.equal('rate_limited');
      await deliver();
      expect(transport.sent).to.have.length(3);
      const last = tokenIn(transport.sent[2]!)!;
      expect(code(await t.billing.tx((ctx) => revealByLink(ctx, box, second)))).to.equal('not_found');
      expect(code(await t.billing.tx((ctx) => revealByLink(ctx, box, last)))).to.equal('ok');
      const kinds = (await outboxOfOrder(t.billing.db, id)).map((r) => `${r.kind}:${r.status}`);
      expect(kinds.filter((k) => k === 'reveal_link:sent')).to.have.length(2);
      expect(kinds.filter((k) => k === 'reveal_link:superseded')).to.have.length(MAX_REVEAL_LINKS - 2);
    });

    it('a gift has no reveal link; its mail names the sender and the support address', async () => {
      const id = await paidCardOrder({ recipient_email: 'friend@example.com', recipient_name: 'Ana', sender_name: 'Bob', message: 'Enjoy', send_at_ms: null });
      expect((await orderById(t.billing.db, id))!.reveal_token_hash).to.equal(null);
      expect(code(await t.billing.tx((ctx) => renewRevealLink(ctx, box, id, TTL)))).to.equal('not_found');
      await deliver();
      const gift = transport.sent.find((m) => m.to === 'friend@example.com')!;
      expect(gift.subject).to.equal('Ana, Bob sent you a prepaid card of 20.00 USD');
      expect(gift.text).to.contain('Bob sent you a prepaid card worth 20.00 USD');
      expect(gift.text).to.contain('Message from Bob:\nEnjoy');
      expect(gift.text).to.contain(SUPPORT);
      expect(gift.reply_to).to.equal(SUPPORT);
      expect(tokenIn(transport.sent.find((m) => m.to === 'buyer@example.com')!)).to.equal(undefined);
    });
  });

  describe(`migration 008_site_reveal_links (${kind})`, () => {
    before(async function () { await requireKind(this, kind); });

    it('goes down and up again with orders and mail in the tables', async () => {
      const tdb = await createTestDatabase(kind);
      const target = parseDatabaseUrl(tdb.url);
      const knex = knexFactory(target.kind === 'sqlite'
        ? { client: 'better-sqlite3', connection: { filename: target.file }, useNullAsDefault: true }
        : { client: 'pg', connection: target.url, pool: { min: 0, max: 1 } });
      try {
        await knex.raw("INSERT INTO orders (id, kind, status, amount_minor, currency, buyer_email, provider, created_at_ms, sender_name, reveal_token_hash) VALUES ('ord_m', 'card', 'pending', 100, 'USD', 'a@example.com', 'sandbox', 1, 'Bob', 'h')");
        await knex.raw("INSERT INTO mail_outbox (kind, order_id, to_address, status, attempts, next_attempt_at_ms, created_at_ms) VALUES ('receipt', 'ord_m', 'a@example.com', 'pending', 0, 1, 1)");
        // By name: later migrations (010_card_security, …) come after it.
        const [, down] = (await knex.migrate.down({ migrationSource, name: '008_site_reveal_links' })) as [number, string[]];
        expect(down).to.deep.equal(['008_site_reveal_links']);
        expect(await knex.schema.hasColumn('orders', 'reveal_token_hash')).to.equal(false);
        expect(await knex.schema.hasColumn('orders', 'sender_name')).to.equal(false);
        await knex.migrate.latest({ migrationSource });
        expect(await knex.schema.hasColumn('orders', 'reveal_expires_at_ms')).to.equal(true);
        expect(Number((await knex('mail_outbox').count({ n: '*' }))[0]!.n)).to.equal(1);
        await knex.raw("UPDATE orders SET reveal_token_hash = 'same' WHERE id = 'ord_m'");
        await knex.raw("INSERT INTO orders (id, kind, status, amount_minor, currency, buyer_email, provider, created_at_ms) VALUES ('ord_n', 'card', 'pending', 100, 'USD', 'a@example.com', 'sandbox', 1)");
        let duplicate: unknown;
        await knex.raw("UPDATE orders SET reveal_token_hash = 'same' WHERE id = 'ord_n'").catch((e: unknown) => { duplicate = e; });
        expect(duplicate, 'reveal_token_hash is unique').to.be.instanceOf(Error);
      } finally {
        await knex.destroy();
        await tdb.drop();
      }
    });
  });
}
