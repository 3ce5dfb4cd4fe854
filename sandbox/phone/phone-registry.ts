import type { Billing } from '../../billing/billing';
import { formatMinor } from '../../billing/money/money';
import type { Rate } from '../../billing/rating/rate';
import { maxAffordableSeconds, rateCall } from '../../billing/rating/rate';
import type { Logger } from '../../billing/shared/logger';
import type { AriSimulator } from '../../ivr/sim/ari-simulator';
import type { SimRecord } from '../../ivr/sim/core';
import { PhoneCall } from './phone-call';

/** At most this many sandbox calls at once (each is a live simulated channel). */
export const MAX_LIVE_CALLS = 20;
/** A call nobody listens to (tab closed) is hung up after this long. */
export const ORPHAN_HANGUP_MS = 30_000;
/** An ended call stays readable this long (a late browser still gets its last events). */
export const ENDED_KEEP_MS = 60_000;
export const METER_POLL_MS = 1_000;

interface CallRecordRow {
  id: string; card_id: number | null; destination: string | null; destination_name: string | null; currency: string | null; rate_json: string | null;
  status: string; answered_at_ms: number | null; ended_at_ms: number | null; cost_minor: number; hangup_cause: string | null; outbound_channel_id: string | null;
}

export class PhoneLimitError extends Error {}

/**
 * The sandbox calls placed from browsers, fed from the simulator's observer events: prompts and digits on the
 * caller's channel, the outbound leg (found from the originate, the bridge both legs join, or the call record),
 * and the metering read from the database while the call lasts.
 */
export class PhoneRegistry {
  private readonly calls = new Map<string, PhoneCall>();
  private readonly byChannel = new Map<string, PhoneCall>();
  private readonly byLeg = new Map<string, PhoneCall>();
  private readonly orphanSince = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private polling = false;
  private readonly detach: Array<() => void> = [];

  constructor(private readonly sim: AriSimulator, private readonly billing: Billing, private readonly log: Logger) {}

  start(): void {
    const on = <T>(name: string, fn: (e: T) => void): void => {
      this.sim.on(name, fn);
      this.detach.push(() => this.sim.off(name, fn));
    };
    on<{ type: string; playbackId: string; channelId?: string; bridgeId?: string; mediaUri: string }>('playback', (e) => {
      const call = e.channelId !== undefined ? this.byChannel.get(e.channelId) : this.callOfBridge(e.bridgeId);
      if (!call) return;
      if (e.type === 'PlaybackStarted') call.onPlaybackStarted(e.playbackId, e.mediaUri);
      else if (e.type === 'PlaybackFinished') call.onPlaybackFinished(e.playbackId);
    });
    on<{ channelId: string; digit: string }>('dtmf', (e) => this.byChannel.get(e.channelId)?.onDtmf(e.digit));
    on<{ channelId: string; state: string }>('channel-state', (e) => {
      const own = this.byChannel.get(e.channelId);
      if (own && e.state === 'Up') own.onAnswered();
      const leg = this.byLeg.get(e.channelId);
      if (leg && leg.legChannelId === e.channelId) {
        if (e.state === 'Ringing') leg.setLeg('ringing');
        if (e.state === 'Up') leg.setLeg('connected');
      }
    });
    on<{ channelId: string; cause: number }>('channel-destroyed', (e) => {
      const leg = this.byLeg.get(e.channelId);
      if (leg) {
        this.byLeg.delete(e.channelId);
        if (leg.legChannelId === e.channelId) leg.onLegDestroyed(e.cause);
      }
    });
    on<SimRecord>('record', (r) => this.onRecord(r));
    this.timer = setInterval(() => void this.tick(), METER_POLL_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    for (const d of this.detach.splice(0)) d();
    for (const c of this.calls.values()) c.hangup();
    this.calls.clear();
    this.byChannel.clear();
    this.byLeg.clear();
  }

  get(id: string): PhoneCall | undefined {
    return this.calls.get(id);
  }

  liveCount(): number {
    return [...this.calls.values()].filter((c) => c.state !== 'ended').length;
  }

  place(callerNumber: string, accessNumber: string): PhoneCall {
    if (this.liveCount() >= MAX_LIVE_CALLS) throw new PhoneLimitError('too many sandbox calls at once');
    const sim = this.sim.placeInboundCall({ callerNumber, accessNumber });
    const call = new PhoneCall(sim, callerNumber, accessNumber);
    this.calls.set(call.id, call);
    this.byChannel.set(sim.channelId, call);
    void sim.answered.then(() => call.onAnswered());
    void sim.ended.then((end) => {
      call.onEnded(end.by, end.cause);
      this.byChannel.delete(sim.channelId);
      // the final cost and balance: the IVR settles the record just after the channel is gone
      void this.meterOf(call).catch(() => undefined);
      setTimeout(() => void this.meterOf(call).catch(() => undefined), 1_500).unref();
    });
    this.log.info('sandbox call placed', { call: call.id.slice(0, 6), channel: sim.channelId });
    return call;
  }

  private callOfBridge(bridgeId: string | undefined): PhoneCall | undefined {
    if (bridgeId === undefined) return undefined;
    for (const c of this.calls.values()) if (c.state !== 'ended' && c.bridgeIds.has(bridgeId)) return c;
    return undefined;
  }

  private attachLeg(call: PhoneCall, channelId: string): void {
    if (call.legChannelId === channelId || call.state === 'ended') return;
    this.byLeg.set(channelId, call);
    call.attachLeg(channelId);
  }

  private onRecord(r: SimRecord): void {
    if ((r.kind === 'originate' || r.kind === 'create') && r.channelId !== undefined) {
      // The originate does not say whose call it is: when exactly one answered call has no live leg, it is that
      // one's; otherwise the bridge or the call record will tell.
      const waiting = [...this.calls.values()].filter((c) => c.state === 'answered' && (c.legState === 'none' || c.legState === 'ended'));
      if (waiting.length === 1 && waiting[0]) this.attachLeg(waiting[0], r.channelId);
      return;
    }
    if (r.kind === 'bridge-add' && r.channelId !== undefined && r.bridgeId !== undefined) {
      const own = this.byChannel.get(r.channelId);
      if (own) {
        own.bridgeIds.add(r.bridgeId);
        return;
      }
      const call = this.callOfBridge(r.bridgeId);
      if (call && !this.byLeg.has(r.channelId)) this.attachLeg(call, r.channelId);
    }
  }

  /** Metering for live calls; forgets ended calls after a while; hangs up calls nobody listens to. */
  private async tick(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const now = Date.now();
      for (const c of [...this.calls.values()]) {
        if (c.state === 'ended') {
          this.orphanSince.delete(c.id);
          if (now - (c.ended_ms ?? now) > ENDED_KEEP_MS) this.calls.delete(c.id);
          continue;
        }
        if (c.listenerCount === 0) {
          const since = this.orphanSince.get(c.id) ?? now;
          this.orphanSince.set(c.id, since);
          if (now - since > ORPHAN_HANGUP_MS) c.hangup();
        } else {
          this.orphanSince.delete(c.id);
        }
        if (c.state === 'answered') await this.meterOf(c);
      }
    } catch (err) {
      this.log.warn('sandbox phone meter poll failed', { err });
    } finally {
      this.polling = false;
    }
  }

