import { expect } from 'chai';
import { Billing } from '../../billing/billing';
import { CallMetering } from '../../billing/calls/call-metering';
import { callRecordById, insertCallRecord } from '../../billing/calls/call-records';
import { acquireLease, leaseOf, renewLease, takeOverOrphanedCalls } from '../../billing/calls/ivr-leases';
import { cardById } from '../../billing/cards/card-rows';
import { verifyLedger } from '../../billing/verify/ledger-verify';
import { CENT_A_SECOND } from '../support/cdr-calls';
import { createTestBilling, KINDS, requireKind } from '../support/databases';
import type { TestBilling } from '../support/databases';

const TTL = 30_000;

for (const kind of KINDS) {
  describe(`IVR node leases and taking over a vanished node's calls (${kind})`, function () {
    this.timeout(60_000);
    let t: TestBilling;
    let n = 0;
    beforeEach(async function () {
      await requireKind(this, kind);
      t = await createTestBilling(kind);
    });
    afterEach(async () => t?.close());

    const tx = <T>(fn: (q: Parameters<Parameters<Billing['tx']>[0]>[0]['q']) => Promise<T>, b: Billing = t.billing) => b.tx((ctx) => fn(ctx.q));
    async function openCall(node: string, status: 'active' | 'completed' = 'active'): Promise<string> {
      const id = `${node}-${String(++n).padStart(32, '0')}`;
      await tx((q) => insertCallRecord(q, { id, card_id: null, caller_number: null, access_number: null, channel_id: `ch-${n}`, started_at_ms: 0, ivr_node: node }));
      if (status !== 'active') await t.billing.db.run('UPDATE call_records SET status = ? WHERE id = ?', [status, id]);
      return id;
    }
    const ownerOf = async (id: string) => (await callRecordById(t.billing.db, id))?.ivr_node;

    it('a lease is renewed by its holder; a second process with the same node id takes it over and the first learns it', async () => {
      expect(await tx((q) => acquireLease(q, 'a', 'i1', 1000, TTL))).to.equal(undefined);
      expect(await tx((q) => renewLease(q, 'a', 'i1', 2000, TTL))).to.equal('renewed');
      expect((await leaseOf(t.billing.db, 'a'))?.expires_at_ms).to.equal(2000 + TTL);
      const replaced = await tx((q) => acquireLease(q, 'a', 'i2', 3000, TTL));
      expect(replaced?.instance).to.equal('i1');
      expect(await tx((q) => renewLease(q, 'a', 'i1', 4000, TTL))).to.equal('taken_over');
      expect(await tx((q) => renewLease(q, 'a', 'i2', 4000, TTL))).to.equal('renewed');
    });

    it('only calls of a node whose lease expired move, each to one live node, and the dead lease is reaped (its holder learns it lost it)', async () => {
      await tx((q) => acquireLease(q, 'dead', 'i-dead', 0, TTL));
      await tx((q) => acquireLease(q, 'live', 'i-live', 0, TTL));
      await tx((q) => acquireLease(q, 'me', 'i-me', 0, TTL));
      const deadCalls = [await openCall('dead'), await openCall('dead')];
      const deadDone = await openCall('dead', 'completed');
      const liveCall = await openCall('live');
      await tx((q) => renewLease(q, 'live', 'i-live', TTL, TTL));
      await tx((q) => renewLease(q, 'me', 'i-me', TTL, TTL));
      // Not yet expired: nothing moves.
      expect(await tx((q) => takeOverOrphanedCalls(q, 'me', TTL - 1))).to.deep.equal({ reaped: [], calls: 0 });
      const r = await tx((q) => takeOverOrphanedCalls(q, 'me', TTL + 1));
      expect(r).to.deep.equal({ reaped: ['dead'], calls: 2 });
      for (const id of deadCalls) expect(await ownerOf(id)).to.equal('me');
      expect(await ownerOf(deadDone)).to.equal('dead');
      expect(await ownerOf(liveCall)).to.equal('live');
      expect(await tx((q) => renewLease(q, 'dead', 'i-dead', TTL + 2, TTL))).to.equal('lost');
      expect(await tx((q) => takeOverOrphanedCalls(q, 'me', TTL + 3))).to.deep.equal({ reaped: [], calls: 0 });
    });

    it('calls of a node that never held a lease (opened before leases existed) are taken over too', async () => {
      await tx((q) => acquireLease(q, 'me', 'i-me', 0, TTL));
      const old = await openCall('legacy');
      expect((await tx((q) => takeOverOrphanedCalls(q, 'me', 1))).calls).to.equal(1);
      expect(await ownerOf(old)).to.equal('me');
    });

    it('two live nodes on their own connections racing to take over the same calls: each call moves exactly once', async () => {
      const db2 = t.tdb.open();
      const other = new Billing(db2, t.billing.hasher, t.billing.clock, t.billing.policy);
      try {
        await tx((q) => acquireLease(q, 'b', 'ib', 0, 10 * TTL));
        await tx((q) => acquireLease(q, 'c', 'ic', 0, 10 * TTL));
        for (let round = 0; round < 5; round++) {
          const dead = `d${round}`;
          await tx((q) => acquireLease(q, dead, `i${dead}`, round * 10, 1));
          const ids = [];
          for (let i = 0; i < 20; i++) ids.push(await openCall(dead));
          const [rb, rc] = await Promise.all([
            tx((q) => takeOverOrphanedCalls(q, 'b', TTL)),
            tx((q) => takeOverOrphanedCalls(q, 'c', TTL), other),
          ]);
          expect(rb.calls + rc.calls, `round ${round}`).to.equal(20);
          expect([...rb.reaped, ...rc.reaped]).to.deep.equal([dead]);
          for (const id of ids) expect(await ownerOf(id)).to.be.oneOf(['b', 'c']);
        }
      } finally {
        await db2.close();
      }
    });

    it('fencing: once its call is taken over, the old node can neither reserve, capture nor settle it', async () => {
      const card = await t.billing.issueCard({ value_minor: 500, currency: 'USD' });
      const id = `old-${'1'.padStart(32, '0')}`;
      await tx((q) => insertCallRecord(q, { id, card_id: card.card_id, caller_number: null, access_number: null, channel_id: 'ch', started_at_ms: 0, ivr_node: 'old' }));
      const m = new CallMetering(t.billing, id, card.card_id, 'USD', CENT_A_SECOND, 5, 'old');
      expect((await m.extend()).ok).to.equal(true);
      expect((await m.extend()).ok).to.equal(true);
      await tx((q) => acquireLease(q, 'new', 'i-new', 0, TTL));
      expect((await tx((q) => takeOverOrphanedCalls(q, 'new', 1))).calls).to.equal(1);
      const ext = await m.extend();
      expect(ext.ok).to.equal(false);
      if (!ext.ok) expect(ext.error.code).to.equal('invalid_state');
      let captureErr: unknown;
      await m.captureElapsed(6).catch((e: unknown) => { captureErr = e; });
      expect((captureErr as { code?: string }).code).to.equal('invalid_state');
      let finishErr: unknown;
      await m.finish(6, { hangup_cause: 'x', answered_at_ms: 0, ended_at_ms: 6000, status: 'completed' }).catch((e: unknown) => { finishErr = e; });
      expect((finishErr as { code?: string }).code).to.equal('invalid_state');
      // Nothing was taken: the two chunks are still held for the new owner to settle.
      expect((await cardById(t.billing.db, card.card_id))?.balance_minor).to.equal(500);
      const mine = await CallMetering.restore(t.billing, id, card.card_id, 'USD', CENT_A_SECOND, 5, 'new');
      const bill = await mine.finish(6, { hangup_cause: 'reconciled', answered_at_ms: 0, ended_at_ms: 6000, status: 'completed' });
      expect(bill).to.include({ billed_s: 6, cost_minor: 6 });
      expect((await cardById(t.billing.db, card.card_id))?.balance_minor).to.equal(494);
      expect((await verifyLedger(t.billing.db)).violations).to.deep.equal([]);
    });
  });
}
