import type { CdrRow } from './cdr-row';
import { cdrTimeMs } from './cdr-row';

/**
 * How a CDR row is tied to a call record. The IVR's channels carry the call in three places that
 * survive in the CDR (see ../shared/asterisk-ari/cdr/README.md for the real rows):
 * - the outbound leg's channel id is `<call id>-out` (ARI originate `channelId`), so its row's
 *   `uniqueid` names the call, and its `lastdata` is `<app>,outbound,<call id>,…` (the originate args);
 * - the IVR sets `CDR(userfield)=<call id>` on the outbound leg once answered: its own row carries it,
 *   and the bridged row (Party A = the caller, Party B = the outbound leg) carries `;<call id>`
 *   (Asterisk appends Party B's userfield to Party A's), and `peeraccount` in cdr_custom;
 * - the bridged row's `uniqueid` is the caller's channel id (call_records.channel_id).
 *
 * Where the talk time is: the outbound leg's own row ends when it enters the bridge (billsec 0),
 * and the bridged row's `answer` is the CALLER's answer. So talk time = bridged row's `end` −
 * outbound row's `answer` (whole seconds, as Asterisk wrote them).
 */
export type LegRole = 'outbound' | 'bridged';

export interface CallKeys {
  id: string;
  channel_id: string | null;
  outbound_channel_id: string | null;
}

const ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$/;

function outboundArg(lastdata: string): string | undefined {
  const args = lastdata.split(',');
  const i = args.indexOf('outbound');
  return i >= 0 ? args[i + 1] : undefined;
}

/** Every call id a row names (userfield parts, peeraccount, accountcode, the originate args, `<id>-out`). */
export function callIdsNamedBy(row: CdrRow): string[] {
  const ids = new Set<string>();
  const add = (v: string | undefined) => {
    const t = v?.trim() ?? '';
    if (ID.test(t)) ids.add(t);
  };
  for (const part of row.userfield.split(';')) add(part);
  add(row.peeraccount ?? undefined);
  add(row.accountcode);
  add(outboundArg(row.lastdata));
  if (row.uniqueid.endsWith('-out')) add(row.uniqueid.slice(0, -4));
  return [...ids];
}

/** Which leg of `call` the row is: its outbound leg's own row, the bridged row, or neither (null). */
export function legRole(row: CdrRow, call: CallKeys): LegRole | null {
  if (call.outbound_channel_id !== null && row.uniqueid === call.outbound_channel_id) return 'outbound';
  if (row.lastapp === 'Stasis' && outboundArg(row.lastdata) === call.id) return 'outbound';
  if (row.dstchannel === '') return null;
  // A row naming its Party B's call decides by that name (a caller may place several calls); the
  // caller's channel id alone is the fallback for a leg whose CDR(userfield) was never set.
  const named = [...row.userfield.split(';'), row.peeraccount ?? ''].map((p) => p.trim()).filter((p) => p !== '');
  if (named.length > 0) return named.includes(call.id) ? 'bridged' : null;
  return call.channel_id !== null && row.uniqueid === call.channel_id ? 'bridged' : null;
}

/**
 * Talk time in whole seconds: bridged `end` − outbound `answer`; 0 when the leg never answered;
 * null when a time cannot be read. Never negative.
 */
export function talkSeconds(outbound: { answer_text: string }, bridged: { end_text: string }): number | null {
  if (outbound.answer_text === '') return 0;
  const a = cdrTimeMs(outbound.answer_text);
  const e = cdrTimeMs(bridged.end_text);
  if (a === null || e === null) return null;
  return Math.max(0, Math.round((e - a) / 1000));
}
