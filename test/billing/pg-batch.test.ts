import { expect } from 'chai';
import pg from 'pg';
import { PgBatch } from '../../billing/store/sql/pg-batch';
import type { BatchOutcome, BatchStatement } from '../../billing/store/sql/pg-batch';
import { createTestDatabase, requireKind } from '../support/databases';
import type { TestDatabase } from '../support/databases';

/**
 * The group commit's batch (billing/store/sql/pg-batch.ts) on a real PostgreSQL connection, for
 * the statements the store sends unnamed: past the first 1,000 distinct texts (postgres.ts), a
 * text is parsed, and its columns described, every time it runs. Filling that process-wide bound
 * here would leave every later test's new statements unnamed, so these batches are made directly.
 */
describe('PgBatch: unnamed statements in a one-Sync batch (pg)', () => {
  let tdb: TestDatabase;
  let client: pg.Client;

  before(async function () {
    await requireKind(this, 'pg');
    tdb = await createTestDatabase('pg');
    client = new pg.Client({ connectionString: tdb.url });
    await client.connect();
  });

  after(async () => {
    await client?.end();
    await tdb?.drop();
  });

  const run = async (statements: BatchStatement[]): Promise<BatchOutcome> => {
    const batch = new PgBatch(statements, pg.types);
    void client.query(batch as unknown as pg.QueryConfig);
    return batch.outcome;
  };

  it('answers each unnamed statement by its own columns, batch after batch, beside a named one', async () => {
    for (let n = 1; n <= 3; n++) {
      const outcome = await run([
        { text: 'SELECT $1::int * 2 AS twice, $2::text AS label', name: undefined, values: [n, `n${n}`] },
        { text: "INSERT INTO idempotency_keys (scope, key, request_hash, status_code, response_json, created_at_ms) VALUES ('batch', $1, 'h', 200, '{}', 0)", name: undefined, values: [`k${n}`] },
        { text: "SELECT count(*)::int AS keys FROM idempotency_keys WHERE scope = 'batch'", name: 'prepaid_test_batch_count', values: [] },
        { text: 'SELECT $1::int > 1 AS yes WHERE $1::int > 1', name: undefined, values: [n] },
      ]);
      expect(outcome.kind, `batch ${n}`).to.equal('committed');
      const results = outcome.kind === 'committed' ? outcome.results : [];
      expect(results.map((r) => r.rows), `batch ${n}`).to.deep.equal([
        [{ twice: 2 * n, label: `n${n}` }],
        [],
        [{ keys: n }],
        n > 1 ? [{ yes: true }] : [],
      ]);
      expect(results.map((r) => r.rowCount), `batch ${n}`).to.deep.equal([1, 1, 1, n > 1 ? 1 : 0]);
    }
  });

  it('a failing unnamed statement fails the batch at its place, nothing of it kept; the connection goes on after a ROLLBACK', async () => {
    const insert = (key: string): BatchStatement => ({ text: "INSERT INTO idempotency_keys (scope, key, request_hash, status_code, response_json, created_at_ms) VALUES ('fail', $1, 'h', 200, '{}', 0)", name: undefined, values: [key] });
    const outcome = await run([insert('a'), { text: 'SELECT 1 / $1::int AS x', name: undefined, values: [0] }, insert('b')]);
    expect(outcome.kind).to.equal('failed');
    if (outcome.kind === 'failed') {
      expect(outcome.at).to.equal(1);
      expect((outcome.error as { code?: string }).code).to.equal('22012'); // division_by_zero
    }
    await client.query('ROLLBACK');
    const after = await run([{ text: "SELECT count(*)::int AS n FROM idempotency_keys WHERE scope = 'fail'", name: undefined, values: [] }]);
    expect(after.kind === 'committed' ? after.results[0]!.rows : after).to.deep.equal([{ n: 0 }]);
  });
});
