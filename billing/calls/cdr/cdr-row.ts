import { parse } from 'csv-parse/sync';

/**
 * One CDR row as Asterisk writes it. Two file formats are read:
 * - `custom`: cdr_custom with the mapping shipped in asterisk-config/cdr_custom.conf (22 columns, no
 *   header line; every field CSV_QUOTE'd but `sequence`);
 * - `csv`: the stock cdr_csv Master.csv with `loguniqueid=yes` and `loguserfield=yes` (18 columns).
 * Times are as Asterisk formatted them: `YYYY-MM-DD HH:MM:SS`, whole seconds, in the Asterisk
 * server's time zone (cdr_csv: UTC with `usegmtime=yes`); only differences of two times of the
 * same file are used, so the zone does not matter. `answer` is '' when the channel never answered.
 */
export interface CdrRow {
  format: 'custom' | 'csv';
  start: string;
  answer: string;
  end: string;
  duration: number;
  billsec: number;
  disposition: string;
  src: string;
  dst: string;
  dcontext: string;
  channel: string;
  dstchannel: string;
  lastapp: string;
  lastdata: string;
  uniqueid: string;
  accountcode: string;
  userfield: string;
  amaflags: string;
  clid: string;
  /** cdr_custom only (null in cdr_csv). */
  billsec_f: number | null;
  linkedid: string | null;
  peeraccount: string | null;
  sequence: number | null;
}

/** The cdr_custom columns, in the order of the mapping in asterisk-config/cdr_custom.conf. */
export const CDR_CUSTOM_COLUMNS = [
  'start', 'answer', 'end', 'duration', 'billsec', 'billsec_f', 'disposition', 'src', 'dst', 'dcontext', 'channel', 'dstchannel',
  'lastapp', 'lastdata', 'uniqueid', 'linkedid', 'accountcode', 'peeraccount', 'userfield', 'amaflags', 'sequence', 'clid',
] as const;

/** cdr_csv's Master.csv columns with loguniqueid and loguserfield on (cdr_csv.c's fixed order). */
export const CDR_CSV_COLUMNS = [
  'accountcode', 'src', 'dst', 'dcontext', 'clid', 'channel', 'dstchannel', 'lastapp', 'lastdata', 'start', 'answer', 'end',
  'duration', 'billsec', 'disposition', 'amaflags', 'uniqueid', 'userfield',
] as const;

export type CdrParse = { ok: true; row: CdrRow } | { ok: false; reason: string };

const TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
const WHOLE = /^\d{1,9}$/;
const FLOAT = /^\d{1,9}\.\d{6}$/;

/** `YYYY-MM-DD HH:MM:SS` as milliseconds of the same wall-clock time read as UTC (for differences only); null for ''. */
export function cdrTimeMs(text: string): number | null {
  if (text === '') return null;
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(text);
  if (!m) return null;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}

/** Splits one line (without its newline) into fields, as Asterisk's CSV_QUOTE / cdr_csv quote them. */
export function splitCdrLine(line: string): string[] | string {
  try {
    const records = parse(line, { relax_column_count: true, relax_quotes: false }) as string[][];
    if (records.length !== 1) return `expected one CSV record, found ${records.length}`;
    return records[0] as string[];
  } catch (err) {
    return `not CSV as Asterisk writes it (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`;
  }
}

/** Parses one line of either format (told apart by the number of columns); a clear reason when it is neither. */
export function parseCdrLine(line: string): CdrParse {
  const fields = splitCdrLine(line);
  if (typeof fields === 'string') return { ok: false, reason: fields };
  let get: (name: string) => string;
  let format: CdrRow['format'];
  if (fields.length === CDR_CUSTOM_COLUMNS.length) {
    format = 'custom';
    get = (name) => fields[CDR_CUSTOM_COLUMNS.indexOf(name as (typeof CDR_CUSTOM_COLUMNS)[number])] ?? '';
  } else if (fields.length === CDR_CSV_COLUMNS.length) {
    format = 'csv';
    get = (name) => fields[CDR_CSV_COLUMNS.indexOf(name as (typeof CDR_CSV_COLUMNS)[number])] ?? '';
  } else {
    return {
      ok: false,
      reason: `expected ${CDR_CUSTOM_COLUMNS.length} columns (cdr_custom with the mapping of asterisk-config/cdr_custom.conf) or ${CDR_CSV_COLUMNS.length} (cdr_csv Master.csv with loguniqueid and loguserfield), found ${fields.length}`,
    };
  }
  for (const t of ['start', 'end']) if (!TIME.test(get(t))) return { ok: false, reason: `${t}: expected YYYY-MM-DD HH:MM:SS, found "${get(t)}"` };
  if (get('answer') !== '' && !TIME.test(get('answer'))) return { ok: false, reason: `answer: expected empty or YYYY-MM-DD HH:MM:SS, found "${get('answer')}"` };
  for (const n of ['duration', 'billsec']) if (!WHOLE.test(get(n))) return { ok: false, reason: `${n}: expected whole seconds, found "${get(n)}"` };
  if (get('uniqueid') === '') return { ok: false, reason: 'uniqueid: empty (cdr_csv needs loguniqueid=yes)' };
  if (format === 'custom') {
    if (!FLOAT.test(get('billsec_f'))) return { ok: false, reason: `billsec_f: expected seconds with 6 decimals, found "${get('billsec_f')}"` };
    if (!WHOLE.test(get('sequence'))) return { ok: false, reason: `sequence: expected a whole number, found "${get('sequence')}"` };
  }
  return {
    ok: true,
    row: {
      format,
      start: get('start'),
      answer: get('answer'),
      end: get('end'),
      duration: Number(get('duration')),
      billsec: Number(get('billsec')),
      disposition: get('disposition'),
      src: get('src'),
      dst: get('dst'),
      dcontext: get('dcontext'),
      channel: get('channel'),
      dstchannel: get('dstchannel'),
      lastapp: get('lastapp'),
      lastdata: get('lastdata'),
      uniqueid: get('uniqueid'),
      accountcode: get('accountcode'),
      userfield: get('userfield'),
      amaflags: get('amaflags'),
      clid: get('clid'),
      billsec_f: format === 'custom' ? Number(get('billsec_f')) : null,
      linkedid: format === 'custom' ? get('linkedid') : null,
      peeraccount: format === 'custom' ? get('peeraccount') : null,
      sequence: format === 'custom' ? Number(get('sequence')) : null,
    },
  };
}
