import { expect } from 'chai';
import type { BatchCard, BatchSpec } from '../../billing/batches/batch-card';
import { discardStagedBatch } from '../../billing/batches/batch-discard';
import { BatchLoadStoppedError, SerialTakenError, writeBatch } from '../../billing/batches/batch-writer';
import type { WriteBatchOptions } from '../../billing/batches/batch-writer';
import { batchByName, changeBatchStatus } from '../../billing/batches/batches';
import { authenticateCard, findCardByNumber } from '../../billing/cards/card-auth';
import { authenticateInOneRead } from '../../billing/cards/card-auth-one-statement';
import { cardById, cardBySerial } from '../../billing/cards/card-rows';
import { liabilityReport } from '../../billing/reports/liability-report';
import { verifyLedger } from '../../billing/verify/ledger-verify';
import { createTestBilling, KINDS, requireKind } from '../support/databases';
import type { TestBilling } from '../support/databases';
import { testCardNumber } from './cli-process';

/**
 * Bulk loads commit in slices yet stay all or nothing as everyone else sees them: while a batch is
 * `loading` no lookup (by number, serial or id, with or without PIN) finds its cards, the books
 * balance after every slice, a failure or an abort removes everything, and an abandoned load is
 * removed by `discardStagedBatch`.
 */
