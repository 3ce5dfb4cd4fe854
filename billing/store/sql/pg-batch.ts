import pg from 'pg';
import type { Row, SqlValue } from './database';

/** A statement of a batch: its text, the name it is kept prepared under (none: unnamed), its values. */
export interface BatchStatement { text: string; name: string | undefined; values: readonly SqlValue[] }

/** What one statement of a committed batch answered. */
export interface StatementResult { rows: Row[]; rowCount: number }

/** How a batch ended: `committed`; `failed` (statement `at` answered an error, so COMMIT never ran); or `lost` (its fate unknown). */
export type BatchOutcome =
  | { kind: 'committed'; results: StatementResult[] }
  | { kind: 'failed'; at: number; error: unknown }
  | { kind: 'lost'; error: unknown };

/** The parts of pg's protocol connection a batch writes to (pg/lib/connection.js). */
interface Wire {
  stream: { cork?: () => void; uncork?: () => void };
  parsedStatements: Record<string, string>;
  submittedNamedStatements: Record<string, string>;
  parse(m: { name?: string; text: string; types: number[] }): void;
  bind(m: { statement: string; values: Array<string | null> }): void;
  describe(m: { type: 'P'; name: string }): void;
  execute(m: { portal: string }): void;
  sync(): void;
  on(event: 'parseComplete', listener: () => void): void;
  off(event: 'parseComplete', listener: () => void): void;
}

interface FieldMessage { name: string; dataTypeID: number }

/** A column of a statement's answer and how its text is read. */
interface Column { name: string; parse: (text: string) => unknown }

/**
 * Per connection, the columns each named statement answers, from the first Describe of it there.
 * Later batches on that connection send no Describe for it: PostgreSQL then sends no row
 * description, and this process does not parse one. A prepared statement's columns cannot change
 * under it (PostgreSQL refuses: "cached plan must not change result type"), and a name always
 * stands for the same text (postgres.ts).
 */
const describedOn = new WeakMap<object, Map<string, Column[]>>();

const BEGIN: BatchStatement = { text: 'BEGIN', name: 'prepaid_batch_begin', values: [] };
const COMMIT: BatchStatement = { text: 'COMMIT', name: 'prepaid_batch_commit', values: [] };

/**
 * BEGIN, the statements in their order, and COMMIT, written as ONE extended-protocol exchange that
 * ends with ONE Sync, given to `pg.Client#query` (a pg Submittable: the client hands it every answer
 * until the ReadyForQuery). pg's own queries end each statement with a Sync, and PostgreSQL flushes
 * its output, and wakes this process, at every Sync. Once per batch instead of once per statement:
 * +17.7% holds+captures per second in bench/ledger/ab.ts, PostgreSQL 105 vs 135 µs and Node 21 vs
 * 46 µs of CPU per move (README, Benchmarks).
 *
 * After an error PostgreSQL skips everything up to the Sync, COMMIT included: a statement's error
 * proves the batch did not commit, and leaves its transaction open and failed, for the caller to
 * roll back. An error of BEGIN or COMMIT, or a connection lost before COMMIT answered, leaves the
 * batch's fate unknown (`lost`).
 */
export class PgBatch {
  readonly outcome: Promise<BatchOutcome>;
  private settle!: (o: BatchOutcome) => void;
  private readonly results: StatementResult[] = [];
  /** The statement whose answers are arriving: −1 BEGIN, 0…n−1 the statements, n COMMIT. */
  private at = -1;
  private committed = false;
  private fields: Column[] = [];
  private rows: Row[] = [];
  /** By answer (0 BEGIN, 1…n the statements, n+1 COMMIT): its columns when known without a Describe (undefined: described now). */
  private readonly columns: Array<Column[] | undefined> = [];
  /** This connection's remembered columns (describedOn). */
  private described!: Map<string, Column[]>;
  /** Every Parse this batch sends, in order (a name; undefined for an unnamed statement), and how many PostgreSQL has confirmed. */
  private readonly parsing: Array<string | undefined> = [];
  private parsed = 0;
  private wire: Wire | undefined;
  private readonly onParseComplete = () => { this.parsed++; };

