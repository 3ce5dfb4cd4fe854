import { expect } from 'chai';
import knexFactory from 'knex';
import type { CarrierInput } from '../../billing/carriers/carrier';
import { CARRIER_DEFAULTS, normaliseSource, validateCarrier } from '../../billing/carriers/carrier';
import { carrierDeckVersions, importCarrierDeck } from '../../billing/carriers/carrier-deck';
import { insertCarrier, updateCarrier } from '../../billing/carriers/carrier-store';
import { insertCallRecord } from '../../billing/calls/call-records';
import type { Rate } from '../../billing/rating/rate';
import { activeDeck, importDeck, lookupRate } from '../../billing/rating/rate-store';
import type { RouteAttempt } from '../../billing/routing/route-types';
import { isBillingError } from '../../billing/shared/errors';
import { migrationSource } from '../../billing/store/migrations/index';
import { createTestBilling, createTestDatabase, KINDS, requireKind } from '../support/databases';
import type { TestBilling } from '../support/databases';

const carrier = (over: Partial<CarrierInput> = {}): CarrierInput => ({ ...CARRIER_DEFAULTS, name: 'alpha', sip_uri: 'sip:gw1.example.net:5060', ...over });
const rate = (prefix: string, scaled = 10_000): Rate => ({ prefix, destination: `d${prefix}`, rate_per_minute_scaled: scaled, connect_fee_minor: 0, initial_increment_s: 60, increment_s: 60, min_charge_minor: 0, blocked: false });

const codeOf = async (p: Promise<unknown>): Promise<string> => p.then(() => 'ok', (e: unknown) => (isBillingError(e) ? `${e.code}${e.details?.field ? `:${String(e.details.field)}` : ''}` : String(e)));

describe('carrier rules (pure)', () => {
  const TABLE: Array<[string, Partial<CarrierInput>, string]> = [
    ['defaults are valid', {}, 'ok'],
    ['sips URI with user part, params and IPv6 host', { sip_uri: 'sips:trunk@[2001:db8::1]:5061;transport=tls', transport: 'tls' }, 'ok'],
    ['IPv4 target without port', { sip_uri: 'sip:192.0.2.10' }, 'ok'],
    ['not a SIP URI', { sip_uri: 'http://gw1.example.net' }, 'validation_error:sip_uri'],
    ['port out of range', { sip_uri: 'sip:gw1.example.net:70000' }, 'validation_error:sip_uri'],
    ['name with a space', { name: 'my carrier' }, 'validation_error:name'],
    ['unknown transport', { transport: 'sctp' as never }, 'validation_error:transport'],
    ['tech prefix with letters', { tech_prefix: '12a' }, 'validation_error:tech_prefix'],
    ['zero concurrent calls', { max_concurrent: 0 }, 'validation_error:max_concurrent'],
    ['fractional cps', { cps: 1.5 }, 'validation_error:cps'],
    ['priority beyond ±1000', { priority: 1001 }, 'validation_error:priority'],
    ['a CIDR with host bits too long', { sources: ['198.51.100.0/33'] }, 'validation_error:sources'],
    ['not an address', { sources: ['gw1.example.net'] }, 'validation_error:sources'],
  ];
  for (const [why, over, want] of TABLE) {
    it(`${why} → ${want}`, async () => {
      expect(await codeOf(Promise.resolve().then(() => validateCarrier(carrier(over))))).to.equal(want);
    });
  }

  it('normalises sources (case, duplicates) and keeps IPv6 CIDRs', () => {
    expect(validateCarrier(carrier({ sources: ['203.0.113.7', '2001:DB8::/32', '203.0.113.7', ' 198.51.100.0/24 '] })).sources).to.deep.equal(['203.0.113.7', '2001:db8::/32', '198.51.100.0/24']);
    expect([normaliseSource('10.0.0.0/8'), normaliseSource('::1'), normaliseSource('10.0.0.0/x'), normaliseSource('1.2.3.4/8/1')]).to.deep.equal(['10.0.0.0/8', '::1', undefined, undefined]);
  });
});

