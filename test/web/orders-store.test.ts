import { expect } from 'chai';
import { authenticateCard } from '../../billing/cards/card-auth';
import { cardById } from '../../billing/cards/card-rows';
import { deliverDueMail, DEFAULT_DELIVERY } from '../../billing/mail/deliver';
import type { MailMessage, MailTransport } from '../../billing/mail/mail-transport';
import { outboxOfOrder } from '../../billing/mail/outbox';
import { fulfilOrder } from '../../billing/orders/fulfil';
import { createCardOrder, createRechargeOrder } from '../../billing/orders/orders';
import { claimGift, giftByClaimToken, resendGift, revealOwnCard } from '../../billing/orders/reveal';
import { SecretBox } from '../../billing/orders/secret-box';
import { silentLogger } from '../../billing/shared/logger';
import { unwrap } from '../../billing/shared/errors';
import { KINDS, createTestBilling, requireKind, TEST_SECRET } from '../support/databases';
import type { TestBilling } from '../support/databases';

/** Records messages; fails the first `failures` sends (a transient SMTP outage). */
class RecordingTransport implements MailTransport {
  sent: MailMessage[] = [];
  constructor(public failures = 0) {}
  async send(m: MailMessage) {
    if (this.failures > 0) {
      this.failures--;
      throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:2525'), { code: 'ECONNECTION' });
    }
    this.sent.push(m);
    return { message_id: `<m${this.sent.length}@test>` };
  }
}

const box = new SecretBox(TEST_SECRET);
const BASE = 'https://shop.example';
const policy = { ...DEFAULT_DELIVERY, retry_base_ms: 1000, lease_ms: 60_000 };
const SESSION = 'session-hash-of-buyer';

