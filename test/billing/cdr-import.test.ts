import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { Billing } from '../../billing/billing';
import { SecretHasher } from '../../billing/cards/secrets';
import { cardById } from '../../billing/cards/card-rows';
import { callRecordById } from '../../billing/calls/call-records';
import { holdCallForCdr } from '../../billing/calls/cdr/cdr-billing';
import { importCdrFile } from '../../billing/calls/cdr/cdr-file';
import { DEFAULT_POLICY } from '../../billing/shared/context';
import { verifyLedger } from '../../billing/verify/ledger-verify';
import { createTestBilling, KINDS, requireKind, TEST_SECRET } from '../support/databases';
import type { TestBilling } from '../support/databases';
import { productCdrLines, seedUnseenCall } from '../support/cdr-calls';
import { requireCdrSamples, sampleCalls, sharedCdrDir } from '../support/cdr-samples';

const SKIP = sharedCdrDir() ? '' : ' (real-sample imports SKIPPED: ../shared/asterisk-ari/cdr not found)';

for (const kind of KINDS) {
  describe(`billing calls from Asterisk's CDRs (${kind})${SKIP}`, function () {
    this.timeout(60_000);
    let t: TestBilling;
    let dir: string;
    let n = 0;
    beforeEach(async function () {
      await requireKind(this, kind);
      t = await createTestBilling(kind);
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'prepaid-cdr-'));
    });
    afterEach(async () => {
      await t?.close();
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    const now = () => t.billing.clock.now().getTime();
    const importFile = (file: string, o: { fromStart?: boolean; maxBytes?: number } = {}) => importCdrFile(t.billing, file, { ...o, now_ms: now });
    const pending = async () => Number((await t.billing.db.one<{ n: number }>("SELECT COUNT(*) AS n FROM holds WHERE status = 'pending'"))?.n);
    const balance = async (card_id: number) => (await cardById(t.billing.db, card_id))?.balance_minor;
    async function soundBooks(): Promise<void> {
      const r = await verifyLedger(t.billing.db);
      expect(r.violations, JSON.stringify(r.violations)).to.deep.equal([]);
    }
    /** Everything billing-relevant, to show a second import changes nothing. */
    async function snapshot(): Promise<unknown> {
      return {
        records: await t.billing.db.all('SELECT id, status, billed_seconds, cost_minor, captured_minor, cdr_state, cdr_talk_s, ended_at_ms FROM call_records ORDER BY id'),
        holds: await t.billing.db.all('SELECT id, status, captured_minor FROM holds ORDER BY id'),
        cards: await t.billing.db.all('SELECT id, balance_minor, pending_minor FROM cards ORDER BY id'),
        entries: await t.billing.db.all('SELECT COUNT(*) AS n FROM ledger_entries'),
      };
    }
    const ids = () => { n++; return { call_id: `n1-${String(n).padStart(32, '0')}`, channel_id: `17959412${n}.41`, outbound_channel_id: `n1-${String(n).padStart(32, '0')}-out` }; };
    const write = (name: string, lines: string[]) => { const f = path.join(dir, name); fs.writeFileSync(f, lines.map((l) => `${l}\n`).join('')); return f; };

    for (const sample of ['cdr-custom/prepaid-cdr.csv', 'cdr-csv/Master.csv']) {
      it(`the real ${sample}: each answered call billed its CDR talk time within its holds, rest released; a second import changes nothing`, async function () {
        const shared = requireCdrSamples(this);
        const calls = sampleCalls(shared).filter((c) => c.answered);
        const seeded = [];
        for (const c of calls) seeded.push({ c, s: await seedUnseenCall(t.billing, { call_id: c.call_id, channel_id: c.caller_uniqueid, outbound_channel_id: c.outbound_uniqueid }) });
        const r = await importFile(path.join(shared, sample));
        expect(r.rejected_count).to.equal(0);
        expect(r.lines).to.equal(20);
        expect(r.billed.map((b) => [b.call_id, b.talk_s]).sort()).to.deep.equal(calls.map((c) => [c.call_id, Math.floor((c.talk_ms ?? 0) / 1000)]).sort());
        for (const { c, s } of seeded) {
          const rec = await callRecordById(t.billing.db, c.call_id);
          const talk = Math.floor((c.talk_ms ?? 0) / 1000);
          expect(rec).to.include({ status: 'completed', hangup_cause: 'reconciled', cdr_state: 'billed', cdr_talk_s: talk, billed_seconds: talk, cost_minor: talk, captured_minor: talk });
          expect(rec?.ended_at_ms).to.equal(s.answered_at_ms + talk * 1000);
          expect(await balance(s.card_id)).to.equal(500 - talk);
        }
        expect(await pending()).to.equal(0);
        await soundBooks();
        const before = await snapshot();
        const again = await importFile(path.join(shared, sample), { fromStart: true });
        expect(again.billed).to.deep.equal([]);
        expect(await snapshot()).to.deep.equal(before);
      });
    }

    it('never bills beyond the held chunks: talk past the covered time (TIMEOUT grace) is capped there', async () => {
      const k = ids();
      const s = await seedUnseenCall(t.billing, k); // covered to 11 s, 1 s captured
      const lines = productCdrLines({ ...k, caller_answered_ms: s.answered_at_ms - 20_000, answered_ms: s.answered_at_ms, ended_ms: s.answered_at_ms + 13_000 });
      const r = await importFile(write('a.csv', [lines.bridged, lines.outbound]));
      expect(r.billed).to.deep.include({ kind: 'billed', call_id: k.call_id, talk_s: 13, billed_s: 11, cost_minor: 11, captured_minor: 11 });
      expect(await balance(s.card_id)).to.equal(489);
      expect(await pending()).to.equal(0);
      await soundBooks();
    });

    it('never bills less than captured: a CDR shorter than the confirmed time leaves the confirmed bill', async () => {
      const k = ids();
      const s = await seedUnseenCall(t.billing, { ...k, captured_to_s: 6 });
      const lines = productCdrLines({ ...k, caller_answered_ms: s.answered_at_ms - 5000, answered_ms: s.answered_at_ms, ended_ms: s.answered_at_ms + 3000 });
      const r = await importFile(write('a.csv', [lines.outbound, lines.bridged]));
      expect(r.billed[0]).to.include({ talk_s: 3, billed_s: 6, cost_minor: 6 });
      expect(await balance(s.card_id)).to.equal(494);
      expect(await pending()).to.equal(0);
    });

    it('a CDR read before the call was reconciled is kept, and bills the call when the IVR reconciles it', async () => {
      const k = ids();
      const s = await seedUnseenCall(t.billing, { ...k, reconcile: false });
      const lines = productCdrLines({ ...k, caller_answered_ms: s.answered_at_ms - 5000, answered_ms: s.answered_at_ms, ended_ms: s.answered_at_ms + 8000 });
      const first = await importFile(write('a.csv', [lines.outbound, lines.bridged]));
      expect(first.legs).to.equal(2);
      expect(first.billed).to.deep.equal([]);
      expect((await callRecordById(t.billing.db, k.call_id))?.status).to.equal('active');
      await holdCallForCdr(t.billing, { call_id: k.call_id, owner: 'n1', billed_s: 1, captured_minor: 1, answered_at_ms: s.answered_at_ms, ended_at_ms: s.answered_at_ms + 60_000 });
      const second = await importFile(path.join(dir, 'a.csv'));
      expect(second.lines).to.equal(0);
      expect(second.billed.map((b) => b.billed_s)).to.deep.equal([8]);
    });

    it('a row without the call\'s name (the IVR died before setting CDR(userfield)) still matches by its channel ids', async () => {
      const k = ids();
      const s = await seedUnseenCall(t.billing, k);
      const lines = productCdrLines({ ...k, caller_answered_ms: s.answered_at_ms - 5000, answered_ms: s.answered_at_ms, ended_ms: s.answered_at_ms + 9000, named: false });
      const r = await importFile(write('a.csv', [lines.bridged, lines.outbound]));
      expect(r.billed.map((b) => b.billed_s)).to.deep.equal([9]);
    });

    it('reads only whole lines, resumes where it stopped, and re-reads a rotated or truncated file from its start', async () => {
      const a = ids();
      const b = ids();
      const sa = await seedUnseenCall(t.billing, a);
      const sb = await seedUnseenCall(t.billing, b);
      const la = productCdrLines({ ...a, caller_answered_ms: sa.answered_at_ms - 5000, answered_ms: sa.answered_at_ms, ended_ms: sa.answered_at_ms + 4000 });
      const lb = productCdrLines({ ...b, caller_answered_ms: sb.answered_at_ms - 5000, answered_ms: sb.answered_at_ms, ended_ms: sb.answered_at_ms + 7000 });
      const file = path.join(dir, 'prepaid-cdr.csv');
      // Asterisk is half-way through writing the second line.
      fs.writeFileSync(file, `${la.outbound}\n${la.bridged.slice(0, 40)}`);
      const r1 = await importFile(file);
      expect([r1.lines, r1.billed.length]).to.deep.equal([1, 0]);
      fs.appendFileSync(file, `${la.bridged.slice(40)}\n`);
      const r2 = await importFile(file);
      expect([r2.lines, r2.billed.map((x) => x.billed_s)]).to.deep.equal([1, [4]]);
      // Small chunks: several reads, each of whole lines.
      fs.appendFileSync(file, `${lb.outbound}\n${lb.bridged}\n`);
      const r3 = await importFile(file, { maxBytes: 700 });
      expect([r3.chunks, r3.lines, r3.billed.map((x) => x.billed_s)]).to.deep.equal([2, 2, [7]]);
      // Rotation: a new file at the same path (another inode) is read from its start.
      fs.renameSync(file, `${file}.1`);
      fs.writeFileSync(file, `${la.outbound}\n`);
      const r4 = await importFile(file);
      expect([r4.restarted, r4.lines, r4.billed.length]).to.deep.equal([true, 1, 0]);
      // Rewritten in place (copytruncate), already as long as the saved offset again.
      fs.truncateSync(file, 0);
      fs.writeFileSync(file, `${lb.outbound}\n`);
      const r5 = await importFile(file);
      expect([r5.restarted, r5.lines, r5.billed.length]).to.deep.equal([true, 1, 0]);
      expect(await pending()).to.equal(0);
      await soundBooks();
    });

    it('a line that is not a CDR is reported with its byte offset and never blocks the lines after it', async () => {
      const k = ids();
      const s = await seedUnseenCall(t.billing, k);
      const lines = productCdrLines({ ...k, caller_answered_ms: s.answered_at_ms - 5000, answered_ms: s.answered_at_ms, ended_ms: s.answered_at_ms + 5000 });
      const junk = 'this is not a CDR';
      const r = await importFile(write('a.csv', [lines.outbound, junk, lines.bridged]));
      expect(r.rejected_count).to.equal(1);
      expect(r.rejected[0]?.offset).to.equal(Buffer.byteLength(`${lines.outbound}\n`));
      expect(r.rejected[0]?.reason).to.match(/expected 22 columns/);
      expect(r.billed.map((b) => b.billed_s)).to.deep.equal([5]);
    });

    it('rows that do not fit (the bridged row names another leg) leave the call awaiting, reported', async () => {
      const k = ids();
      const s = await seedUnseenCall(t.billing, k);
      const lines = productCdrLines({ ...k, caller_answered_ms: s.answered_at_ms - 5000, answered_ms: s.answered_at_ms, ended_ms: s.answered_at_ms + 5000 });
      const r = await importFile(write('a.csv', [lines.outbound, lines.bridged.replace(/PJSIP\/trunk-\w+/, 'PJSIP/trunk-elsewhere')]));
      expect(r.billed).to.deep.equal([]);
      expect(r.mismatched[0]?.reason).to.match(/dstchannel PJSIP\/trunk-elsewhere is not the outbound leg/);
      expect((await callRecordById(t.billing.db, k.call_id))?.cdr_state).to.equal('awaiting');
    });

    it('holds that ran out before the CDR: a late CDR bills only what is still held (no released money is taken), and a call with no CDR keeps its reconcile bill (missing)', async () => {
      const late = ids();
      const none = ids();
      const sl = await seedUnseenCall(t.billing, late);
      const sn = await seedUnseenCall(t.billing, none);
      expect(await pending()).to.equal(4);
      t.clock.advance(11 * 60_000);
      await t.billing.sweep();
      expect(await pending()).to.equal(0);
      const lines = productCdrLines({ ...late, caller_answered_ms: sl.answered_at_ms - 5000, answered_ms: sl.answered_at_ms, ended_ms: sl.answered_at_ms + 9000 });
      const r = await importFile(write('late.csv', [lines.outbound, lines.bridged]));
      expect(r.billed).to.deep.equal([{ kind: 'billed', call_id: late.call_id, talk_s: 9, billed_s: 1, cost_minor: 1, captured_minor: 1 }]);
      expect(r.missing).to.equal(1);
      expect(await callRecordById(t.billing.db, none.call_id)).to.include({ cdr_state: 'missing', billed_seconds: 1, cost_minor: 1 });
      expect([await balance(sl.card_id), await balance(sn.card_id)]).to.deep.equal([499, 499]);
      await soundBooks();
    });

    it('only the node owning an active call can put it in the CDR wait (fencing)', async () => {
      const k = ids();
      const s = await seedUnseenCall(t.billing, { ...k, reconcile: false });
      let err: unknown;
      try {
        await holdCallForCdr(t.billing, { call_id: k.call_id, owner: 'other', billed_s: 1, captured_minor: 1, answered_at_ms: s.answered_at_ms, ended_at_ms: s.answered_at_ms });
      } catch (e) { err = e; }
      expect((err as { code?: string }).code).to.equal('invalid_state');
      expect((await callRecordById(t.billing.db, k.call_id))?.status).to.equal('active');
    });

    it('two importers (two connections, as two processes) reading the same file bill each call once', async () => {
      const calls = [];
      const lines: string[] = [];
      for (let i = 0; i < 6; i++) {
        const k = ids();
        const s = await seedUnseenCall(t.billing, k);
        calls.push(s);
        const l = productCdrLines({ ...k, caller_answered_ms: s.answered_at_ms - 5000, answered_ms: s.answered_at_ms, ended_ms: s.answered_at_ms + (3 + i) * 1000 });
        lines.push(l.outbound, l.bridged);
      }
      const file = write('a.csv', lines);
      const db2 = t.tdb.open();
      const other = new Billing(db2, new SecretHasher(TEST_SECRET), t.billing.clock, DEFAULT_POLICY);
      try {
        const [r1, r2] = await Promise.all([importFile(file), importCdrFile(other, file, { now_ms: now })]);
        expect(r1.billed.length + r2.billed.length).to.equal(6);
      } finally {
        await db2.close();
      }
      for (const [i, s] of calls.entries()) expect(await balance(s.card_id)).to.equal(500 - (3 + i));
      expect(await pending()).to.equal(0);
      await soundBooks();
    });
  });
}
