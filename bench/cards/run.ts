/**
 * bench/cards — `prepaid cards generate` at scale on SQLite, beside a raw-insert ceiling measured in
 * the same run, then checks the result: N distinct Luhn-valid numbers in the CSV, none of them in the
 * database file or its WAL, and the books balanced.
 *   npx tsx bench/cards/run.ts --count 1000000
 * The command writes in slices of ~20 ms, each COMMIT fsynced, pausing between slices, so a server
 * on the same file keeps answering (test/cli/bulk-load-under-traffic.test.ts); the ceiling is the
 * fastest the bare driver can insert the same rows: ONE transaction, no fsync per slice.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { isLuhnValid } from '../../billing/cards/luhn';
import { openDatabase } from '../../billing/store/sql/open';
import { verifyLedger } from '../../billing/verify/ledger-verify';
import { arg } from '../support/databases';
import { rawCardInsertSeconds } from './raw-ceiling';

const count = Number(arg('count', '1000000'));
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'prepaid-bench-cards-'));
const dbFile = path.join(dir, 'prepaid.db');
const csvFile = path.join(dir, 'cards.csv');

/** Every 12-digit window of every ASCII digit run in `file`, scanned in slices (the file may be large). */
function digitWindowsOf(files: string[]): Set<string> {
  const out = new Set<string>();
  const SLICE = 64 << 20;
  for (const f of files) {
    if (!fs.existsSync(f)) continue;
    const fd = fs.openSync(f, 'r');
    const size = fs.fstatSync(fd).size;
    const buf = Buffer.alloc(SLICE + 64);
    for (let pos = 0; pos < size; pos += SLICE) {
      const n = fs.readSync(fd, buf, 0, Math.min(SLICE + 64, size - pos), pos); // 64-byte overlap
      for (const m of buf.subarray(0, n).toString('latin1').matchAll(/\d{12,}/g)) {
        for (let i = 0; i + 12 <= m[0].length; i++) out.add(m[0].slice(i, i + 12));
      }
    }
    fs.closeSync(fd);
  }
  return out;
}

async function main(): Promise<void> {
  console.log(`bench/cards: prepaid cards generate --count ${count} --value 5.00 on SQLite (${os.cpus().length} cores)`);
  const t0 = Date.now();
  const run = spawnSync(process.execPath, [path.join(root, 'bin/prepaid.mjs'), 'cards', 'generate', '--count', String(count), '--value', '5.00', '--batch', 'bench', '--out', csvFile, '--json'], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: dir, LOG_LEVEL: 'error' }, encoding: 'utf8', maxBuffer: 1 << 24,
  });
  const wall = (Date.now() - t0) / 1000;
  if (run.status !== 0) throw new Error(`prepaid exited ${run.status}: ${run.stderr}`);
  const inCommand = (JSON.parse(run.stdout) as { seconds: number }).seconds;

  const ceiling = rawCardInsertSeconds(path.join(dir, 'raw.db'), count);
  const ours = count / wall;
  const raw = count / ceiling;
  console.log(`  prepaid cards generate: ${wall.toFixed(1)} s wall (process start, migrations check, CSV, HMACs, cards + postings) — ${Math.round(ours).toLocaleString('en')} cards/s; ${inCommand.toFixed(1)} s inside the command`);
  console.log(`  raw-insert ceiling:     ${ceiling.toFixed(1)} s for ${count.toLocaleString('en')} bare card-shaped rows — ${Math.round(raw).toLocaleString('en')} rows/s`);
  console.log(`  ratio: ${(ours / raw * 100).toFixed(0)}% of the raw ceiling (${(wall / ceiling).toFixed(1)}x its time); budget 60 s: ${wall <= 60 ? 'met' : 'MISSED'}`);

  // Checks: the CSV, the bytes at rest, the books.
  const numbers = new Set<string>();
  let lines = 0;
  let badLuhn = 0;
  for await (const line of readline.createInterface({ input: fs.createReadStream(csvFile) })) {
    if (lines++ === 0) continue;
    const number = line.split(',')[1] as string;
    if (!isLuhnValid(number)) badLuhn++;
    numbers.add(number);
  }
  console.log(`  CSV: ${lines - 1} rows, ${numbers.size} distinct numbers, ${badLuhn} failing Luhn, mode ${(fs.statSync(csvFile).mode & 0o777).toString(8)}`);
  const windows = digitWindowsOf([dbFile, `${dbFile}-wal`]);
  let found = 0;
  for (const n of numbers) if (windows.has(n.slice(0, 12))) found++;
  const dbSize = fs.statSync(dbFile).size + (fs.existsSync(`${dbFile}-wal`) ? fs.statSync(`${dbFile}-wal`).size : 0);
  console.log(`  at rest: ${(dbSize / 1e6).toFixed(0)} MB of .db/.db-wal scanned; card numbers found in clear: ${found}`);
  const db = openDatabase(`sqlite:${dbFile}`);
  const report = await verifyLedger(db);
  await db.close();
  console.log(`  ledger verify: ${report.ok ? 'OK' : 'VIOLATIONS'} (${report.checked.entries} entries, ${report.checked.postings} postings, ${report.checked.cards} cards)`);
  const ok = lines - 1 === count && numbers.size === count && badLuhn === 0 && found === 0 && report.ok;
  fs.rmSync(dir, { recursive: true, force: true });
  if (!ok) {
    console.log('  CHECKS FAILED');
    process.exitCode = 1;
  }
}

await main();
