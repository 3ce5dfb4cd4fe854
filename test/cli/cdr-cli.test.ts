import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { Billing } from '../../billing/billing';
import { SecretHasher } from '../../billing/cards/secrets';
import { callRecordById } from '../../billing/calls/call-records';
import { acquireLease } from '../../billing/calls/ivr-leases';
import { DEFAULT_POLICY } from '../../billing/shared/context';
import type { Database } from '../../billing/store/sql/database';
import { productCdrLines, seedUnseenCall } from '../support/cdr-calls';
import { createTestDatabase, FixedClock, TEST_SECRET } from '../support/databases';
import type { TestDatabase } from '../support/databases';
import { cliFor } from './cli-process';
import type { CliEnv } from './cli-process';

/** `prepaid cdr import` and `prepaid ivr nodes` as operators run them (subprocesses, SQLite file). */
describe('prepaid cdr import / ivr nodes (CLI subprocess)', function () {
  this.timeout(60_000);
  let tdb: TestDatabase;
  let db: Database;
  let billing: Billing;
  let cli: CliEnv;

  before(async () => {
    tdb = await createTestDatabase('sqlite');
    db = tdb.open();
    billing = new Billing(db, new SecretHasher(TEST_SECRET), new FixedClock(), DEFAULT_POLICY);
    cli = cliFor(tdb);
  });
  after(async () => {
    await db?.close();
    await tdb?.drop();
    cli?.cleanup();
  });

  it('bills the awaiting call from the file, prints what it did, and a second run (even from the start) changes nothing', async () => {
    const k = { call_id: `n1-${'a'.repeat(32)}`, channel_id: '1795941239.73', outbound_channel_id: `n1-${'a'.repeat(32)}-out` };
    const s = await seedUnseenCall(billing, k);
    const l = productCdrLines({ ...k, caller_answered_ms: s.answered_at_ms - 9000, answered_ms: s.answered_at_ms, ended_ms: s.answered_at_ms + 8000 });
    const file = path.join(cli.dir, 'prepaid-cdr.csv');
    fs.writeFileSync(file, `${l.outbound}\n${l.bridged}\n`);
    const r = await cli.run(['cdr', 'import', '--file', file]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.contain('2 lines read').and.to.contain('1 calls billed from their CDR').and.to.contain(`${k.call_id}: talk 8 s, billed 8 s, cost 8`);
    expect(await callRecordById(db, k.call_id)).to.include({ cdr_state: 'billed', billed_seconds: 8, cost_minor: 8 });
    const again = await cli.json<{ lines: number; billed: unknown[] }>(['cdr', 'import', '--file', file, '--from-start']);
    expect(again).to.include({ lines: 2 });
    expect(again.billed).to.deep.equal([]);
    expect(await callRecordById(db, k.call_id)).to.include({ cdr_state: 'billed', billed_seconds: 8, cost_minor: 8 });
  });

  it('exit codes that mean something: lines that are not CDRs 1 (listed with their byte offset), no such file 1, no file at all 2', async () => {
    const bad = path.join(cli.dir, 'bad.csv');
    fs.writeFileSync(bad, 'start,answer,end\n');
    const r1 = await cli.run(['cdr', 'import', '--file', bad]);
    expect(r1.code).to.equal(1);
    expect(r1.stdout).to.contain('1 lines skipped, not CDRs').and.to.contain('byte 0: expected 22 columns');
    const r2 = await cli.run(['cdr', 'import', '--file', path.join(cli.dir, 'nope.csv')]);
    expect([r2.code, r2.stderr.trim()]).to.deep.equal([1, `prepaid: no such file: ${path.join(cli.dir, 'nope.csv')}`]);
    const r3 = await cli.run(['cdr', 'import']);
    expect([r3.code, r3.stderr.trim()]).to.deep.equal([2, 'prepaid: no CDR file: pass --file PATH or set CDR_FILE']);
  });

  it('ivr nodes: each node\'s lease and its active calls', async () => {
    const now = Date.now();
    await billing.tx((ctx) => acquireLease(ctx.q, 'live1', 'i1', now, 60_000));
    await billing.tx((ctx) => acquireLease(ctx.q, 'gone1', 'i2', now - 120_000, 60_000));
    await seedUnseenCall(billing, { call_id: `gone1-${'b'.repeat(32)}`, channel_id: 'c2', outbound_channel_id: `gone1-${'b'.repeat(32)}-out`, reconcile: false, node: 'gone1' });
    const r = await cli.json<{ nodes: Array<{ node: string; lease: string; active_calls: number }> }>(['ivr', 'nodes']);
    expect(r.nodes.map((n) => [n.node, n.lease, n.active_calls])).to.deep.include.members([['live1', 'live', 0], ['gone1', 'expired', 1]]);
  });
});
