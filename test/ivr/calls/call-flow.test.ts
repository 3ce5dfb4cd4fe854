import { expect } from 'chai';
import { authenticateCard } from '../../../billing/cards/card-auth';
import { cardById } from '../../../billing/cards/card-rows';
import { setCardStatus } from '../../../billing/cards/card-admin';
import { farEnds } from '../../../ivr/sim/far-end';
import type { Rig } from './harness';
import { balanceOf, callRecordsOfCard, expectSoundBooks, farEnd, originated, startRig, US_NUMBER } from './harness';

const wrongPin = (pin: string): string => String((Number(pin) + 1) % 10_000).padStart(pin.length, '0');

describe('IVR call flow (simulator + ari-client + SQLite)', function () {
  this.timeout(30_000);
  let rig: Rig;

  afterEach(async () => {
    await rig?.stop();
  });

  describe('one language', () => {
    beforeEach(async () => {
      rig = await startRig();
    });

    it('wrong PIN three times: said, counted against the card, goodbye; no secret in the logs', async () => {
      const card = await rig.issueCard(500);
      const caller = rig.call();
      const bad = { number: card.number, pin: wrongPin(card.pin) };
      await caller.login(bad);
      await caller.heard('invalid_credentials_try_again');
      await caller.login(bad);
      await caller.heard('invalid_credentials_try_again');
      await caller.login(bad);
      await caller.heard('invalid_credentials');
      await caller.heard('too_many_attempts');
      await caller.heard('goodbye');
      await caller.ended();
      expect(caller.prompts()).to.not.include('you_have');
      const row = await cardById(rig.tb.billing.db, card.card_id);
      expect(row?.pin_failures).to.equal(3);
      const logged = JSON.stringify(rig.log.lines);
      expect(logged).to.not.include(card.number);
      expect(logged).to.not.include(`"${bad.pin}"`);
      expect(logged).to.include('number_len');
    });

    it('a card locked by wrong PINs elsewhere is refused even with the right PIN', async () => {
      const card = await rig.issueCard(500);
      for (let i = 0; i < rig.tb.billing.policy.pin_max_failures; i++) {
        await rig.tb.billing.tx((ctx) => authenticateCard(ctx, card.number, wrongPin(card.pin)));
      }
      const caller = rig.call();
      await caller.login(card);
      await caller.heard('card_locked');
      await caller.heard('goodbye');
      await caller.ended();
      expect(caller.prompts()).to.not.include('you_have');
    });

    it('a suspended card is told so', async () => {
      const card = await rig.issueCard(500);
      await rig.tb.billing.tx((ctx) => setCardStatus(ctx, card.card_id, 'suspended'));
      const caller = rig.call();
      await caller.login(card);
      await caller.heard('card_suspended');
      await caller.ended();
    });

    it('says the balance in words, and a blocked or unknown destination is not available', async () => {
      const card = await rig.issueCard(1250);
      const caller = rig.call();
      await caller.login(card);
      await caller.heard('you_have');
      await caller.dialAfterBalance('19005550123'); // +1900: blocked
      await caller.heard('destination_not_available');
      await caller.dialAfterBalance('00999123456'); // no such country code
      await caller.heard('destination_not_available');
      caller.hangup();
      await caller.ended();
      const p = caller.prompts();
      const i = p.indexOf('you_have');
      // "You have twelve dollars and fifty cents"
      expect(p.slice(i, i + 6)).to.deep.equal(['you_have', 'num_12', 'unit_usd_major_many', 'and', 'num_50', 'unit_usd_minor_many']);
      expect(originated(rig.sim)).to.have.length(0);
      expect(await callRecordsOfCard(rig, card.card_id)).to.have.length(0);
    });

    it('PIN-less: register this phone from the menu, call again without card number and PIN, then unregister', async () => {
      const card = await rig.issueCard(800);
      const first = rig.call('+15557770001');
      await first.login(card);
      await first.heard('enter_destination');
      await first.press('*');
      await first.heard('menu_register_phone');
      await first.press('4');
      await first.heard('phone_registered');
      first.hangup();
      await first.ended();

      const second = rig.call('+15557770001');
      await second.heard('you_have');
      expect(second.prompts()).to.not.include('enter_card_number');
      await second.heard('enter_destination');
      await second.press('*');
      await second.heard('menu_unregister_phone');
      await second.press('5');
      await second.heard('phone_unregistered');
      second.hangup();
      await second.ended();

      const third = rig.call('+15557770001');
      await third.heard('enter_card_number');
      third.hangup();
      await third.ended();
    });

    it('zero balance: said, then the menu recharges from a voucher (its whole balance in one ledger entry) and a call follows', async () => {
      const card = await rig.issueCard(0);
      const voucher = await rig.issueCard(700);
      farEnd(rig.sim, farEnds.answer(0, 3000));
      const caller = rig.call();
      await caller.login(card);
      await caller.heard('balance_zero');
      await caller.heard('menu_recharge');
      await caller.press('2');
      await caller.heard('enter_voucher_number');
      await caller.press(`${voucher.number}#`);
      await caller.heard('enter_voucher_pin');
      await caller.press(`${voucher.pin}#`);
      await caller.heard('recharge_done');
      await caller.heard('you_have');
      await caller.dialAfterBalance(US_NUMBER);
      await caller.heard('call_cost');
      caller.hangup();
      await caller.ended();
      const p = caller.prompts();
      const i = p.indexOf('recharge_done');
      expect(p.slice(i, i + 3)).to.deep.equal(['recharge_done', 'num_7', 'unit_usd_major_many']);
      const transfers = await rig.tb.billing.db.all<{ id: number }>("SELECT id FROM ledger_entries WHERE kind = 'transfer'");
      expect(transfers).to.have.length(1);
      expect((await balanceOf(rig, voucher.card_id)).balance).to.equal(0);
      const [rec] = await callRecordsOfCard(rig, card.card_id);
      expect((await balanceOf(rig, card.card_id)).balance).to.equal(700 - (rec?.cost_minor ?? -1));
      await expectSoundBooks(rig);
    });

    it('an empty voucher is said and moves nothing', async () => {
      const card = await rig.issueCard(100);
      const voucher = await rig.issueCard(0);
      const caller = rig.call();
      await caller.login(card);
      await caller.heard('enter_destination');
      await caller.press('*');
      await caller.heard('menu_recharge');
      await caller.press('2');
      await caller.heard('enter_voucher_number');
      await caller.press(`${voucher.number}#`);
      await caller.heard('enter_voucher_pin');
      await caller.press(`${voucher.pin}#`);
      await caller.heard('voucher_empty');
      caller.hangup();
      await caller.ended();
      expect((await balanceOf(rig, card.card_id)).balance).to.equal(100);
    });
  });

  describe('two languages', () => {
    beforeEach(async () => {
      rig = await startRig({ ivr: { languages: ['en', 'es'] } });
    });

    it('offers each language in its own voice; Spanish is then used throughout, money and minutes included', async () => {
      const card = await rig.issueCard(1250);
      farEnd(rig.sim, farEnds.answer(0, 2000));
      const caller = rig.call();
      await caller.heard('language_option');
      await caller.heard('language_option');
      await caller.press('2');
      await caller.login(card);
      await caller.heard('you_have');
      await caller.dialAfterBalance(US_NUMBER);
      await caller.heard('for_this_call');
      await caller.heard('call_cost');
      caller.hangup();
      await caller.ended();
      const media = caller.media();
      expect(media.slice(0, 3)).to.deep.equal(['sound:prepaid/en/welcome', 'sound:prepaid/en/language_option', 'sound:prepaid/es/language_option']);
      const afterChoice = media.slice(3);
      expect(afterChoice.length).to.be.greaterThan(5);
      expect(afterChoice.every((m) => m.startsWith('sound:prepaid/es/')), afterChoice.join(' ')).to.equal(true);
      expect(afterChoice).to.include('sound:prepaid/es/with'); // "doce dólares con …"
    });
  });
});
