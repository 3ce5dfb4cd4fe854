import { expect } from 'chai';
import { callRecordById } from '../../../billing/calls/call-records';
import { leaseOf } from '../../../billing/calls/ivr-leases';
import type { CallRecord } from '../../../billing/calls/call-records';
import type { AriSimulator } from '../../../ivr/sim/ari-simulator';
import { farEnds } from '../../../ivr/sim/far-end';
import { KINDS, requireKind } from '../../support/databases';
import type { Kind } from '../../support/databases';
import type { Rig } from './harness';
import { ACCESS, appHangups, balanceOf, Caller, callRecordsOfCard, expectSoundBooks, farEnd, originated, pendingHoldCount, recordsOf, sleepCall, startRig, US_NUMBER } from './harness';

/**
 * Several IVR processes on one database, each on its own Asterisk (simulator), holding leases of
 * 15 s of call time (renewed every 5 s; 1.5 s of real time at the rig's speed: a loaded machine
 * must not make a live node lose its lease). Chunks are 5 s
 * after a 1 s first chunk: [0,1) [1,6) [6,11) …
 */
const LEASE_MS = 15_000;

async function talkingOn(sim: AriSimulator, card: { number: string; pin: string }, callerNumber = '+15551230001'): Promise<Caller> {
  const caller = new Caller(sim, sim.placeInboundCall({ callerNumber, accessNumber: ACCESS, args: ['access', ACCESS] }));
  await caller.login(card);
  await caller.dialAfterBalance(US_NUMBER);
  await caller.heard('for_this_call');
  while (recordsOf(sim, caller.channelId, 'bridge-add').length === 0) await new Promise((r) => setTimeout(r, 5));
  return caller;
}

async function recordOf(rig: Rig, card_id: number): Promise<CallRecord> {
  const [rec] = await callRecordsOfCard(rig, card_id);
  if (!rec) throw new Error('no call record');
  return rec;
}

