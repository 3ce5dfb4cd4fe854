import type { Billing } from '../../billing/billing';
import { CallMetering } from '../../billing/calls/call-metering';
import { insertCallRecord, updateCallRecord } from '../../billing/calls/call-records';
import { holdCallForCdr } from '../../billing/calls/cdr/cdr-billing';
import type { Rate } from '../../billing/rating/rate';
import { RATE_SCALE } from '../../billing/rating/rate';
import type { CdrCustomFields } from './cdr-samples';
import { cdrCustomLine, cdrTime } from './cdr-samples';

/** 1 ¢ a second (60 ¢/min, 1/1): a second of talk is a cent, so bills read as seconds. */
export const CENT_A_SECOND: Rate = {
  prefix: '1', destination: 'USA', rate_per_minute_scaled: 60 * RATE_SCALE, connect_fee_minor: 0,
  initial_increment_s: 1, increment_s: 1, min_charge_minor: 0, blocked: false,
};

export interface SeededCall {
  call_id: string;
  card_id: number;
  channel_id: string;
  outbound_channel_id: string;
  answered_at_ms: number;
}

/**
 * A call as the IVR leaves it when it reconciles, in CDR mode, a call whose end it never saw:
 * chunks [0,1) [1,6) [6,11) reserved (5 s chunks), `captured_to_s` of them captured, record closed at
 * the confirmed bill and awaiting its CDR. `reconcile: false` leaves it active (the IVR has not
 * reconciled it yet).
 */
export async function seedUnseenCall(billing: Billing, o: { call_id: string; channel_id: string; outbound_channel_id: string; card_value?: number; captured_to_s?: 1 | 6; chunks?: number; reconcile?: boolean; node?: string }): Promise<SeededCall> {
  const node = o.node ?? 'n1';
  const card = await billing.issueCard({ value_minor: o.card_value ?? 500, currency: 'USD' });
  const answered_at_ms = Date.UTC(2026, 10, 29, 8, 33, 28);
  await billing.tx(async (ctx) => {
    await insertCallRecord(ctx.q, { id: o.call_id, card_id: card.card_id, caller_number: '+15551000', access_number: '18005550100', channel_id: o.channel_id, started_at_ms: answered_at_ms - 1000, ivr_node: node });
    await updateCallRecord(ctx.q, o.call_id, { destination: '12125550001', destination_name: 'USA', currency: 'USD', rate: CENT_A_SECOND, outbound_channel_id: o.outbound_channel_id, answered_at_ms });
  });
  const m = new CallMetering(billing, o.call_id, card.card_id, 'USD', CENT_A_SECOND, 5, node);
  for (let i = 0; i < (o.chunks ?? 3); i++) await m.extend();
  await m.captureElapsed(o.captured_to_s ?? 1);
  if (o.reconcile !== false) {
    const confirmed = Math.max(0, ...m.meter.chunks.filter((c) => c.state === 'captured').map((c) => c.to_s));
    await holdCallForCdr(billing, { call_id: o.call_id, owner: node, billed_s: confirmed, captured_minor: m.meter.captured_minor, answered_at_ms, ended_at_ms: answered_at_ms + 60_000 });
  }
  return { call_id: o.call_id, card_id: card.card_id, channel_id: o.channel_id, outbound_channel_id: o.outbound_channel_id, answered_at_ms };
}

const BASE: Omit<CdrCustomFields, 'start' | 'answer' | 'end' | 'duration' | 'billsec' | 'billsec_f' | 'channel' | 'dstchannel' | 'lastapp' | 'lastdata' | 'uniqueid' | 'linkedid' | 'peeraccount' | 'userfield' | 'sequence'> = {
  disposition: 'ANSWERED', src: '15551000', dst: '12125550001', dcontext: 'prepaid-access', accountcode: '', amaflags: 'DOCUMENTATION', clid: '"Card Caller" <15551000>',
};

/**
 * The two rows Asterisk writes for a product call over PJSIP (no Local-channel halves): the outbound
 * leg's own row (ends when it enters the bridge) and the caller's bridged row (Party B = the leg;
 * userfield ";<call id>" appended from the leg's CDR(userfield)), in the real cdr_custom format.
 */
export function productCdrLines(c: { call_id: string; channel_id: string; outbound_channel_id: string; caller_answered_ms: number; answered_ms: number; ended_ms: number; named?: boolean; seq?: number; caller_name?: string; outbound_name?: string }): { outbound: string; bridged: string } {
  const named = c.named ?? true;
  const outName = c.outbound_name ?? `PJSIP/trunk-${c.call_id.slice(-8)}`;
  const secs = (a: number, b: number) => String(Math.floor(b / 1000) - Math.floor(a / 1000));
  const outbound = cdrCustomLine({
    ...BASE, start: cdrTime(c.answered_ms - 2000), answer: cdrTime(c.answered_ms), end: cdrTime(c.answered_ms + 8), duration: secs(c.answered_ms - 2000, c.answered_ms + 8), billsec: '0', billsec_f: '0.008000',
    channel: outName, dstchannel: '', lastapp: 'Stasis', lastdata: `prepaid,outbound,${c.call_id},en`, uniqueid: c.outbound_channel_id, linkedid: c.channel_id,
    peeraccount: '', userfield: named ? c.call_id : '', sequence: String(c.seq ?? 1), src: '5552000', dcontext: 'default', clid: '"" <5552000>',
  });
  const talk = (c.ended_ms - c.caller_answered_ms) / 1000;
  const bridged = cdrCustomLine({
    ...BASE, start: cdrTime(c.caller_answered_ms - 100), answer: cdrTime(c.caller_answered_ms), end: cdrTime(c.ended_ms), duration: secs(c.caller_answered_ms - 100, c.ended_ms), billsec: String(Math.floor(talk)), billsec_f: talk.toFixed(6),
    channel: c.caller_name ?? `PJSIP/1001-${c.call_id.slice(-8)}`, dstchannel: outName, lastapp: 'Stasis', lastdata: 'prepaid,access,18005550100', uniqueid: c.channel_id, linkedid: c.channel_id,
    peeraccount: '', userfield: named ? `;${c.call_id}` : '', sequence: String((c.seq ?? 1) + 1),
  });
  return { outbound, bridged };
}