for (const kind of KINDS) {
  describe(`batch loads staged in slices (${kind})`, function () {
    this.timeout(60_000);
    let t: TestBilling;
    let n = 0;
    before(async function () {
      await requireKind(this, kind);
      t = await createTestBilling(kind);
    });
    after(async () => t?.close());

    const spec = (name: string, status: BatchSpec['status'] = 'active'): BatchSpec => ({ name, currency: 'USD', status, source: 'imported', actor: 'test', value_minor: 200 });
    const cards = (count: number, serial = (i: number) => `S-${n}-${i}`): BatchCard[] => {
      n++;
      return Array.from({ length: count }, (_, i) => ({ number: testCardNumber(n * 1000 + i), pin: '4321', serial: serial(i), value_minor: 200, expiry: { kind: 'none' } }));
    };
    const counts = () => t.billing.db.one<{ c: number; e: number; p: number; b: number }>(
      'SELECT (SELECT COUNT(*) FROM cards) AS c, (SELECT COUNT(*) FROM ledger_entries) AS e, (SELECT COUNT(*) FROM postings) AS p, (SELECT COUNT(*) FROM batches) AS b',
    ).then((r) => ({ c: Number(r?.c), e: Number(r?.e), p: Number(r?.p), b: Number(r?.b) }));
    const write = (name: string, list: BatchCard[], opts: Partial<WriteBatchOptions> = {}) => writeBatch(t.billing.db, t.billing.hasher, t.clock.ms, spec(name), {
      cards: () => [list], onTakenNumber: (c) => { throw new Error(`number of ${c.serial} taken`); }, slice_rows: 10, ...opts,
    });

    /** Every way a user or operator reaches a card, each must miss it. */
    async function visible(c: BatchCard): Promise<string[]> {
      const seen: string[] = [];
      const read = t.billing.read();
      if (await findCardByNumber(read, c.number)) seen.push('number');
      if (await cardBySerial(read.q, c.serial)) seen.push('serial');
      const row = await t.billing.db.one<{ id: number }>('SELECT id FROM cards WHERE serial = ?', [c.serial]);
      if (row && (await cardById(read.q, Number(row.id)))) seen.push('id');
      const auth = await t.billing.tx((ctx) => authenticateCard(ctx, c.number, c.pin));
      if (auth.ok) seen.push('number+PIN');
      if (await authenticateInOneRead(read, c.number, c.pin)) seen.push('number+PIN in one read');
      return seen;
    }

    it('while loading, no card of the batch can be found or used; the books balance after every slice; then all at once', async () => {
      const list = cards(35);
      const during: Array<{ staged: number; seen: string[]; status: string | undefined; ledgerOk: boolean; activate: string | undefined }> = [];
      const b = await write('staged-1', list, {
        onChunk: async (slice) => {
          const batch = await batchByName(t.billing.db, 'staged-1');
          const activate = await changeBatchStatus(t.billing.db, 'staged-1', 'active', t.clock.ms);
          during.push({
            staged: Number(batch?.card_count), status: batch?.status, seen: await visible(slice[slice.length - 1] as BatchCard),
            ledgerOk: (await verifyLedger(t.billing.db)).ok, activate: activate.ok ? 'activated' : activate.error.code,
          });
        },
      });
      expect(during).to.deep.equal([10, 20, 30, 35].map((staged) => ({ staged, status: 'loading', seen: [], ledgerOk: true, activate: 'invalid_state' })));
      expect(b).to.include({ status: 'active', card_count: 35, total_minor: 7000 });
      for (const c of [list[0], list[34]] as BatchCard[]) expect(await visible(c)).to.deep.equal(['number', 'serial', 'id', 'number+PIN', 'number+PIN in one read']);
      expect((await verifyLedger(t.billing.db)).violations).to.deep.equal([]);
      const entries = await t.billing.db.all<{ n: number }>("SELECT COUNT(*) AS n FROM ledger_entries WHERE reference = 'batch:staged-1' AND kind = 'issue'");
      expect(Number(entries[0]?.n)).to.equal(4); // one balanced entry per slice
    });

    it('activating or suspending a batch goes slice by slice, each its own transaction, then flips the batch', async () => {
      const list = cards(10).map((c) => ({ ...c, expiry: { kind: 'after_activation' as const, days: 30 } }));
      await writeBatch(t.billing.db, t.billing.hasher, t.clock.ms, spec('slices-1', 'inactive'), { cards: () => [list], onTakenNumber: (c) => c });
      const commits = () => ('stats' in t.billing.db ? (t.billing.db as { stats: { batches: number } }).stats.batches : 0);
      const before = commits();
      const events: number[] = [];
      const r = await changeBatchStatus(t.billing.db, 'slices-1', 'active', t.clock.ms, { slice_ids: 3, onWritten: async (_q, c) => { events.push(c.changed); } });
      expect(r.ok && r.value.changed).to.equal(10);
      expect(events).to.deep.equal([10]);
      if (kind === 'sqlite') expect(commits() - before, 'one COMMIT per slice of 3 ids, plus the flip').to.be.at.least(5);
      const rows = await t.billing.db.all<{ status: string; expires_at_ms: number | null }>("SELECT c.status, c.expires_at_ms FROM cards c JOIN batches b ON b.id = c.batch_id WHERE b.name = 'slices-1'");
      expect(rows.every((c) => c.status === 'active' && Number(c.expires_at_ms) === t.clock.ms + 30 * 86_400_000)).to.equal(true);
      expect(await batchByName(t.billing.db, 'slices-1')).to.include({ status: 'active' });
      const s = await changeBatchStatus(t.billing.db, 'slices-1', 'suspended', t.clock.ms, { slice_ids: 4 });
      expect(s.ok && s.value.changed).to.equal(10);
      const missing = await changeBatchStatus(t.billing.db, 'nope', 'active', t.clock.ms);
      expect(missing.ok ? '' : missing.error.code).to.equal('not_found');
    });

    it('a clash found in a later slice removes the slices already committed: no batch, no card, no entry', async () => {
      const before = await counts();
      const taken = cards(1)[0] as BatchCard;
      await write('staged-taken', [taken]);
      const mid = await counts();
      const list = cards(27, (i) => (i === 23 ? taken.serial : `T-${n}-${i}`));
      let err: unknown;
      await write('staged-2', list).catch((e: unknown) => { err = e; });
      expect(err).to.be.instanceOf(SerialTakenError);
      expect(await counts()).to.deep.equal(mid);
      expect(await batchByName(t.billing.db, 'staged-2')).to.equal(undefined);
      expect(mid.c - before.c).to.equal(1);
      expect((await verifyLedger(t.billing.db)).violations).to.deep.equal([]);
    });

    it('an abort between slices (Ctrl-C) removes what was staged', async () => {
      const before = await counts();
      const ac = new AbortController();
      let err: unknown;
      await write('staged-3', cards(40), { onChunk: () => { if (ac.signal.aborted === false) ac.abort(); }, signal: ac.signal }).catch((e: unknown) => { err = e; });
      expect(err).to.be.instanceOf(BatchLoadStoppedError);
      expect(await counts()).to.deep.equal(before);
    });

    it('an abandoned load stays loading and unusable until discarded; discarding removes it in slices and stops the load', async () => {
      const before = await counts();
      const list = cards(45);
      let resume: () => void = () => undefined;
      const paused = new Promise<void>((r) => { resume = r; });
      let slicesDone = 0;
      let reachedPause: () => void = () => undefined;
      const atPause = new Promise<void>((r) => { reachedPause = r; });
      const load = write('staged-4', list, {
        onChunk: async () => {
          if (++slicesDone === 3) { reachedPause(); await paused; } // the loader "dies" here
        },
      }).then(() => 'published', (e: unknown) => e);
      await atPause;
      const b = await batchByName(t.billing.db, 'staged-4');
      expect(b).to.include({ status: 'loading', card_count: 30 });
      expect(await visible(list[5] as BatchCard)).to.deep.equal([]);
      const liability = await liabilityReport(t.billing.db);
      expect(liability.lines.find((l) => l.status === 'loading')).to.include({ cards: 30, balance_minor: 6000 });
      expect(liability.totals.every((x) => x.agrees)).to.equal(true);

      expect(await discardStagedBatch(t.billing.db, (b as { id: number }).id, 7)).to.equal(30);
      expect(await counts()).to.deep.equal(before);
      expect((await verifyLedger(t.billing.db)).violations).to.deep.equal([]);
      resume(); // the loader wakes up: its next slice finds the batch gone and stops
      const outcome = await load;
      expect(outcome).to.be.instanceOf(BatchLoadStoppedError);
      expect(await counts()).to.deep.equal(before);
      // A published batch is never discarded.
      const published = await batchByName(t.billing.db, 'staged-1');
      let refused: unknown;
      await discardStagedBatch(t.billing.db, (published as { id: number }).id).catch((e: unknown) => { refused = e; });
      expect((refused as { code?: string }).code).to.equal('invalid_state');
    });
  });
}
