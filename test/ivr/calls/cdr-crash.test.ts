import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { callRecordById } from '../../../billing/calls/call-records';
import type { CallRecord } from '../../../billing/calls/call-records';
import { importCdrFile } from '../../../billing/calls/cdr/cdr-file';
import { farEnds } from '../../../ivr/sim/far-end';
import { productCdrLines } from '../../support/cdr-calls';
import { KINDS, requireKind } from '../../support/databases';
import type { Kind } from '../../support/databases';
import type { Caller, Rig } from './harness';
import { appHangups, balanceOf, callRecordsOfCard, expectSoundBooks, farEnd, originated, pendingHoldCount, recordsOf, sleepCall, startRig, talking } from './harness';

/**
 * The crash case of issue 13, over the ARI simulator: the IVR dies during a call and is back only
 * after the call has ended. Asterisk (here the simulator) ends the leg on its own, and writes its CDR
 * rows when each channel is destroyed — the outbound leg's row when the leg goes, the caller's bridged
 * row when the caller goes (../shared/asterisk-ari/cdr/README.md) — in the exact cdr_custom format.
 * The IVR runs in CDR mode (awaitCdr, as with CDR_FILE set). Chunks: [0,1) [1,6) [6,11) …, 1 ¢/s.
 */
interface CdrWriter {
  file: string;
  /** Resolves once both rows of the call are written. */
  written: Promise<void>;
}

/** Writes the call's two CDR rows as Asterisk does, at the moments Asterisk does. */
function writeCdrsLikeAsterisk(rig: Rig, rec: CallRecord, file: string): CdrWriter {
  const out = rec.outbound_channel_id as string;
  const callerId = rec.channel_id as string;
  const names = new Map(rig.sim.channels().map((c) => [c.id, c.name]));
  let legEnded_ms: number | undefined;
  let lines: ReturnType<typeof productCdrLines> | undefined;
  // The userfield is whatever the IVR set on its leg with CDR(userfield) (Asterisk copies it into both rows).
  const named = () => recordsOf(rig.sim, out, 'set-var').some((r) => r.detail?.name === 'CDR(userfield)' && r.detail.value === rec.id);
  const linesFor = (ended_ms: number) => productCdrLines({
    named: named(), call_id: rec.id, channel_id: callerId, outbound_channel_id: out, caller_answered_ms: rec.started_at_ms - 8000,
    answered_ms: Number(rec.answered_at_ms), ended_ms, caller_name: names.get(callerId), outbound_name: names.get(out),
  });
  const written = new Promise<void>((resolve) => {
    const onDestroyed = ({ channelId }: { channelId: string }) => {
      if (channelId === out) {
        legEnded_ms = rig.clock.now_ms(); // the bridge broke here: the caller's bridged row ends now
        lines = linesFor(legEnded_ms);
        fs.appendFileSync(file, `${lines.outbound}\n`);
      } else if (channelId === callerId && lines) {
        fs.appendFileSync(file, `${lines.bridged}\n`);
        rig.sim.off('channel-destroyed', onDestroyed);
        resolve();
      }
    };
    rig.sim.on('channel-destroyed', onDestroyed);
  });
  return { file, written };
}

async function theCall(rig: Rig, card_id: number): Promise<CallRecord> {
  const [rec] = await callRecordsOfCard(rig, card_id);
  if (!rec) throw new Error('no call record');
  return rec;
}

async function untilSettled(rig: Rig, id: string): Promise<CallRecord> {
  const deadline = Date.now() + 8000;
  for (;;) {
    const rec = await callRecordById(rig.tb.billing.db, id);
    if (rec && rec.status !== 'active') return rec;
    if (Date.now() > deadline) throw new Error('call not reconciled');
    await new Promise((r) => setTimeout(r, 20));
  }
}

