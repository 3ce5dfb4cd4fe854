import { expect } from 'chai';
import sinon from 'sinon';
import type { CallClock } from '../../../ivr/calls/call-clock';
import { farEnds } from '../../../ivr/sim/far-end';
import type { Rig } from './harness';
import { expectSoundBooks, farEnd, originated, settledRecord, startRig, UK_NUMBER } from './harness';

type FakeClock = ReturnType<typeof sinon.useFakeTimers>;

/** A sinon fake clock of its own (installed on a private object, not on the process's globals). */
function privateFakeClock(now: number): FakeClock {
  const own = { setTimeout, clearTimeout, Date, Promise };
  return sinon.useFakeTimers({ now, toFake: ['setTimeout', 'clearTimeout', 'Date'], global: own } as Parameters<typeof sinon.useFakeTimers>[0] & object);
}

/**
 * The call clock on a sinon fake clock whose timers fire 1 ms early, 1 ms early, 1 ms late, in turn (Node's timers
 * do fire about 1 ms early: 16 of 200 in a quick measurement). Everything else (simulator, database) runs in real
 * time.
 */
function jitteryClock(fake: FakeClock): CallClock & { early: number; late: number } {
  let n = 0;
  const c = {
    early: 0,
    late: 0,
    now_ms: () => fake.now,
    after(ms: number, fn: () => void): () => void {
      let delay = Math.max(0, ms);
      if (delay >= 2) {
        const early = n++ % 3 !== 2;
        delay += early ? -1 : 1;
        if (early) c.early++;
        else c.late++;
      }
      const id = fake.setTimeout(fn, delay);
      return () => fake.clearTimeout(id);
    },
  };
  return c;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function chunkStates(rig: Rig): Promise<Map<string, string>> {
  const rows = await rig.tb.billing.db.all<{ description: string; status: string }>("SELECT description, status FROM holds WHERE description LIKE 'chunk %'");
  return new Map(rows.map((r) => [r.description, r.status]));
}

describe('IVR metering under timer jitter (sinon fake call clock, simulator + ari-client + SQLite)', function () {
  this.timeout(30_000);
  let rig: Rig | undefined;

  afterEach(async () => {
    await rig?.stop();
    rig = undefined;
  });

  it('each elapsed chunk is captured at its end even when the wake-up fires 1 ms early (no chunk left pending until the next reservation)', async () => {
    const fake = privateFakeClock(Date.now());
    const clock = jitteryClock(fake);
    // UK: 6/6 increments, 5-second chunks: [0,6) [6,12) [12,18) [18,24) …, each reserved 2 s before it is needed.
    // The simulator runs in real time (×10) while call time stands still between steps: Asterisk's
    // TIMEOUT(absolute) gets an hour of grace so that it cannot end the leg meanwhile.
    rig = await startRig({ ivr: { clock, chunk_s: 5, reserveAhead_s: 2, warnBefore_s: 10, absoluteTimeoutGrace_s: 3600 } });
    const card = await rig.issueCard(1000);
    farEnd(rig.sim, farEnds.answer(0));
    const caller = rig.call();
    await caller.login(card);
    await caller.dialAfterBalance(UK_NUMBER);
    await caller.heard('for_this_call');
    await bridged(rig, caller.channelId);
    const answered_ms = fake.now;

    // Call time moves only when the test says: in 100 ms steps, letting the IVR's database work finish in between.
    const advanceTo = async (t_ms: number): Promise<void> => {
      while (fake.now < answered_ms + t_ms) {
        await fake.tickAsync(Math.min(100, answered_ms + t_ms - fake.now));
        await sleep(5);
      }
    };
    for (const end_s of [6, 12, 18, 24]) {
      const chunk = `chunk ${end_s - 6}-${end_s}`;
      await advanceTo(end_s * 1000 + 2);
      // Call time stands still now: the chunk must have been captured by the wake-up at its end.
      const deadline = Date.now() + 3000;
      let state = (await chunkStates(rig)).get(chunk);
      while (state !== 'captured' && Date.now() < deadline) {
        await sleep(20);
        state = (await chunkStates(rig)).get(chunk);
      }
      expect(state, `${chunk} at ${end_s}.002 s of call time (chunks: ${JSON.stringify([...(await chunkStates(rig))])})`).to.equal('captured');
    }
    expect(clock.early, 'timers fired early').to.be.greaterThan(3);
    expect(clock.late, 'timers fired late').to.be.greaterThan(3);

    const [leg] = originated(rig.sim);
    rig.sim.hangupFarEnd(leg?.channelId ?? '');
    await caller.heard('call_cost');
    caller.hangup();
    await caller.ended();
    const rec = await settledRecord(rig, card.card_id);
    expect(rec).to.include({ hangup_cause: 'far_end_hangup', billed_seconds: 30, cost_minor: 30, captured_minor: 30 });
    await expectSoundBooks(rig);
  });
});

/** Waits (real time) until the caller is bridged with the answered far end. */
async function bridged(rig: Rig, callerId: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!rig.sim.records().some((r) => r.kind === 'bridge-add' && r.channelId === callerId)) {
    if (Date.now() > deadline) throw new Error('never bridged');
    await sleep(5);
  }
}
