import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { SecretHasher } from '../../billing/cards/secrets';
import type { Database } from '../../billing/store/sql/database';
import { verifyLedger } from '../../billing/verify/ledger-verify';
import { createTestDatabase, KINDS, requireKind, TEST_SECRET } from '../support/databases';
import type { TestDatabase } from '../support/databases';
import { cliFor } from './cli-process';
import type { CliEnv } from './cli-process';

/**
 * What operators see when a bulk load does not finish: Ctrl-C removes what was staged and exits 130;
 * a load killed outright (power cut, kill -9) leaves its batch `loading` — listed, its cards unusable —
 * until `prepaid batches discard` removes it. Real CLI subprocesses against a real database.
 */
const hasher = new SecretHasher(TEST_SECRET);

for (const kind of KINDS) {
  describe(`prepaid CLI: an unfinished cards generate (${kind})`, function () {
    this.timeout(120_000);
    let tdb: TestDatabase;
    let db: Database;
    let cli: CliEnv;
    before(async function () {
      await requireKind(this, kind);
      tdb = await createTestDatabase(kind);
      db = tdb.open();
      cli = cliFor(tdb);
    });
    after(async () => {
      await db?.close();
      await tdb?.drop();
      cli?.cleanup();
    });

    const counts = async () => {
      const r = await db.one<{ c: number; e: number; p: number; b: number }>('SELECT (SELECT COUNT(*) FROM cards) AS c, (SELECT COUNT(*) FROM ledger_entries) AS e, (SELECT COUNT(*) FROM postings) AS p, (SELECT COUNT(*) FROM batches) AS b');
      return { cards: Number(r?.c), entries: Number(r?.e), postings: Number(r?.p), batches: Number(r?.b) };
    };
    /** Starts a big generate and resolves once some slices of it are committed (staged). */
    async function startLoad(name: string) {
      const run = cli.start(['cards', 'generate', '--count', '400000', '--value', '1.00', '--batch', name, '--out', `${name}.csv`]);
      let exited = false;
      void run.done.then(() => { exited = true; });
      for (;;) {
        const b = await db.one<{ status: string; card_count: number }>('SELECT status, card_count FROM batches WHERE name = ?', [name]);
        if (b && b.status === 'loading' && Number(b.card_count) >= 2000) return { run, staged: Number(b.card_count) };
        if (exited) throw new Error(`the load ended before it could be interrupted: ${(await run.done).stderr}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }

    it('Ctrl-C: stops after the current slice, removes the staged cards and the partial CSV, exits 130', async () => {
      const before = await counts();
      const { run } = await startLoad('int1');
      process.kill(run.pid as number, 'SIGINT');
      const r = await run.done;
      expect(r.code, r.stderr).to.equal(130);
      expect(r.stderr).to.contain('interrupted: the partial batch was removed; nothing was issued');
      expect(await counts()).to.deep.equal(before);
      expect(fs.existsSync(path.join(cli.dir, 'int1.csv')) || fs.existsSync(path.join(cli.dir, 'int1.csv.partial'))).to.equal(false);
    });

    it('kill -9: the batch stays loading and unusable; batches discard removes it; the name is free again', async () => {
      const before = await counts();
      const { run } = await startLoad('dead1');
      process.kill(run.pid as number, 'SIGKILL');
      await run.done;
      const b = await db.one<{ status: string; card_count: number }>("SELECT status, card_count FROM batches WHERE name = 'dead1'");
      expect(b?.status).to.equal('loading');
      const staged = Number(b?.card_count);
      expect(staged).to.be.greaterThan(0);

      // What the operator sees: the batch listed as loading, its cards not found by number or serial.
      const list = await cli.json<{ batches: Array<{ name: string; status: string; card_count: number }> }>(['batches', 'list']);
      expect(list.batches.find((x) => x.name === 'dead1')).to.include({ status: 'loading', card_count: staged });
      const partial = path.join(cli.dir, 'dead1.csv.partial');
      const line = fs.readFileSync(partial, 'utf8').split('\n')[1] as string;
      const [serial, number] = line.split(',') as [string, string];
      expect(await db.one('SELECT id FROM cards WHERE number_hash = ?', [hasher.cardNumber(number)]), 'the card is in the table').to.not.equal(undefined);
      const [byNumber, bySerial, activate, again] = await Promise.all([
        cli.run(['cards', 'show', number]),
        cli.run(['cards', 'show', serial]),
        cli.run(['batches', 'activate', 'dead1']),
        cli.run(['cards', 'generate', '--count', '5', '--value', '1.00', '--batch', 'dead1', '--out', 'again.csv']),
      ]);
      expect([byNumber.code, bySerial.code, activate.code, again.code]).to.deep.equal([1, 1, 1, 2]);
      expect(activate.stderr).to.contain('is loading');
      expect(again.stderr).to.contain('is an unfinished load').and.to.contain('prepaid batches discard dead1');
      expect((await verifyLedger(db)).violations).to.deep.equal([]);

      const discard = await cli.json<{ removed_cards: number }>(['batches', 'discard', 'dead1', '--operator', 'carol']);
      expect(discard.removed_cards).to.equal(staged);
      expect(await counts()).to.deep.equal({ ...before, batches: before.batches });
      expect((await verifyLedger(db)).violations).to.deep.equal([]);
      const event = await db.one<{ actor: string; detail: string }>("SELECT actor, detail FROM operator_events WHERE action = 'batch.discard' AND target_id = 'dead1'");
      expect(event?.actor).to.equal('carol');
      fs.rmSync(partial);

      const ok = await cli.json<{ batch: { card_count: number; status: string } }>(['cards', 'generate', '--count', '5', '--value', '1.00', '--batch', 'dead1', '--out', 'again.csv']);
      expect(ok.batch).to.include({ card_count: 5, status: 'inactive' });
      const published = await cli.run(['batches', 'discard', 'dead1']);
      expect(published.code).to.equal(1);
      expect(published.stderr).to.contain('only an unfinished load can be discarded');
    });
  });
}
