import fs from 'node:fs';
import { once } from 'node:events';
import { stringify } from 'csv-stringify';
import type { Stringifier } from 'csv-stringify';
import { CliError } from './cli-context';

/**
 * The one file that ever holds card numbers and PINs in clear. Written with mode 0600 to
 * `<file>.partial` as each slice of the batch commits (never inside a transaction), flushed to disk
 * before the batch is published, and only then linked to its final name (which must not exist: an
 * existing file is never overwritten). A failed or interrupted batch leaves no file behind; a
 * process killed outright leaves `<file>.partial` (and its batch `loading`, see `batches discard`).
 */
export class SecretCsvFile {
  private readonly partial: string;
  private readonly out: fs.WriteStream;
  private readonly csv: Stringifier;
  private failed: Error | undefined;

  private constructor(readonly file: string, header: readonly string[]) {
    this.partial = `${file}.partial`;
    const fd = fs.openSync(this.partial, 'wx', 0o600); // throws EEXIST rather than clobber
    fs.fchmodSync(fd, 0o600); // whatever the umask
    this.out = fs.createWriteStream('', { fd, highWaterMark: 1 << 20 });
    this.csv = stringify({ header: true, columns: [...header] });
    this.csv.pipe(this.out);
    this.out.on('error', (e) => { this.failed = e; });
  }

  static create(file: string, header: readonly string[]): SecretCsvFile {
    if (fs.existsSync(file)) throw new CliError(`--out: ${file} already exists; refusing to overwrite it (choose another name)`);
    try {
      return new SecretCsvFile(file, header);
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'EEXIST') throw new CliError(`--out: ${file}.partial exists (an interrupted run?); remove it or choose another name`);
      throw new CliError(`--out: cannot create ${file}.partial (${code ?? 'error'})`);
    }
  }

  /** Writes records, waiting when the stream asks to slow down. */
  async write(records: readonly string[][]): Promise<void> {
    if (this.failed) throw this.failed;
    let ok = true;
    for (const r of records) ok = this.csv.write(r);
    if (!ok) await once(this.csv, 'drain');
  }

  /** Ends the stream and fsyncs the file (the batch is published only after this). */
  async finish(): Promise<void> {
    const closed = once(this.out, 'close');
    this.csv.end();
    await once(this.out, 'finish');
    if (this.failed) throw this.failed;
    // The stream closes its fd after finish; sync the file by path.
    await closed;
    const fd = fs.openSync(this.partial, 'r');
    try { fs.fsyncSync(fd); } finally { fs.closeSync(fd); }
  }

  /** Gives the file its final name, atomically and without replacing anything. */
  publish(): void {
    fs.linkSync(this.partial, this.file);
    fs.unlinkSync(this.partial);
  }

  discard(): void {
    this.csv.destroy();
    this.out.destroy();
    fs.rmSync(this.partial, { force: true });
  }
}