for (const kind of KINDS as Kind[]) {
  describe(`a call that outlives its IVR is billed its CDR talk time, within its held chunks (${kind})`, function () {
    this.timeout(40_000);
    let rig: Rig;
    let dir: string;
    beforeEach(async function () {
      await requireKind(this, kind);
      rig = await startRig({ kind, ivr: { awaitCdr: true } });
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'prepaid-cdr-crash-'));
    });
    afterEach(async () => {
      await rig?.stop();
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    const importNow = (file: string) => importCdrFile(rig.tb.billing, file, { now_ms: () => rig.tb.billing.clock.now().getTime() });

    async function killAndWaitForTheEnd(caller: Caller, card_id: number, hangupAfter_ms: number): Promise<{ rec: CallRecord; cdr: CdrWriter }> {
      const rec = await theCall(rig, card_id);
      const cdr = writeCdrsLikeAsterisk(rig, rec, path.join(dir, 'prepaid-cdr.csv'));
      await sleepCall(rig, 8000); // [0,1) [1,6) captured; [6,11) held
      await rig.ivr.kill();
      await sleepCall(rig, hangupAfter_ms);
      caller.hangup(); // the caller gives up on the silent line
      await caller.ended();
      await cdr.written;
      return { rec, cdr };
    }

    it('the far end hangs up while the IVR is dead: billed the CDR talk time, not the last confirmed chunk', async () => {
      const card = await rig.issueCard(500);
      farEnd(rig.sim, farEnds.answer(0, 9500));
      const caller = await talking(rig, card);
      const { rec, cdr } = await killAndWaitForTheEnd(caller, card.card_id, 3000);
      expect(fs.readFileSync(cdr.file, 'utf8'), 'the IVR named its call with CDR(userfield)').to.contain(`";${rec.id}"`);
      const back = await rig.startIvr();
      // Reconciled at what was confirmed; the chunk beyond stays held for the CDR.
      const provisional = await untilSettled(rig, rec.id);
      expect(provisional).to.include({ status: 'completed', hangup_cause: 'reconciled', cdr_state: 'awaiting' });
      // The last chunk captured before the kill ([1,6) at 6 s; [0,1) only, if that capture was still in flight under load).
      expect(provisional.billed_seconds).to.be.oneOf([6, 1]);
      expect([provisional.cost_minor, provisional.captured_minor]).to.deep.equal([provisional.billed_seconds, provisional.billed_seconds]);
      expect(await pendingHoldCount(rig)).to.be.greaterThan(0);
      // Counted once its settlement has returned (just after the record is written).
      for (const deadline = Date.now() + 5000; back.metrics.outcomes.length === 0 && Date.now() < deadline;) await new Promise((r) => setTimeout(r, 20));
      expect(back.metrics.outcomes).to.deep.equal(['reconciled']);
      const r = await importNow(cdr.file);
      expect(r.rejected_count).to.equal(0);
      const billed = await callRecordById(rig.tb.billing.db, rec.id);
      // Whole seconds as Asterisk writes them: 9.5 s of talk reads as 9 or 10.
      expect(billed?.cdr_talk_s).to.be.within(9, 10);
      expect(billed).to.include({ cdr_state: 'billed', hangup_cause: 'reconciled', billed_seconds: billed?.cdr_talk_s, cost_minor: billed?.cdr_talk_s, captured_minor: billed?.cdr_talk_s });
      expect(await pendingHoldCount(rig)).to.equal(0);
      const cost = billed?.cost_minor ?? 0;
      expect(await balanceOf(rig, card.card_id)).to.deep.equal({ balance: 500 - cost, available: 500 - cost, pending: 0 });
      await expectSoundBooks(rig);
      // Importing the same file again changes nothing.
      const again = await importCdrFile(rig.tb.billing, cdr.file, { fromStart: true, now_ms: () => rig.tb.billing.clock.now().getTime() });
      expect(again.billed).to.deep.equal([]);
      expect(await callRecordById(rig.tb.billing.db, rec.id)).to.deep.equal(billed);
    });

    it('Asterisk ends the call at the covered time (TIMEOUT(absolute)) while the IVR is dead: billed up to the held chunks, never beyond', async () => {
      const card = await rig.issueCard(500);
      farEnd(rig.sim, farEnds.answer(0)); // would talk for ever
      const caller = await talking(rig, card);
      const { rec, cdr } = await killAndWaitForTheEnd(caller, card.card_id, 12_000); // the leg goes at the covered time + 2 s grace
      const [leg] = originated(rig.sim);
      expect(appHangups(rig, leg?.channelId ?? '')).to.equal(0);
      await rig.startIvr();
      await untilSettled(rig, rec.id);
      // What was held when the IVR died: [6,11), or [11,16) too if its reservation (due at 9 s) came first under load.
      const spans = await rig.tb.billing.db.all<{ description: string }>("SELECT description FROM holds WHERE call_id = ? AND status <> 'voided'", [rec.id]);
      const covered = Math.max(...spans.map((h) => Number(/^chunk \d+-(\d+)$/.exec(h.description)?.[1] ?? 0)));
      expect(covered).to.be.oneOf([11, 16]);
      const r = await importNow(cdr.file);
      expect(r.billed).to.have.length(1);
      // Asterisk ended the leg at the covered time + 2 s of grace (whole seconds in the CDR).
      expect(r.billed[0]?.talk_s).to.be.within(covered + 1, covered + 3);
      const billed = await callRecordById(rig.tb.billing.db, rec.id);
      expect(billed).to.include({ cdr_state: 'billed', billed_seconds: covered, cost_minor: covered, captured_minor: covered });
      expect(await balanceOf(rig, card.card_id)).to.deep.equal({ balance: 500 - covered, available: 500 - covered, pending: 0 });
      await expectSoundBooks(rig);
    });

    it('the CDR is read before the IVR is back (another process imports it): the call is billed from it the moment it is reconciled', async () => {
      const card = await rig.issueCard(500);
      farEnd(rig.sim, farEnds.answer(0, 9500));
      const caller = await talking(rig, card);
      const { rec, cdr } = await killAndWaitForTheEnd(caller, card.card_id, 3000);
      const early = await importNow(cdr.file);
      expect([early.legs, early.billed.length]).to.deep.equal([2, 0]);
      expect((await callRecordById(rig.tb.billing.db, rec.id))?.status).to.equal('active');
      await rig.startIvr();
      const billed = await untilSettled(rig, rec.id);
      expect(billed.cdr_state).to.equal('billed');
      expect(billed.billed_seconds).to.be.within(9, 10);
      expect(await pendingHoldCount(rig)).to.equal(0);
      await expectSoundBooks(rig);
    });
  });
}
