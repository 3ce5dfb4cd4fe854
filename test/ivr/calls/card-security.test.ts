import { expect } from 'chai';
import { unlockCardPin } from '../../../billing/cards/card-admin';
import { authenticateCard } from '../../../billing/cards/card-auth';
import { registerCaller } from '../../../billing/cards/registered-callers';
import { MemoryLogger } from '../../../billing/shared/logger';
import { AriTelephony } from '../../../ivr/ari/ari-telephony';
import { IvrApp } from '../../../ivr/calls/ivr-app';
import { ivrOptions } from '../../../ivr/calls/ivr-options';
import { AriSimulator } from '../../../ivr/sim/ari-simulator';
import { farEnds } from '../../../ivr/sim/far-end';
import { KINDS, requireKind } from '../../support/databases';
import type { Kind } from '../../support/databases';
import type { Rig, RigOptions } from './harness';
import { ACCESS, Caller, RecordingMetrics, SPEED, expectSoundBooks, farEnd, settledRecord, sleepCall, startRig, talking } from './harness';

const wrongPin = (pin: string): string => String((Number(pin) + 1) % 10_000).padStart(pin.length, '0');
const MIN = 60_000;

/** A second IVR process with its own Asterisk (simulator), on the rig's database: what "several IVR processes" means. */
interface Node {
  app: IvrApp;
  sim: AriSimulator;
  call(callerNumber: string): Caller;
  /** Dies without hanging up or billing (its calls stay up in its Asterisk). */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

// The rig's ARI credentials: ari-client keeps the credentials of its HTTP client process-wide, so
// two connections in one process must share them (two real IVR processes would not care).
const USER = 'ivr';
const PASSWORD = 'secret';

async function startNode(rig: Rig, nodeId: string): Promise<Node> {
  const sim = new AriSimulator({ user: USER, password: PASSWORD, speed: SPEED, mediaDuration: () => 300 });
  const url = await sim.start();
  sim.setFarEnd(() => farEnds.answer(0));
  const tel = new AriTelephony({ restTimeout_ms: 3000, backoff: { initialDelay_ms: 20, maxDelay_ms: 100, maxAttempts: 100 } });
  await tel.connect({ url, user: USER, password: PASSWORD, app: 'prepaid' });
  const app = new IvrApp({ tel, billing: rig.tb.billing, options: ivrOptions({ ...rig.options, nodeId }), log: new MemoryLogger(), metrics: new RecordingMetrics() });
  await app.start();
  let dead = false;
  const kill = async () => {
    if (dead) return;
    dead = true;
    await app.stop();
    await tel.close();
  };
  return {
    app, sim, kill,
    call: (callerNumber) => new Caller(sim, sim.placeInboundCall({ callerNumber, accessNumber: ACCESS, args: ['access', ACCESS] })),
    async stop() {
      await kill();
      await sim.stop();
    },
  };
}

/** Waits for a caller to hear "card in use" and be hung up, never having heard the balance. */
async function refusedInUse(c: Caller): Promise<void> {
  await c.heard('card_in_use');
  await c.heard('goodbye');
  await c.ended();
  expect(c.prompts()).to.not.include('you_have');
}

/** The card's places that count now (an expired one no longer does; the sweeper deletes it). */
const places = async (rig: Rig, card_id: number): Promise<string[]> =>
  (await rig.tb.billing.db.all<{ id: string }>('SELECT id FROM card_calls WHERE card_id = ? AND expires_at_ms > ? ORDER BY id', [card_id, rig.tb.clock.ms])).map((r) => r.id);

for (const kind of KINDS) {
  describe(`IVR: simultaneous calls per card (simulator + ari-client + ${kind})`, function () {
    this.timeout(60_000);
    let rig: Rig | undefined;
    const nodes: Node[] = [];
    before(async function () { await requireKind(this, kind as Kind); });
    const start = async (o: RigOptions = {}) => {
      rig = await startRig({ kind, ivr: { maxCallsPerCard: 1 }, ...o });
      return rig;
    };
    afterEach(async () => {
      for (const n of nodes.splice(0)) await n.stop().catch(() => undefined);
      await rig?.stop();
      rig = undefined;
    });

    it('a card on a call refuses a second login ("card in use"), PIN or PIN-less from its registered (spoofable) number; once hung up, the card calls again', async () => {
      const r = await start();
      const card = await r.issueCard(500);
      await r.tb.billing.tx((ctx) => registerCaller(ctx, '+15551110009', card.card_id));
      farEnd(r.sim, farEnds.answer(0));
      const first = await talking(r, card, '+15551110001');
      expect(await places(r, card.card_id)).to.have.length(1);

      const withPin = r.call('+15551110002');
      await withPin.login(card);
      await refusedInUse(withPin);

      const pinLess = r.call('+15551110009'); // the registered number, as anyone can present it
      await refusedInUse(pinLess);
      expect(pinLess.prompts()).to.not.include('enter_card_number');

      first.hangup();
      await first.ended();
      await settledRecord(r, card.card_id);
      await r.ivr.app.idle();
      expect(await places(r, card.card_id)).to.deep.equal([]);
      const again = r.call('+15551110002');
      await again.login(card);
      await again.heard('you_have');
      again.hangup();
      await again.ended();
      await expectSoundBooks(r);
    });

    it('across IVR processes: a call on one Asterisk refuses the card on another; a limit of 2 allows two', async () => {
      const r = await start({ ivr: { maxCallsPerCard: 2 } });
      const node = await startNode(r, 'nodeb');
      nodes.push(node);
      const card = await r.issueCard(500);
      farEnd(r.sim, farEnds.answer(0));
      const a = await talking(r, card, '+15551120001');
      const b = node.call('+15551120002');
      await b.login(card);
      await b.heard('you_have');
      expect(await places(r, card.card_id)).to.have.length(2);
      const c = node.call('+15551120003');
      await c.login(card);
      await refusedInUse(c);
      for (const x of [a, b]) x.hangup();
      await Promise.all([a.ended(), b.ended()]);
    });

    it('an IVR restarted mid-call takes the call\'s place back, so the card stays in use until that call ends', async () => {
      const r = await start();
      const card = await r.issueCard(500);
      farEnd(r.sim, farEnds.answer(0, 20_000));
      const caller = await talking(r, card, '+15551130001');
      await r.ivr.kill();
      await r.startIvr();
      const second = r.call('+15551130002');
      await second.login(card);
      await refusedInUse(second);
      expect(await places(r, card.card_id)).to.have.length(1);
      await caller.heard('call_cost', 15_000);
      caller.hangup();
      await caller.ended();
      await settledRecord(r, card.card_id);
      const third = r.call('+15551130003');
      await third.login(card);
      await third.heard('you_have');
      third.hangup();
      await third.ended();
    });

    it('the places of an IVR process that died for good free themselves after their TTL', async () => {
      const r = await start();
      const node = await startNode(r, 'gone');
      nodes.push(node);
      const card = await r.issueCard(500);
      const lost = node.call('+15551140001');
      await lost.login(card);
      await lost.heard('you_have');
      await node.kill();
      const early = r.call('+15551140002');
      await early.login(card);
      await refusedInUse(early);
      r.tb.clock.advance(r.options.cardCallTtl_ms);
      const later = r.call('+15551140003');
      await later.login(card);
      await later.heard('you_have');
      expect(await places(r, card.card_id)).to.deep.equal([`test:${later.channelId}`]);
      later.hangup();
      await later.ended();
    });

    it('a call that outlasts the TTL keeps its place: its IVR renews it while the call runs', async () => {
      const r = await start();
      const card = await r.issueCard(5000);
      farEnd(r.sim, farEnds.answer(0, 60_000));
      const caller = await talking(r, card, '+15551145001');
      const ttl = r.options.cardCallTtl_ms;
      r.tb.clock.advance(ttl - 1); // the place would lapse 1 ms from now...
      const [before] = await r.tb.billing.db.all<{ expires_at_ms: number }>('SELECT expires_at_ms FROM card_calls WHERE card_id = ?', [card.card_id]);
      await sleepCall(r, ttl / 3 + 2000); // ...but a renewal (every third of the TTL, in call time) comes first
      const [after] = await r.tb.billing.db.all<{ expires_at_ms: number }>('SELECT expires_at_ms FROM card_calls WHERE card_id = ?', [card.card_id]);
      expect(after!.expires_at_ms).to.equal(r.tb.clock.ms + ttl);
      expect(after!.expires_at_ms).to.be.greaterThan(before!.expires_at_ms);
      r.tb.clock.advance(2);
      const second = r.call('+15551145002');
      await second.login(card);
      await refusedInUse(second);
      caller.hangup();
      await caller.ended();
    });

    it('without a limit (0), a card takes any number of calls and no place is written', async () => {
      const r = await start({ ivr: { maxCallsPerCard: 0 } });
      const card = await r.issueCard(500);
      const callers = [r.call('+15551150001'), r.call('+15551150002')];
      for (const c of callers) await c.login(card);
      for (const c of callers) await c.heard('you_have');
      expect(await places(r, card.card_id)).to.deep.equal([]);
      for (const c of callers) c.hangup();
      await Promise.all(callers.map((c) => c.ended()));
    });
  });

  describe(`IVR: PIN lockouts escalate, login and voucher (simulator + ari-client + ${kind})`, function () {
    this.timeout(60_000);
    let rig: Rig | undefined;
    before(async function () { await requireKind(this, kind as Kind); });
    afterEach(async () => {
      await rig?.stop();
      rig = undefined;
    });

    it('login: a timed lock ("try again later"), then the last lockout holds ("contact customer service"), also PIN-less; an operator unlock lets the caller in', async () => {
      rig = await startRig({ kind, policy: { pin_max_failures: 2, pin_lock_ms: 10 * MIN, pin_max_lockouts: 2, source_max_failures: 100 } });
      const r = rig;
      const card = await r.issueCard(500);
      const bad = { number: card.number, pin: wrongPin(card.pin) };
      const first = r.call('+15551160001');
      await first.login(bad);
      await first.heard('invalid_credentials_try_again');
      await first.login(bad);
      await first.heard('invalid_credentials_try_again');
      await first.login(card);
      await first.heard('card_locked');
      await first.ended();

      r.tb.clock.advance(10 * MIN + 1);
      const second = r.call('+15551160002');
      await second.login(bad);
      await second.heard('invalid_credentials_try_again');
      await second.login(bad);
      await second.heard('invalid_credentials_try_again');
      await second.login(card);
      await second.heard('card_locked_contact_service');
      await second.ended();
      r.tb.clock.advance(365 * 24 * 60 * MIN);
      await r.tb.billing.tx((ctx) => registerCaller(ctx, '+15551160009', card.card_id));
      const pinLess = r.call('+15551160009');
      await pinLess.heard('card_locked_contact_service');
      await pinLess.ended();
      expect(pinLess.prompts()).to.not.include('you_have');

      await r.tb.billing.tx((ctx) => unlockCardPin(ctx, card.card_id));
      const third = r.call('+15551160003');
      await third.login(card);
      await third.heard('you_have');
      third.hangup();
      await third.ended();
    });

    it('voucher: a voucher past its last lockout is said to be locked until customer service unlocks it, and moves nothing', async () => {
      rig = await startRig({ kind, policy: { pin_max_failures: 1, pin_max_lockouts: 1, source_max_failures: 100 } });
      const r = rig;
      const card = await r.issueCard(100);
      const voucher = await r.issueCard(700);
      await r.tb.billing.tx((ctx) => authenticateCard(ctx, voucher.number, wrongPin(voucher.pin)));
      const caller = r.call('+15551170001');
      await caller.login(card);
      await caller.heard('enter_destination');
      await caller.press('*');
      await caller.heard('menu_recharge');
      await caller.press('2');
      await caller.heard('enter_voucher_number');
      await caller.press(`${voucher.number}#`);
      await caller.heard('enter_voucher_pin');
      await caller.press(`${voucher.pin}#`);
      await caller.heard('card_locked_contact_service');
      caller.hangup();
      await caller.ended();
      const balances = await r.tb.billing.db.all<{ id: number; balance_minor: number }>('SELECT id, balance_minor FROM cards WHERE id IN (?, ?) ORDER BY id', [card.card_id, voucher.card_id]);
      expect(balances.map((b) => b.balance_minor)).to.deep.equal([100, 700]);
    });
  });
}
