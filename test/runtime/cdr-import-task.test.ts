import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { callRecordById } from '../../billing/calls/call-records';
import { MemoryLogger } from '../../billing/shared/logger';
import { createCdrImportTask } from '../../app/cdr-import-task';
import { productCdrLines, seedUnseenCall } from '../support/cdr-calls';
import { createTestBilling } from '../support/databases';
import type { TestBilling } from '../support/databases';

async function waitFor(cond: () => boolean | Promise<boolean>, what: string, limit_ms = 8000): Promise<void> {
  const deadline = Date.now() + limit_ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`no ${what} within ${limit_ms} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The background task the IVR role runs with CDR_FILE set: polls the file, bills what it finds, says so. */
describe('CDR import task (serve --roles ivr with CDR_FILE)', function () {
  this.timeout(20_000);
  let t: TestBilling;
  let dir: string;
  beforeEach(async () => {
    t = await createTestBilling('sqlite');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'prepaid-cdr-task-'));
  });
  afterEach(async () => {
    await t.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('waits for a file Asterisk has not created yet (logged once), then bills the call as rows arrive', async () => {
    const file = path.join(dir, 'prepaid-cdr.csv');
    const log = new MemoryLogger();
    const k = { call_id: `n1-${'c'.repeat(32)}`, channel_id: '1795941300.1', outbound_channel_id: `n1-${'c'.repeat(32)}-out` };
    const s = await seedUnseenCall(t.billing, k);
    const task = createCdrImportTask(t.billing, { file, pollMs: 100 }, log);
    await task.start();
    try {
      const notFound = () => log.lines.filter((l) => /CDR file not found/.test(l.message)).length;
      await waitFor(() => notFound() >= 1, 'a missing-file warning');
      await new Promise((r) => setTimeout(r, 400)); // more rounds on the missing file: still one warning
      expect(notFound()).to.equal(1);
      const l = productCdrLines({ ...k, caller_answered_ms: s.answered_at_ms - 9000, answered_ms: s.answered_at_ms, ended_ms: s.answered_at_ms + 7000 });
      fs.writeFileSync(file, `${l.outbound}\n`);
      await waitFor(async () => Number((await t.billing.db.one<{ n: number }>('SELECT COUNT(*) AS n FROM call_cdr_legs'))?.n) === 1, 'the outbound row stored');
      expect((await callRecordById(t.billing.db, k.call_id))?.cdr_state).to.equal('awaiting');
      fs.appendFileSync(file, `${l.bridged}\n`);
      await waitFor(async () => (await callRecordById(t.billing.db, k.call_id))?.cdr_state === 'billed', 'the call billed');
      expect(await callRecordById(t.billing.db, k.call_id)).to.include({ cdr_state: 'billed', billed_seconds: 7 });
      // Logged once the round that billed it ends.
      await waitFor(() => log.lines.some((x) => x.message === 'call billed from its CDR'), 'the billing logged');
      expect(log.lines.filter((x) => x.message === 'call billed from its CDR').map((x) => x.fields.billed_s)).to.deep.equal([7]);
    } finally {
      await task.stop();
    }
  });
});