/** Waits (real time) until the call record is no longer active. */
async function settled(rig: Rig, id: string, limit_ms = 8000): Promise<CallRecord> {
  const deadline = Date.now() + limit_ms;
  for (;;) {
    const rec = await callRecordById(rig.tb.billing.db, id);
    if (rec && rec.status !== 'active') return rec;
    if (Date.now() > deadline) throw new Error(`call ${id} still active after ${limit_ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const logged = (rig: Rig, message: string) => rig.log.lines.filter((l) => l.message === message);

/** Polls (real time) until `cond` holds; fails naming `what` after `limit_ms`. */
async function waitFor(cond: () => boolean | Promise<boolean>, what: string, limit_ms = 8000): Promise<void> {
  const deadline = Date.now() + limit_ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`no ${what} within ${limit_ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

for (const kind of KINDS as Kind[]) {
  describe(`IVR node leases: two IVR processes over the ARI simulator (${kind})`, function () {
    this.timeout(40_000);
    let rig: Rig;
    beforeEach(async function () {
      await requireKind(this, kind);
      rig = await startRig({ kind, ivr: { leaseTtl_ms: LEASE_MS } });
    });
    afterEach(async () => rig?.stop());

    it('a node that vanishes for good: a live node on another Asterisk reconciles its call once its lease has expired, not before', async () => {
      const other = await rig.addSimulator();
      const b = await rig.startIvr({ ivr: { nodeId: 'b' }, simUrl: other.url, ownConnection: true });
      const card = await rig.issueCard(500);
      farEnd(rig.sim, farEnds.answer(0, 30_000));
      const caller = await talkingOn(rig.sim, card);
      // Killed once [0,1) [1,6) are captured ([6,11) is held).
      await waitFor(async () => (await rig.tb.billing.db.one("SELECT id FROM holds WHERE description = 'chunk 1-6' AND status = 'captured'")) !== undefined, 'second chunk captured');
      await rig.ivr.kill();
      const rec = await recordOf(rig, card.card_id);
      expect(rec).to.include({ status: 'active', ivr_node: 'test' });
      const done = await settled(rig, rec.id);
      expect(done).to.include({ status: 'completed', hangup_cause: 'reconciled', billed_seconds: 6, cost_minor: 6, captured_minor: 6, ivr_node: 'b' });
      // Counted once its settlement has returned (just after the record is written).
      await waitFor(() => b.metrics.outcomes.length > 0, 'the outcome counted');
      expect(b.metrics.outcomes).to.deep.equal(['reconciled']);
      expect(await pendingHoldCount(rig)).to.equal(0);
      expect(await balanceOf(rig, card.card_id)).to.deep.equal({ balance: 494, available: 494, pending: 0 });
      // The dead node's Asterisk still ends the leg by itself at the covered time (fail closed).
      const [leg] = originated(rig.sim);
      await sleepCall(rig, 7000);
      expect(rig.sim.channel(leg?.channelId ?? '')).to.equal(undefined);
      expect(appHangups(rig, leg?.channelId ?? '')).to.equal(0);
      caller.hangup();
      await expectSoundBooks(rig);
    });

    it('a node that comes back under another id (a new container): leaves the old call alone while its lease lives, then takes it over and meters it on to the second', async () => {
      // 30 s chunks: [0,1) [1,31) [31,61); killed once [31,61) is held (at 29 s), so Asterisk's
      // TIMEOUT(absolute) would end the leg at 63 s: far past when the old lease expires.
      await rig.ivr.kill();
      const first = await rig.startIvr({ ivr: { nodeId: 'test', chunk_s: 30 } });
      const card = await rig.issueCard(500);
      farEnd(rig.sim, farEnds.answer(0, 70_000));
      const caller = await talkingOn(rig.sim, card);
      await waitFor(async () => (await rig.tb.billing.db.one("SELECT id FROM holds WHERE description = 'chunk 31-61'")) !== undefined, 'third chunk held');
      await sleepCall(rig, 500); // its TIMEOUT(absolute) set too
      await first.kill();
      const back = await rig.startIvr({ ivr: { nodeId: 'new', chunk_s: 30 } });
      const [leg] = originated(rig.sim);
      // While the old lease lives: the caller is not adopted afresh, the leg not hung up.
      expect(logged(rig, 'adopting a caller in progress')).to.deep.equal([]);
      expect(appHangups(rig, leg?.channelId ?? '')).to.equal(0);
      expect((await recordOf(rig, card.card_id)).ivr_node).to.equal('test');
      // Billed past the held 61 s only if the new node took metering over.
      await caller.heard('call_cost', 15_000);
      const rec = await settled(rig, (await recordOf(rig, card.card_id)).id);
      expect(rec).to.include({ status: 'completed', hangup_cause: 'far_end_hangup', ivr_node: 'new' });
      expect(rec.billed_seconds).to.be.within(69, 71);
      expect(rec.cost_minor).to.equal(rec.billed_seconds);
      await waitFor(() => back.metrics.outcomes.length > 0, 'the outcome counted');
      expect(back.metrics.outcomes).to.deep.equal(['completed']);
      expect(logged(rig, 'adopting a caller in progress')).to.deep.equal([]);
      caller.hangup();
      await caller.ended();
      expect(await pendingHoldCount(rig)).to.equal(0);
      await expectSoundBooks(rig);
    });

    it('two live nodes racing for the calls of a vanished one: each call is reconciled exactly once', async () => {
      const simB = await rig.addSimulator();
      const simC = await rig.addSimulator();
      const b = await rig.startIvr({ ivr: { nodeId: 'b' }, simUrl: simB.url, ownConnection: true });
      const c = await rig.startIvr({ ivr: { nodeId: 'c' }, simUrl: simC.url, ownConnection: true });
      farEnd(rig.sim, farEnds.answer(0)); // they would talk for ever
      const cards = [await rig.issueCard(500), await rig.issueCard(500), await rig.issueCard(500)];
      const callers = [];
      for (const [i, card] of cards.entries()) callers.push(await talkingOn(rig.sim, card, `+1555123000${i + 2}`));
      await rig.ivr.kill();
      for (const card of cards) {
        const rec = await settled(rig, (await recordOf(rig, card.card_id)).id);
        expect(rec.hangup_cause).to.equal('reconciled');
        expect(rec.ivr_node).to.be.oneOf(['b', 'c']);
        expect(rec.cost_minor).to.equal(rec.captured_minor);
      }
      await waitFor(() => b.metrics.outcomes.length + c.metrics.outcomes.length >= 3, 'three outcomes counted');
      expect([...b.metrics.outcomes, ...c.metrics.outcomes]).to.deep.equal(['reconciled', 'reconciled', 'reconciled']);
      const takeOvers = logged(rig, 'took over the calls of vanished IVR nodes').reduce((s, l) => s + Number(l.fields.calls), 0);
      expect(takeOvers).to.equal(3);
      expect(await pendingHoldCount(rig)).to.equal(0);
      for (const caller of callers) caller.hangup();
      await expectSoundBooks(rig);
    });

    it('a node that stalls past its lease: its call is taken over, the stalled node\'s money writes are refused, it learns it lost the lease and restarts', async () => {
      const other = await rig.addSimulator();
      await rig.startIvr({ ivr: { nodeId: 'b' }, simUrl: other.url, ownConnection: true });
      const card = await rig.issueCard(500);
      farEnd(rig.sim, farEnds.answer(0, 30_000));
      const caller = await talkingOn(rig.sim, card);
      await sleepCall(rig, 2000);
      // The stall: its lease renewals stop while its calls go on being metered.
      await rig.ivr.app.lease.stop();
      const rec = await settled(rig, (await recordOf(rig, card.card_id)).id);
      expect(rec).to.include({ hangup_cause: 'reconciled', ivr_node: 'b' });
      // The stalled node meters on: its next capture or reservation is refused by the database.
      const refused = () => rig.log.lines.filter((l) => (l.message === 'metering failed: the limit is final' && /no longer owned by IVR node test/.test(String(l.fields.error)))
        || (l.message === 'chunk reservation refused: the limit is final' && l.fields.code === 'invalid_state'));
      await waitFor(() => refused().length > 0, 'a refused money write');
      rig.ivr.app.lease.start();
      const lost = 'IVR node lease lost (it expired and was reaped): calls may have been taken over by another node; restarting the IVR';
      await waitFor(async () => logged(rig, lost).length >= 1 && (await leaseOf(rig.tb.billing.db, 'test'))?.instance === rig.ivr.app.lease.instance, 'the lease lost, then taken again');
      const after = await callRecordById(rig.tb.billing.db, rec.id);
      expect(after).to.deep.equal(rec);
      expect(await pendingHoldCount(rig)).to.equal(0);
      expect((await balanceOf(rig, card.card_id)).balance).to.equal(500 - rec.cost_minor);
      caller.hangup();
      await expectSoundBooks(rig);
    });
  });
}