for (const kind of KINDS) {
  describe(`site orders and outbox (${kind})`, () => {
    let t: TestBilling;
    before(async function () { await requireKind(this, kind); });
    beforeEach(async () => { t = await createTestBilling(kind); });
    afterEach(async () => { await t?.close(); });

    const newCardOrder = (gift: Parameters<typeof createCardOrder>[1]['gift'] = null, amount_minor = 2000) =>
      t.billing.tx(async (ctx) => unwrap(await createCardOrder(ctx, { amount_minor, currency: 'USD', buyer_email: 'buyer@example.com', buyer_session_hash: SESSION, provider: 'sandbox', gift })));
    const pay = (order_id: string, payment_id: string, amount_minor = 2000) =>
      t.billing.tx((ctx) => fulfilOrder(ctx, box, { order_id, provider: 'sandbox', payment_id, amount_minor, currency: 'USD' }));
    const count = async (sql: string, params: Array<string | number> = []) => Number((await t.billing.db.one<{ n: number }>(sql, params))!.n);

    it('a payment delivered many times (also concurrently) issues ONE card, ONE sale entry and ONE receipt', async () => {
      const order = await newCardOrder();
      const results = await Promise.all([pay(order.id, 'pay_1'), pay(order.id, 'pay_1'), pay(order.id, 'pay_1')]);
      const again = await pay(order.id, 'pay_1');
      expect(results.every((r) => r.ok)).to.equal(true);
      expect(results.filter((r) => r.ok && r.value.applied_now)).to.have.length(1);
      expect(again.ok && again.value.applied_now).to.equal(false);
      expect(await count('SELECT COUNT(*) AS n FROM cards')).to.equal(1);
      expect(await count("SELECT COUNT(*) AS n FROM ledger_entries WHERE kind = 'sale' AND reference = ?", [order.id])).to.equal(1);
      expect((await outboxOfOrder(t.billing.db, order.id)).map((r) => r.kind)).to.deep.equal(['receipt']);
      const card = await cardById(t.billing.db, again.ok ? again.value.order.card_id! : 0);
      expect(card?.balance_minor).to.equal(2000);
      // Another payment for the same order never issues a second card.
      const other = await pay(order.id, 'pay_2');
      expect(other.ok ? 'ok' : other.error.code).to.equal('invalid_state');
      expect(await count('SELECT COUNT(*) AS n FROM cards')).to.equal(1);
    });

    it('a payment that does not match the order amount issues nothing', async () => {
      const order = await newCardOrder();
      const r = await pay(order.id, 'pay_x', 1999);
      expect(r.ok ? 'ok' : r.error.code).to.equal('validation_error');
      expect(await count('SELECT COUNT(*) AS n FROM cards')).to.equal(0);
      expect(await count("SELECT COUNT(*) AS n FROM orders WHERE status = 'failed' AND failure_code = 'amount_mismatch'")).to.equal(1);
    });

    it('the buyer sees the number and PIN once, in the buying session only; then only last4 remains', async () => {
      const order = await newCardOrder();
      await pay(order.id, 'pay_1');
      const wrong = await t.billing.tx((ctx) => revealOwnCard(ctx, box, order.id, 'another-session'));
      expect(wrong.ok ? 'ok' : wrong.error.code).to.equal('unauthorized');
      const shown = unwrap(await t.billing.tx((ctx) => revealOwnCard(ctx, box, order.id, SESSION)));
      const auth = await t.billing.tx((ctx) => authenticateCard(ctx, shown.number, shown.pin));
      expect(auth.ok).to.equal(true);
      const twice = await t.billing.tx((ctx) => revealOwnCard(ctx, box, order.id, SESSION));
      expect(twice.ok ? 'ok' : twice.error.code).to.equal('invalid_state');
      expect(await count('SELECT COUNT(*) AS n FROM orders WHERE secret_enc IS NOT NULL')).to.equal(0);
    });

    it('a recharge paid twice books ONE recharge entry', async () => {
      const card = await t.billing.issueCard({ value_minor: 500, currency: 'USD' });
      const order = await t.billing.tx(async (ctx) => unwrap(await createRechargeOrder(ctx, { card_number: card.number, amount_minor: 2000, currency: 'USD', buyer_email: 'b@example.com', buyer_session_hash: null, provider: 'sandbox' })));
      await pay(order.id, 'pay_r');
      await pay(order.id, 'pay_r');
      expect((await cardById(t.billing.db, card.card_id))?.balance_minor).to.equal(2500);
      expect(await count("SELECT COUNT(*) AS n FROM ledger_entries WHERE kind = 'recharge'")).to.equal(1);
      const unknown = await t.billing.tx((ctx) => createRechargeOrder(ctx, { card_number: '4242424242424242', amount_minor: 100, currency: 'USD', buyer_email: 'b@example.com', buyer_session_hash: null, provider: 'sandbox' }));
      expect(unknown.ok ? 'ok' : unknown.error.code).to.equal('not_found');
    });

    it('a gift waits for its send date, its link reveals the PIN once, and no secret is stored in clear', async () => {
      const sendAt = t.clock.ms + 3 * 86_400_000;
      const order = await newCardOrder({ recipient_email: 'friend@example.com', recipient_name: 'Ana', message: 'Happy birthday', send_at_ms: sendAt });
      await pay(order.id, 'pay_g');
      const transport = new RecordingTransport();
      const r = { box, publicUrl: BASE };
      await deliverDueMail(t.billing, transport, r, policy, silentLogger);
      expect(transport.sent.map((m) => m.to)).to.deep.equal(['buyer@example.com']);
      expect(transport.sent[0]!.text).to.not.match(/\d{16}/);

      t.clock.advance(3 * 86_400_000);
      await deliverDueMail(t.billing, transport, r, policy, silentLogger);
      expect(transport.sent.map((m) => m.to)).to.deep.equal(['buyer@example.com', 'friend@example.com']);
      const gift = transport.sent[1]!;
      const number = /Card number: ([\d ]{19})/.exec(gift.text)![1]!.replace(/ /g, '');
      const token = new RegExp(`${BASE}/gift/([A-Za-z0-9_-]+)`).exec(gift.text)![1]!;
      expect(gift.text).to.contain('Happy birthday');

      // Nothing in the database holds the card number in clear.
      for (const table of ['orders', 'mail_outbox', 'cards', 'ledger_entries', 'postings', 'sandbox_payments']) {
        const rows = await t.billing.db.all(`SELECT * FROM ${table}`);
        expect(JSON.stringify(rows), table).to.not.contain(number);
      }

      expect((await giftByClaimToken(t.billing.read(), token))?.id).to.equal(order.id);
      const claimed = unwrap(await t.billing.tx((ctx) => claimGift(ctx, box, token)));
      expect(claimed.number).to.equal(number);
      expect((await t.billing.tx((ctx) => authenticateCard(ctx, number, claimed.pin))).ok).to.equal(true);
      const again = await t.billing.tx((ctx) => claimGift(ctx, box, token));
      expect(again.ok ? 'ok' : again.error.code).to.equal('invalid_state');
      const resend = await t.billing.tx((ctx) => resendGift(ctx, box, order.id));
      expect(resend.ok ? 'ok' : resend.error.code).to.equal('invalid_state');
    });

    it('resending a gift rotates its link: the old link stops working, one new mail goes out', async () => {
      const order = await newCardOrder({ recipient_email: 'friend@example.com', recipient_name: 'Ana', message: null, send_at_ms: null });
      await pay(order.id, 'pay_g');
      const transport = new RecordingTransport();
      await deliverDueMail(t.billing, transport, { box, publicUrl: BASE }, policy, silentLogger);
      const oldToken = /\/gift\/([A-Za-z0-9_-]+)/.exec(transport.sent.find((m) => m.to === 'friend@example.com')!.text)![1]!;
      unwrap(await t.billing.tx((ctx) => resendGift(ctx, box, order.id)));
      await deliverDueMail(t.billing, transport, { box, publicUrl: BASE }, policy, silentLogger);
      const gifts = transport.sent.filter((m) => m.to === 'friend@example.com');
      expect(gifts).to.have.length(2);
      const newToken = /\/gift\/([A-Za-z0-9_-]+)/.exec(gifts[1]!.text)![1]!;
      expect(newToken).to.not.equal(oldToken);
      const old = await t.billing.tx((ctx) => claimGift(ctx, box, oldToken));
      expect(old.ok ? 'ok' : old.error.code).to.equal('not_found');
      expect((await t.billing.tx((ctx) => claimGift(ctx, box, newToken))).ok).to.equal(true);
    });

    it('a failing transport is retried with exponential backoff, sends once, and gives up after max attempts', async () => {
      const order = await newCardOrder();
      await pay(order.id, 'pay_1');
      const transport = new RecordingTransport(2);
      const r = { box, publicUrl: BASE };
      await deliverDueMail(t.billing, transport, r, policy, silentLogger);
      let [row] = await outboxOfOrder(t.billing.db, order.id);
      expect(row).to.include({ status: 'pending', attempts: 1, next_attempt_at_ms: t.clock.ms + 1000 });
      expect(row!.last_error).to.contain('ECONNREFUSED');
      await deliverDueMail(t.billing, transport, r, policy, silentLogger); // not due yet
      expect((await outboxOfOrder(t.billing.db, order.id))[0]!.attempts).to.equal(1);
      t.clock.advance(1000);
      await deliverDueMail(t.billing, transport, r, policy, silentLogger);
      [row] = await outboxOfOrder(t.billing.db, order.id);
      expect(row).to.include({ status: 'pending', attempts: 2, next_attempt_at_ms: t.clock.ms + 2000 });
      t.clock.advance(2000);
      await deliverDueMail(t.billing, transport, r, policy, silentLogger);
      await deliverDueMail(t.billing, transport, r, policy, silentLogger);
      [row] = await outboxOfOrder(t.billing.db, order.id);
      expect(row).to.include({ status: 'sent', attempts: 3, last_error: null });
      expect(transport.sent).to.have.length(1);

      const order2 = await newCardOrder();
      await pay(order2.id, 'pay_2');
      const down = new RecordingTransport(1000);
      for (let i = 0; i < 5; i++) {
        await deliverDueMail(t.billing, down, r, { ...policy, max_attempts: 3 }, silentLogger);
        t.clock.advance(3_600_000);
      }
      expect((await outboxOfOrder(t.billing.db, order2.id))[0]).to.include({ status: 'failed', attempts: 3 });
    });
  });
}