  constructor(private readonly statements: readonly BatchStatement[], private readonly types: pg.CustomTypesConfig) {
    this.outcome = new Promise((resolve) => { this.settle = resolve; });
  }

  submit(connection: unknown): void {
    const wire = connection as Wire;
    this.wire = wire;
    let described = describedOn.get(wire);
    if (!described) describedOn.set(wire, (described = new Map()));
    this.described = described;
    wire.on('parseComplete', this.onParseComplete);
    wire.stream.cork?.();
    try {
      this.send(wire, BEGIN, []);
      for (const s of this.statements) this.send(wire, s, s.name === undefined ? undefined : described.get(s.name));
      this.send(wire, COMMIT, []);
      wire.sync();
    } finally {
      wire.stream.uncork?.();
    }
  }

  /** Parse (on first use), Bind, Describe (unless its `columns` are known) and Execute of one statement. */
  private send(wire: Wire, s: BatchStatement, columns: Column[] | undefined): void {
    if (s.name === undefined) {
      wire.parse({ text: s.text, types: [] });
      this.parsing.push(undefined);
    } else if (wire.parsedStatements[s.name] === undefined && wire.submittedNamedStatements[s.name] === undefined) {
      wire.parse({ name: s.name, text: s.text, types: [] });
      wire.submittedNamedStatements[s.name] = s.text;
      this.parsing.push(s.name);
    }
    wire.bind({ statement: s.name ?? '', values: s.values.map((v) => (v === null ? null : String(v))) });
    if (!columns) wire.describe({ type: 'P', name: '' });
    wire.execute({ portal: '' });
    this.columns.push(columns);
  }

  handleRowDescription(msg: { fields: FieldMessage[] }): void {
    this.fields = msg.fields.map((f) => ({ name: f.name, parse: this.types.getTypeParser(f.dataTypeID, 'text') as (text: string) => unknown }));
  }

  handleDataRow(msg: { fields: Array<string | null> }): void {
    const row: Row = {};
    for (let i = 0; i < this.fields.length; i++) {
      const f = this.fields[i]!;
      const v = msg.fields[i];
      row[f.name] = v === null || v === undefined ? null : f.parse(v);
    }
    this.rows.push(row);
  }

  handleCommandComplete(msg: { text: string }): void {
    if (this.at === this.statements.length) this.committed = msg.text === 'COMMIT';
    else if (this.at >= 0) this.results.push({ rows: this.rows, rowCount: Number(/(\d+)$/.exec(msg.text)?.[1] ?? 0) });
    // A statement described in this batch: its columns, [] when no row description came (it answers none).
    const name = this.statements[this.at]?.name;
    if (name !== undefined && this.columns[this.at + 1] === undefined) this.described.set(name, this.fields);
    this.at++;
    this.fields = this.columns[this.at + 1] ?? [];
    this.rows = [];
  }

  handleEmptyQuery(): void {
    this.handleCommandComplete({ text: '' });
  }

  handleReadyForQuery(): void {
    this.end();
    this.settle(this.committed
      ? { kind: 'committed', results: this.results }
      : { kind: 'lost', error: new Error('the batch transaction ended without COMMIT') });
  }

  handleError(error: unknown): void {
    this.end();
    if (this.committed) this.settle({ kind: 'committed', results: this.results }); // the connection failed after COMMIT answered
    else if (error instanceof pg.DatabaseError && this.at >= 0 && this.at < this.statements.length) this.settle({ kind: 'failed', at: this.at, error });
    else this.settle({ kind: 'lost', error });
  }

  /** Statements whose Parse PostgreSQL skipped after an error are not prepared: the next batch parses them again. */
  private end(): void {
    if (!this.wire) return;
    this.wire.off('parseComplete', this.onParseComplete);
    this.parsing.forEach((name, i) => {
      if (name === undefined) return;
      if (i < this.parsed) this.wire!.parsedStatements[name] = this.wire!.submittedNamedStatements[name]!;
      delete this.wire!.submittedNamedStatements[name];
    });
    this.wire = undefined;
  }
}
