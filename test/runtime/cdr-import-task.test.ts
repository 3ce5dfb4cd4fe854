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
      await new Promise((r) => setTimeout(r, 350));
      expect(log.lines.filter((l) => /CDR file not found/.test(l.message))).to.have.length(1);
      const l = productCdrLines({ ...k, caller_answered_ms: s.answered_at_ms - 9000, answered_ms: s.answered_at_ms, ended_ms: s.answered_at_ms + 7000 });
      fs.writeFileSync(file, `${l.outbound}\n`);
      await new Promise((r) => setTimeout(r, 250));
      expect((await callRecordById(t.billing.db, k.call_id))?.cdr_state).to.equal('awaiting');
      fs.appendFileSync(file, `${l.bridged}\n`);
      const deadline = Date.now() + 5000;
      while ((await callRecordById(t.billing.db, k.call_id))?.cdr_state !== 'billed' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(await callRecordById(t.billing.db, k.call_id)).to.include({ cdr_state: 'billed', billed_seconds: 7 });
      expect(log.lines.filter((x) => x.message === 'call billed from its CDR').map((x) => x.fields.billed_s)).to.deep.equal([7]);
    } finally {
      await task.stop();
    }
  });
});
