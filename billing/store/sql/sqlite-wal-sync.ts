import fsp from 'node:fs/promises';
import path from 'node:path';

/**
 * fsync of a database's WAL file on libuv's thread pool — what `PRAGMA synchronous = FULL` does
 * inside every COMMIT ("an additional sync operation of the WAL file after each transaction
 * commit", sqlite.org/pragma.html#pragma_synchronous), without stopping the event loop for it.
 * fsync covers the whole file whichever process wrote it, and a WAL is replayed as a prefix, so
 * one sync after a COMMIT makes that commit and every earlier one durable.
 * The WAL file lives as long as a connection is open (SQLite deletes it on the last close only),
 * so one handle serves the life of the database object; its directory entry is synced once.
 */
export class WalSync {
  private handle: fsp.FileHandle | undefined;
  /** fsyncs done, for tests and stats. */
  syncs = 0;

  constructor(readonly dbFile: string) {}

  async sync(): Promise<void> {
    if (!this.handle) {
      this.handle = await fsp.open(`${this.dbFile}-wal`, 'r');
      await syncDirectory(path.dirname(this.dbFile));
    }
    await this.handle.sync();
    this.syncs++;
  }

  async close(): Promise<void> {
    const h = this.handle;
    this.handle = undefined;
    await h?.close();
  }
}

/** A new file's directory entry reaches the disk only when the directory itself is synced. */
async function syncDirectory(dir: string): Promise<void> {
  let d: fsp.FileHandle | undefined;
  try {
    d = await fsp.open(dir, 'r');
    await d.sync();
  } catch (err) {
    // Some platforms cannot fsync a directory (EISDIR/EINVAL/EPERM on Windows); elsewhere it works.
    const code = (err as { code?: string }).code;
    if (code !== 'EISDIR' && code !== 'EINVAL' && code !== 'EPERM') throw err;
  } finally {
    await d?.close();
  }
}