for (const kind of KINDS) {
  describe(`carriers in the store (${kind})`, function () {
    this.timeout(60_000);
    let t: TestBilling;
    before(async function () {
      await requireKind(this, kind);
      t = await createTestBilling(kind);
    });
    after(async () => t?.close());

    it('adds, lists, changes: names are unique, every change is validated, billing.carriers.list gives the contract shape', async () => {
      const a = await t.billing.tx((ctx) => insertCarrier(ctx.q, ctx.now_ms, carrier({ sources: ['203.0.113.7'], max_concurrent: 30, cps: 5 })));
      const b = await t.billing.tx((ctx) => insertCarrier(ctx.q, ctx.now_ms, carrier({ name: 'bravo', transport: 'tcp', tech_prefix: '99', send_plus: true, priority: -2, allow_loss: true, enabled: false })));
      expect(await codeOf(t.billing.tx((ctx) => insertCarrier(ctx.q, ctx.now_ms, carrier())))).to.equal('invalid_state:name');
      expect(await codeOf(t.billing.tx((ctx) => updateCarrier(ctx.q, ctx.now_ms, b.id, { name: 'alpha' })))).to.equal('invalid_state:name');
      expect(await codeOf(t.billing.tx((ctx) => updateCarrier(ctx.q, ctx.now_ms, a.id, { cps: -1 })))).to.equal('validation_error:cps');
      expect(await codeOf(t.billing.tx((ctx) => updateCarrier(ctx.q, ctx.now_ms, 9999, { cps: 1 })))).to.equal('not_found');
      const changed = await t.billing.tx((ctx) => updateCarrier(ctx.q, ctx.now_ms, a.id, { cps: null, sources: ['198.51.100.0/24', '2001:db8::/32'] }));
      expect(changed).to.deep.include({ cps: null, max_concurrent: 30, sources: ['198.51.100.0/24', '2001:db8::/32'] });
      expect(await t.billing.carriers.list()).to.deep.equal([
        { id: a.id, ...carrier({ max_concurrent: 30, cps: null, sources: ['198.51.100.0/24', '2001:db8::/32'] }) },
        { id: b.id, ...carrier({ name: 'bravo', transport: 'tcp', tech_prefix: '99', send_plus: true, priority: -2, allow_loss: true, enabled: false }) },
      ]);
    });

    it('a buy deck is a rate deck of its own: versions switch atomically, sell decks untouched', async () => {
      const c = await t.billing.tx((ctx) => insertCarrier(ctx.q, ctx.now_ms, carrier({ name: 'charlie' })));
      await importDeck(t.billing.db, 'default', 'USD', [rate('44', 50_000)], t.clock.ms);
      const v1 = await importCarrierDeck(t.billing.db, c.id, 'USD', [rate('44', 10_000), rate('447', 20_000)], t.clock.ms);
      const v2 = await importCarrierDeck(t.billing.db, c.id, 'USD', [rate('44', 30_000)], t.clock.ms);
      expect((await carrierDeckVersions(t.billing.db, c.id)).map((v) => [v.id, v.status])).to.deep.equal([[v2.id, 'active'], [v1.id, 'retired']]);
      expect((await lookupRate(t.billing.db, '447700900123'))?.rate_per_minute_scaled).to.equal(50_000); // the sell deck
      expect((await lookupRate(t.billing.db, '447700900123', `carrier:${c.id}`))?.rate_per_minute_scaled).to.equal(30_000);
      expect((await activeDeck(t.billing.db))?.row_count).to.equal(1);
    });

    it('recordAttempt validates everything and needs a known carrier; setCallCarrier needs a known call and carrier', async () => {
      const [c] = await t.billing.carriers.list();
      const ok: RouteAttempt = { call_id: 'call_1', carrier_id: c?.id as number, order: 1, started_at_ms: 1000, ended_at_ms: 2000, sip_status: 503, outcome: 'failed' };
      await t.billing.routing.recordAttempt(ok);
      await t.billing.routing.recordAttempt({ ...ok, call_id: null, sip_status: null, outcome: 'timeout' });
      const bad: Array<[Partial<RouteAttempt>, string]> = [
        [{ order: 0 }, 'validation_error'], [{ sip_status: 99 }, 'validation_error'], [{ sip_status: 700 }, 'validation_error'],
        [{ ended_at_ms: 999 }, 'validation_error'], [{ outcome: 'busy' as never }, 'validation_error'], [{ call_id: 'x'.repeat(41) }, 'validation_error'],
        [{ started_at_ms: 1.5 }, 'validation_error'], [{ carrier_id: 9999 }, 'not_found'],
      ];
      for (const [over, want] of bad) expect(await codeOf(t.billing.routing.recordAttempt({ ...ok, ...over })), JSON.stringify(over)).to.equal(want);
      const rows = await t.billing.db.all<{ call_id: string | null; attempt_order: number; sip_status: number | null; outcome: string }>('SELECT call_id, attempt_order, sip_status, outcome FROM route_attempts ORDER BY id');
      expect(rows.map((r) => [r.call_id, Number(r.attempt_order), r.sip_status === null ? null : Number(r.sip_status), r.outcome])).to.deep.equal([['call_1', 1, 503, 'failed'], [null, 1, null, 'timeout']]);

      expect(await codeOf(t.billing.routing.setCallCarrier('no_such_call', c?.id as number))).to.equal('not_found');
      await t.billing.tx((ctx) => insertCallRecord(ctx.q, { id: 'call_1', card_id: null, caller_number: null, access_number: null, channel_id: null, started_at_ms: 0 }));
      expect(await codeOf(t.billing.routing.setCallCarrier('call_1', 9999))).to.equal('not_found');
      expect(await codeOf(t.billing.routing.setCallCarrier('call_1', c?.id as number))).to.equal('ok');
    });
  });

  describe(`migration 005 down and up again (${kind})`, function () {
    this.timeout(60_000);
    it('removes carriers, buy decks and the buy side of call records, keeps sell decks, and comes back', async function () {
      await requireKind(this, kind);
      const tdb = await createTestDatabase(kind);
      const db = tdb.open();
      try {
        await importDeck(db, 'default', 'USD', [rate('44')], 0);
        const c = await db.tx((q) => insertCarrier(q, 0, carrier()));
        await importCarrierDeck(db, c.id, 'USD', [rate('44')], 0);
        const knex = knexFactory(kind === 'sqlite'
          ? { client: 'better-sqlite3', connection: { filename: tdb.url.slice('sqlite:'.length) }, useNullAsDefault: true }
          : { client: 'pg', connection: tdb.url, pool: { min: 0, max: 1 } });
        try {
          await knex.migrate.down({ migrationSource, name: '005_carriers' }); // later migrations stay applied
          expect(await db.all('SELECT name, status FROM rate_decks')).to.deep.equal([{ name: 'default', status: 'active' }]);
          expect(await db.one('SELECT COUNT(*) AS n FROM rates').then((r) => Number((r as { n: number }).n))).to.equal(1);
          await knex.migrate.latest({ migrationSource });
        } finally {
          await knex.destroy();
        }
        expect(await db.all('SELECT * FROM carriers')).to.deep.equal([]);
        expect(Number((await db.one<{ epoch: number }>('SELECT epoch FROM routing_epoch'))?.epoch)).to.equal(1);
        await db.tx((q) => insertCarrier(q, 0, carrier()));
        expect(Number((await db.one<{ epoch: number }>('SELECT epoch FROM routing_epoch'))?.epoch)).to.be.greaterThan(1);
      } finally {
        await db.close();
        await tdb.drop();
      }
    });
  });
}
