import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Billing } from '../../billing';
import type { CdrBillOutcome } from './cdr-billing';
import { awaitingWithLegs, billFromCdr, closeAbandonedAwaiting, purgeUnneededLegs, storeCdrLegs } from './cdr-billing';
import type { CdrRow } from './cdr-row';
import { parseCdrLine } from './cdr-row';

/**
 * Reads an Asterisk CDR file (cdr_custom or cdr_csv, see cdr-row.ts) from where the last read
 * stopped, a bounded chunk at a time: only whole lines are consumed (Asterisk may be writing the
 * last one), and the offset is saved in the same transaction as the rows it covered, so a crash
 * re-reads at most one chunk and nothing is lost or applied twice. A file replaced (rotation: another
 * inode), shorter than the saved offset, or rewritten in place (the bytes before the offset changed:
 * copytruncate) is read again from its start — harmless, as importing a row twice changes nothing. A line that is
 * not a CDR is reported with its byte offset and skipped, never blocking the lines after it.
 */
export interface CdrChunkResult {
  from_offset: number;
  to_offset: number;
  lines: number;
  legs: number;
  rejected: Array<{ offset: number; reason: string }>;
  /** The saved offset no longer fitted the file (rotated or truncated): read from its start. */
  restarted: boolean;
  at_eof: boolean;
}

export interface CdrImportSummary {
  file: string;
  chunks: number;
  lines: number;
  legs: number;
  /** Lines that are not CDRs (all counted; the first 100 listed in `rejected`). */
  rejected_count: number;
  rejected: Array<{ offset: number; reason: string }>;
  restarted: boolean;
  at_eof: boolean;
  billed: Extract<CdrBillOutcome, { kind: 'billed' }>[];
  mismatched: Extract<CdrBillOutcome, { kind: 'mismatch' }>[];
  /** Awaiting calls whose holds ran out before their CDR came: billed by the reconcile rule. */
  missing: number;
}

export const DEFAULT_CDR_CHUNK_BYTES = 1 << 20;
/** Bytes before the offset whose hash must match for the read to resume there. */
const TAIL_BYTES = 256;
/** Rejections listed in one summary (the count of lines is always exact). */
const MAX_REJECTS_LISTED = 100;

/** Names a file read by this host (offsets are per host: two Asterisk servers may use the same path). */
export function cdrSource(file: string): string {
  return `${os.hostname()}:${path.resolve(file)}`.slice(0, 600);
}

async function tailHash(fh: fs.FileHandle, offset: number): Promise<string> {
  const len = Math.min(TAIL_BYTES, offset);
  const buf = Buffer.alloc(len);
  const { bytesRead } = len > 0 ? await fh.read(buf, 0, len, offset - len) : { bytesRead: 0 };
  return createHash('sha256').update(buf.subarray(0, bytesRead)).digest('hex');
}

/** Reads and stores one chunk; `fromStart` ignores the saved offset (a deliberate re-import). */
export async function importCdrChunk(billing: Billing, file: string, opts: { maxBytes?: number; fromStart?: boolean; now_ms: number }): Promise<CdrChunkResult> {
  const maxBytes = opts.maxBytes ?? DEFAULT_CDR_CHUNK_BYTES;
  const source = cdrSource(file);
  const fh = await fs.open(file, 'r');
  try {
    const st = await fh.stat();
    const identity = `${st.dev}:${st.ino}`;
    const saved = await billing.db.one<{ identity: string; read_offset: number; tail_hash: string }>('SELECT identity, read_offset, tail_hash FROM cdr_files WHERE source = ?', [source]);
    let from = 0;
    let restarted = false;
    if (!opts.fromStart && saved) {
      const offset = Number(saved.read_offset);
      if (saved.identity === identity && offset <= st.size && (await tailHash(fh, offset)) === saved.tail_hash) from = offset;
      else restarted = offset > 0;
    }
    const buf = Buffer.alloc(Math.min(maxBytes, Math.max(0, st.size - from)));
    const { bytesRead } = buf.length > 0 ? await fh.read(buf, 0, buf.length, from) : { bytesRead: 0 };
    const data = buf.subarray(0, bytesRead);
    const lastNl = data.lastIndexOf(0x0a);
    const rejected: CdrChunkResult['rejected'] = [];
    const rows: Array<{ row: CdrRow; source: string }> = [];
    let consumed = 0;
    let lines = 0;
    if (lastNl >= 0) {
      consumed = lastNl + 1;
      let at = 0;
      while (at < consumed) {
        const nl = data.indexOf(0x0a, at);
        const line = data.subarray(at, nl).toString('utf8').replace(/\r$/, '');
        const offset = from + at;
        at = nl + 1;
        if (line.trim() === '') continue;
        lines++;
        const p = parseCdrLine(line);
        if (p.ok) rows.push({ row: p.row, source: `${file}:${offset}` });
        else rejected.push({ offset, reason: p.reason });
      }
    } else if (bytesRead === maxBytes) {
      // One "line" longer than a whole chunk is not a CDR: skip it rather than stall on it.
      consumed = bytesRead;
      rejected.push({ offset: from, reason: `no end of line within ${maxBytes} bytes` });
    }
    const to = from + consumed;
    const tail = await tailHash(fh, to);
    const stored = await billing.tx(async (ctx) => {
      const s = await storeCdrLegs(ctx.q, rows, opts.now_ms);
      await ctx.q.run(
        `INSERT INTO cdr_files (source, identity, read_offset, tail_hash, updated_at_ms) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (source) DO UPDATE SET identity = excluded.identity, read_offset = excluded.read_offset, tail_hash = excluded.tail_hash, updated_at_ms = excluded.updated_at_ms`,
        [source, identity, to, tail, opts.now_ms],
      );
      return s;
    });
    return { from_offset: from, to_offset: to, lines, legs: stored.legs, rejected, restarted, at_eof: to >= st.size || consumed === 0 };
  } finally {
    await fh.close();
  }
}

/**
 * Imports what is new in `file` (at most `maxChunks` chunks), bills every awaiting call whose two
 * CDR rows are in, and closes awaiting calls whose holds ran out. Idempotent.
 */
export async function importCdrFile(billing: Billing, file: string, opts: { maxBytes?: number; maxChunks?: number; fromStart?: boolean; now_ms: () => number }): Promise<CdrImportSummary> {
  const summary: CdrImportSummary = { file, chunks: 0, lines: 0, legs: 0, rejected_count: 0, rejected: [], restarted: false, at_eof: false, billed: [], mismatched: [], missing: 0 };
  const maxChunks = opts.maxChunks ?? 64;
  let fromStart = opts.fromStart ?? false;
  while (summary.chunks < maxChunks) {
    const r = await importCdrChunk(billing, file, { ...(opts.maxBytes !== undefined && { maxBytes: opts.maxBytes }), fromStart, now_ms: opts.now_ms() });
    fromStart = false;
    summary.chunks++;
    summary.lines += r.lines;
    summary.legs += r.legs;
    summary.restarted ||= r.restarted;
    summary.rejected_count += r.rejected.length;
    for (const x of r.rejected) if (summary.rejected.length < MAX_REJECTS_LISTED) summary.rejected.push(x);
    summary.at_eof = r.at_eof;
    if (r.at_eof) break;
  }
  for (const id of await awaitingWithLegs(billing.db)) {
    const out = await billFromCdr(billing, id);
    if (out.kind === 'billed') summary.billed.push(out);
    else if (out.kind === 'mismatch') summary.mismatched.push(out);
  }
  summary.missing = await closeAbandonedAwaiting(billing);
  await purgeUnneededLegs(billing);
  return summary;
}
