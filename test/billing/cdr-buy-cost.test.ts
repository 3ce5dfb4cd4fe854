import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { callRecordById } from '../../billing/calls/call-records';
import { holdCallForCdr } from '../../billing/calls/cdr/cdr-billing';
import { importCdrFile } from '../../billing/calls/cdr/cdr-file';
import { CARRIER_DEFAULTS } from '../../billing/carriers/carrier';
import { importCarrierDeck } from '../../billing/carriers/carrier-deck';
import { insertCarrier } from '../../billing/carriers/carrier-store';
import { RATE_SCALE } from '../../billing/rating/rate';
import { createTestBilling, KINDS, requireKind } from '../support/databases';
import type { TestBilling } from '../support/databases';
import { productCdrLines, seedUnseenCall } from '../support/cdr-calls';

/**
 * A call the IVR never saw end is billed from Asterisk's CDR; its buy side follows: the carrier's
 * rate and increments on the same billed talk time, whether the edge named the carrier before the
 * IVR's reconcile or after the CDR bill.
 */
for (const kind of KINDS) {
  describe(`buy cost of calls billed from their CDRs (${kind})`, function () {
    this.timeout(60_000);
    let t: TestBilling;
    let dir: string;
    let carrier_id: number;
    let n = 0;
    before(async function () {
      await requireKind(this, kind);
      t = await createTestBilling(kind);
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'prepaid-cdr-buy-'));
      carrier_id = (await t.billing.tx((ctx) => insertCarrier(ctx.q, ctx.now_ms, { ...CARRIER_DEFAULTS, name: 'alpha', sip_uri: 'sip:alpha.example.net' }))).id;
      // 0.30 a minute in 6 s blocks: 1 s → 6 s → 3 ¢; 8 s → 12 s → 6 ¢.
      await importCarrierDeck(t.billing.db, carrier_id, 'USD', [{ prefix: '1', destination: 'US', rate_per_minute_scaled: 30 * RATE_SCALE, connect_fee_minor: 0, initial_increment_s: 6, increment_s: 6, min_charge_minor: 0, blocked: false }], t.clock.ms);
    });
    after(async () => {
      await t?.close();
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    const ids = () => { n++; return { call_id: `n1-${String(n).padStart(32, '0')}`, channel_id: `17959412${n}.41`, outbound_channel_id: `n1-${String(n).padStart(32, '0')}-out` }; };
    const importTalk = async (k: ReturnType<typeof ids>, answered_at_ms: number, talk_ms: number) => {
      const lines = productCdrLines({ ...k, caller_answered_ms: answered_at_ms - 5000, answered_ms: answered_at_ms, ended_ms: answered_at_ms + talk_ms });
      const file = path.join(dir, `${k.call_id}.csv`);
      fs.writeFileSync(file, `${lines.outbound}\n${lines.bridged}\n`);
      return importCdrFile(t.billing, file, { now_ms: () => t.clock.ms });
    };
    const buySide = async (id: string) => {
      const r = await callRecordById(t.billing.db, id);
      return { billed: r?.billed_seconds, cost: r?.cost_minor, talk_ms: r?.talk_ms === null ? null : Number(r?.talk_ms), buy_billed: r?.buy_billed_seconds, buy: r?.buy_cost_minor === null ? null : Number(r?.buy_cost_minor) };
    };

    it('carrier named while the call ran: costed on the confirmed time at the reconcile, then on the CDR talk time', async () => {
      const k = ids();
      const s = await seedUnseenCall(t.billing, { ...k, reconcile: false });
      await t.billing.routing.setCallCarrier(k.call_id, carrier_id);
      expect((await buySide(k.call_id)).buy, 'not costed while active').to.equal(null);
      await holdCallForCdr(t.billing, { call_id: k.call_id, owner: 'n1', billed_s: 1, captured_minor: 1, answered_at_ms: s.answered_at_ms, ended_at_ms: s.answered_at_ms + 60_000 });
      expect(await buySide(k.call_id)).to.deep.include({ talk_ms: 1000, buy_billed: 6, buy: 3 });
      const r = await importTalk(k, s.answered_at_ms, 8000);
      expect(r.billed[0]).to.deep.include({ kind: 'billed', talk_s: 8, billed_s: 8, cost_minor: 8 });
      expect(await buySide(k.call_id)).to.deep.equal({ billed: 8, cost: 8, talk_ms: 8000, buy_billed: 12, buy: 6 });
    });

    it('carrier named after the CDR bill: costed on the CDR talk time at once', async () => {
      const k = ids();
      const s = await seedUnseenCall(t.billing, k);
      await importTalk(k, s.answered_at_ms, 8000);
      await t.billing.routing.setCallCarrier(k.call_id, carrier_id);
      expect(await buySide(k.call_id)).to.deep.equal({ billed: 8, cost: 8, talk_ms: 8000, buy_billed: 12, buy: 6 });
    });
  });
}