  private async meterOf(c: PhoneCall): Promise<void> {
    const q = this.billing.db;
    const rec = await q.one<CallRecordRow>(
      'SELECT id, card_id, destination, destination_name, currency, rate_json, status, answered_at_ms, ended_at_ms, cost_minor, hangup_cause, outbound_channel_id FROM call_records WHERE channel_id = ? ORDER BY started_at_ms DESC LIMIT 1',
      [c.channelId],
    );
    if (!rec) return;
    if (rec.outbound_channel_id && rec.status === 'active' && c.legChannelId !== rec.outbound_channel_id) this.attachLeg(c, rec.outbound_channel_id);
    const card = rec.card_id === null ? undefined : await q.one<{ balance_minor: number; pending_minor: number; currency: string }>(
      'SELECT balance_minor, pending_minor, currency FROM cards WHERE id = ?', [rec.card_id],
    );
    const currency = rec.currency ?? card?.currency ?? null;
    const live = rec.status === 'active' && rec.answered_at_ms !== null && rec.ended_at_ms === null;
    const connected_s = live ? Math.max(0, Math.floor((Date.now() - rec.answered_at_ms!) / 1000)) : null;
    let cost_so_far: string | null = null;
    let time_left_s: number | null = null;
    if (live && rec.rate_json && currency) {
      const rate = JSON.parse(rec.rate_json) as Rate;
      cost_so_far = formatMinor(rateCall(rate, connected_s ?? 0).cost_minor, currency);
      // What this call may still spend: its captured chunks and pending chunk plus the card's available money
      // (a merchant payment meanwhile shrinks it, as it shrinks the call's limit).
      const held = await q.one<{ captured: number; pending: number }>(
        "SELECT COALESCE(SUM(captured_minor), 0) AS captured, COALESCE(SUM(CASE WHEN status = 'pending' THEN amount_minor ELSE 0 END), 0) AS pending FROM holds WHERE call_id = ?",
        [rec.id],
      );
      const budget = (held?.captured ?? 0) + (held?.pending ?? 0) + Math.max(0, card ? card.balance_minor - card.pending_minor : 0);
      time_left_s = Math.max(0, maxAffordableSeconds(rate, budget) - (connected_s ?? 0));
    }
    c.meter({
      type: 'meter',
      destination: rec.destination, destination_name: rec.destination_name, currency,
      connected_s, time_left_s, cost_so_far,
      balance: card && currency ? formatMinor(card.balance_minor - card.pending_minor, card.currency) : null,
      status: rec.status, final_cost: rec.status !== 'active' && currency ? formatMinor(rec.cost_minor, currency) : null,
      hangup_cause: rec.hangup_cause,
    });
  }
}
