import { expect } from 'chai';
import { RATE_SCALE } from '../../../billing/rating/rate';
import { importDeck } from '../../../billing/rating/rate-store';
import { farEnds } from '../../../ivr/sim/far-end';
import type { Rig } from './harness';
import { callRecordsOfCard, expectSoundBooks, farEnd, startRig, UK_NUMBER, US_NUMBER } from './harness';

/** Calls are rated from the deck the IVR is configured with (RATE_DECK), not from whichever deck is called `default`. */
describe('IVR rate deck (simulator + ari-client + SQLite)', function () {
  this.timeout(30_000);
  let rig: Rig | undefined;

  afterEach(async () => {
    await rig?.stop();
    rig = undefined;
  });

  it('rates from the configured deck: its price is said and charged; a destination only in another deck is not available', async () => {
    rig = await startRig({ ivr: { rateDeck: 'retail' } });
    // `default` (loaded by the rig) has +1 at 60 ¢/min and +44; `retail` has only +1, at 120 ¢/min.
    await importDeck(rig.tb.billing.db, 'retail', 'USD', [
      { prefix: '1', destination: 'USA', rate_per_minute_scaled: 120 * RATE_SCALE, connect_fee_minor: 0, initial_increment_s: 1, increment_s: 1, min_charge_minor: 0, blocked: false },
    ], Date.now());
    const card = await rig.issueCard(1000);
    farEnd(rig.sim, farEnds.answer(0, 5000));
    const caller = rig.call();
    await caller.login(card);
    await caller.dialAfterBalance(UK_NUMBER);
    await caller.heard('destination_not_available');
    await caller.heard('enter_destination');
    await caller.press(`${US_NUMBER}#`);
    // $10.00 at 2 ¢/s: 500 s, "eight minutes" (the default deck would have said sixteen).
    await caller.heard('for_this_call');
    const said = caller.prompts().slice(caller.prompts().lastIndexOf('you_have'));
    expect(said.slice(0, 4)).to.deep.equal(['you_have', 'num_8', 'unit_minute_many', 'for_this_call']);
    await caller.heard('call_cost');
    caller.hangup();
    await caller.ended();
    const [rec] = await callRecordsOfCard(rig, card.card_id);
    expect(rec?.destination_name).to.equal('USA');
    expect(JSON.parse(rec?.rate_json ?? '{}')).to.include({ rate_per_minute_scaled: 120 * RATE_SCALE });
    expect(rec?.cost_minor).to.equal(2 * (rec?.billed_seconds ?? NaN));
    await expectSoundBooks(rig);
  });
});
