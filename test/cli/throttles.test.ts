import { expect } from 'chai';
import type { Billing } from '../../billing/billing';
import { createMerchant } from '../../billing/merchants/merchants';
import { authorize } from '../../billing/settlement/settlement';
import { unwrap } from '../../billing/shared/errors';
import { throttleKey } from '../../scripts/cli/throttle-commands';
import { KINDS } from '../support/databases';
import { cliSuite } from './cli-process';
import type { CliEnv } from './cli-process';

const wrongPin = (pin: string) => (pin === '0000' ? '1111' : '0000');

describe('throttle keys as an operator types them (pure)', () => {
  it('takes the forms `throttles list` prints, an IPv6 address standing for its /64; refuses the rest', () => {
    expect(throttleKey('merchant:12')).to.equal('merchant:12');
    expect(throttleKey('caller:+15551234567')).to.equal('caller:+15551234567');
    expect(throttleKey('ip:203.0.113.9')).to.equal('ip:203.0.113.9');
    expect(throttleKey('ip:::ffff:203.0.113.9')).to.equal('ip:203.0.113.9');
    expect(throttleKey('ip:2001:db8:1:2::9')).to.equal('ip:2001:db8:1:2::/64');
    expect(throttleKey('ip:2001:db8:1:2::/64')).to.equal('ip:2001:db8:1:2::/64');
    for (const bad of ['merchant:0', 'merchant:x', 'ip:300.1.1.1', 'ip:2001:db8::/48', 'caller:', 'card:4111', '12']) {
      expect(() => throttleKey(bad), bad).to.throw(/expected merchant:ID, ip:ADDRESS/);
    }
  });
});

/** `prepaid throttles list | clear`: the operator's way to let a locked-out merchant or address try again. */
for (const kind of KINDS) {
  describe(`prepaid throttles (${kind})`, function () {
    this.timeout(60_000);
    // Three failed card checks lock a merchant (or a customer address) out.
    const suite = cliSuite(kind, { merchant_max_failures: 3, source_max_failures: 3 });
    let billing: Billing;
    let cli: CliEnv;
    beforeEach(() => ({ billing, cli } = suite));

    const charge = async (merchant_id: number, card: { number: string; pin: string }, pin: string, customer_ip?: string) => {
      const source = { merchant_key: `merchant:${merchant_id}`, ...(customer_ip ? { throttle_key: customer_ip } : {}) };
      const r = await billing.tx((ctx) => authorize(ctx, merchant_id, { card_number: card.number, pin, amount: 100, currency: 'USD' }, source));
      return r.ok ? 'ok' : r.error.code;
    };

    it('lists a merchant locked out by wrong PINs, clears it (audited), after which the merchant charges again', async () => {
      const m = unwrap(await billing.tx((ctx) => createMerchant(ctx, 'Shop'))).merchant;
      const card = await billing.issueCard({ value_minor: 10_000, currency: 'USD' });
      const cards = await Promise.all([1, 2, 3].map(() => billing.issueCard({ value_minor: 10_000, currency: 'USD' })));
      for (const c of cards) expect(await charge(m.id, c, wrongPin(c.pin))).to.equal('invalid_card_credentials');
      expect(await charge(m.id, card, card.pin)).to.equal('rate_limited');

      const listed = await cli.json<{ throttles: Array<{ key: string; locked_until: string | null }> }>(['throttles', 'list']);
      expect(listed.throttles.map((t) => t.key)).to.deep.equal([`merchant:${m.id}`]);
      expect(listed.throttles[0]!.locked_until).to.be.a('string');
      const human = await cli.run(['throttles', 'list']);
      expect(human.stdout).to.match(new RegExp(`merchant:${m.id}\\s+locked until \\S+`));

      const r = await cli.run(['throttles', 'clear', `merchant:${m.id}`, '--reason', 'stale PIN retried, ticket 4471', '--operator', 'alice']);
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout).to.match(new RegExp(`merchant:${m.id}: cleared \\(was locked until \\S+; 0 failure\\(s\\) counted\\)`));
      const events = await billing.db.all<{ target_kind: string; target_id: string; actor: string; detail: string }>("SELECT target_kind, target_id, actor, detail FROM operator_events WHERE action = 'throttle.clear'");
      expect(events.map((e) => ({ ...e, detail: JSON.parse(e.detail) as unknown }))).to.deep.equal([
        { target_kind: 'source', target_id: `merchant:${m.id}`, actor: 'alice', detail: { failures: 0, locked_until_ms: (JSON.parse(events[0]!.detail) as { locked_until_ms: number }).locked_until_ms, reason: 'stale PIN retried, ticket 4471' } },
      ]);
      expect((JSON.parse(events[0]!.detail) as { locked_until_ms: number }).locked_until_ms).to.be.greaterThan(Date.now());

      expect(await charge(m.id, card, card.pin)).to.equal('ok');
      expect((await cli.json<{ throttles: unknown[] }>(['throttles', 'list'])).throttles).to.deep.equal([]);
      const again = await cli.json<{ cleared: boolean }>(['throttles', 'clear', `merchant:${m.id}`]);
      expect(again.cleared).to.equal(false);
      expect(await billing.db.all("SELECT id FROM operator_events WHERE action = 'throttle.clear'")).to.have.length(1);
    });

    it('clears a customer address by any address of its /64; --all shows failures not yet locked; a bad key is a usage error that changes nothing', async () => {
      const m = unwrap(await billing.tx((ctx) => createMerchant(ctx, 'Other shop'))).merchant;
      const card = await billing.issueCard({ value_minor: 10_000, currency: 'USD' });
      const addr = 'ip:2001:db8:7:7::/64';
      for (let i = 0; i < 2; i++) expect(await charge(m.id, card, wrongPin(card.pin), addr)).to.equal('invalid_card_credentials');
      const all = await cli.json<{ throttles: Array<{ key: string; failures: number; locked_until: string | null }> }>(['throttles', 'list', '--all']);
      expect(all.throttles.filter((t) => t.key === addr || t.key === `merchant:${m.id}`).map((t) => ({ key: t.key, failures: t.failures, locked_until: t.locked_until })))
        .to.deep.equal([{ key: addr, failures: 2, locked_until: null }, { key: `merchant:${m.id}`, failures: 2, locked_until: null }]);
      const locked = await cli.json<{ throttles: Array<{ key: string }> }>(['throttles', 'list']);
      expect(locked.throttles.map((t) => t.key)).to.not.include(addr);

      const bad = await cli.run(['throttles', 'clear', 'ip:2001:db8:7:7::/48']);
      expect(bad.code).to.equal(2);
      expect(bad.stderr).to.contain('expected merchant:ID, ip:ADDRESS');
      expect(await billing.db.all('SELECT key FROM auth_throttles WHERE key = ?', [addr])).to.have.length(1);

      const r = await cli.json<{ key: string; cleared: boolean; previous: { failures: number } }>(['throttles', 'clear', 'ip:2001:db8:7:7::1234']);
      expect(r).to.deep.include({ key: addr, cleared: true });
      expect(r.previous.failures).to.equal(2);
      expect(await billing.db.all('SELECT key FROM auth_throttles WHERE key = ?', [addr])).to.deep.equal([]);
      // Only that source: the merchant's own count stays.
      expect(await billing.db.all('SELECT failures FROM auth_throttles WHERE key = ?', [`merchant:${m.id}`])).to.deep.equal([{ failures: 2 }]);
    });
  });
}
