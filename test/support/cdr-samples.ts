import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { CDR_CUSTOM_COLUMNS } from '../../billing/calls/cdr/cdr-row';

/**
 * The real CDR rows recorded from Asterisk 22.10.1 (../shared/asterisk-ari/cdr, outside the repo, see
 * its README), and a writer of cdr_custom lines in exactly the format Asterisk writes with the mapping
 * of asterisk-config/cdr_custom.conf (checked byte for byte against the real rows).
 */
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export function sharedCdrDir(): string | undefined {
  const dir = path.resolve(repoRoot, '../shared/asterisk-ari/cdr');
  return existsSync(path.join(dir, 'cdr-custom', 'prepaid-cdr.csv')) ? dir : undefined;
}

export const MISSING_CDR_SAMPLES = 'real CDR samples not found at ../shared/asterisk-ari/cdr (outside the repo)';

/** Skips (locally) or fails (CI=true) a test that needs the real samples. */
export function requireCdrSamples(ctx: Mocha.Context): string {
  const dir = sharedCdrDir();
  if (dir) return dir;
  if (process.env.CI === 'true') throw new Error(`${MISSING_CDR_SAMPLES} (CI=true requires them)`);
  ctx.skip(); // the real CDR samples are not there: checks against them are skipped locally
  return '';
}

export function sampleLines(dir: string, rel: string): string[] {
  return readFileSync(path.join(dir, rel), 'utf8').split('\n').filter((l) => l !== '');
}

/** The call of each scenario in the samples, as recorded (README "How the calls were placed" and run/calls.json). */
export interface SampleCall {
  call_id: string;
  scenario: string;
  /** The product's caller channel (`acc-access;2`) and outbound leg (`acc-pstn;1`) uniqueids. */
  caller_uniqueid: string;
  outbound_uniqueid: string;
  answered: boolean;
  /** Far-end talk time measured by the harness (ms). */
  talk_ms: number | null;
}

interface CallsJson {
  scenario: string;
  call_id: string;
  caller: { farLegs: Array<{ outcome: string; talkMs?: number }> };
}

/**
 * Names each sample call's channels from run/calls.json and the raw CSV (split by csv-parse, not by
 * the product's parser): the outbound row is the one whose lastdata is `prepaid,outbound,<call id>`
 * (the originate args), the caller's bridged row the one whose dstchannel is that leg.
 */
export function sampleCalls(dir: string): SampleCall[] {
  const runs = JSON.parse(readFileSync(path.join(dir, 'run', 'calls.json'), 'utf8')) as CallsJson[];
  const rows = parse(readFileSync(path.join(dir, 'cdr-custom', 'prepaid-cdr.csv'), 'utf8')) as string[][];
  const get = (f: string[], name: (typeof CDR_CUSTOM_COLUMNS)[number]) => f[CDR_CUSTOM_COLUMNS.indexOf(name)] ?? '';
  return runs.map((r) => {
    const out = rows.find((f) => get(f, 'lastdata') === `prepaid,outbound,${r.call_id}`);
    const bridged = out ? rows.find((f) => get(f, 'dstchannel') === get(out, 'channel')) : undefined;
    const far = r.caller.farLegs[0];
    return {
      call_id: r.call_id,
      scenario: r.scenario,
      caller_uniqueid: bridged ? get(bridged, 'uniqueid') : '',
      outbound_uniqueid: out ? get(out, 'uniqueid') : '',
      answered: far?.outcome === 'answered',
      talk_ms: far?.outcome === 'answered' ? far.talkMs ?? null : null,
    };
  });
}

const quote = (v: string) => `"${v.replace(/"/g, '""')}"`;

export type CdrCustomFields = Record<(typeof CDR_CUSTOM_COLUMNS)[number], string>;

/** One line as cdr_custom writes it with our mapping: every field CSV_QUOTE'd but `sequence`; no newline. */
export function cdrCustomLine(f: CdrCustomFields): string {
  return CDR_CUSTOM_COLUMNS.map((c) => (c === 'sequence' ? f[c] : quote(f[c]))).join(',');
}

/** Whole seconds as Asterisk formats a CDR time: `YYYY-MM-DD HH:MM:SS` (truncated, here in UTC). */
export function cdrTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19).replace('T', ' ');
}
