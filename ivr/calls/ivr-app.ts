import { activeCallRecords, callRecordById } from '../../billing/calls/call-records';
import { releaseNodeCardCalls, renewCardCalls } from '../../billing/calls/card-calls';
import type { AppSnapshot, ChannelInfo, TelephonyEvent, Unsubscribe } from '../ari/telephony';
import type { Language } from '../prompts/languages';
import { isLanguage } from '../prompts/languages';
import { BalanceWatch } from './balance-watch';
import { CallSession } from './call-session';
import type { CallState } from './call-state';
import type { IvrAppDeps, IvrContext } from './ivr-context';
import { NodeLease } from './node-lease';
import { settleUnwatched } from './reconcile-job';
import { STEPS } from './steps/steps';

/** The dialplan's `Stasis(prepaid,access,<number>)`: inbound calls carry `access`; our outbound legs `outbound`. */
const OUTBOUND_ARG = 'outbound';

/**
 * The IVR process: one CallSession per inbound channel entering our Stasis app, and the
 * reconciliation of calls in progress at start and after every event-socket reconnect.
 * Stopping detaches the sessions without touching calls or money: Asterisk's TIMEOUT(absolute)
 * and the holds' expiry keep them safe, and the next start reconciles them.
 *
 * The process holds a lease on its node id (node-lease.ts). The calls it owns are the active call
 * records whose `ivr_node` is its id: those it opened, and those it took over from a node whose lease
 * expired (they are reconciled like its own: resumed when Asterisk still has them, else billed by the
 * reconcile rule or from the CDR). Channels of another node's live calls are left alone.
 */
export class IvrApp {
  private readonly sessions = new Map<string, CallSession>();
  private unsubscribe?: Unsubscribe;
  private reconciling: Promise<void> = Promise.resolve();
  private running = false;
  private cancelRenewal?: () => void;
  private renewing: Promise<void> = Promise.resolve();
  /** Every session's run(), for tests and shutdown. */
  private readonly runs = new Set<Promise<void>>();
  readonly lease: NodeLease;
  /** Calls were taken over but not reconciled yet (the snapshot failed): retried on the next lease tick. */
  private reconcileOwed = false;

  readonly ctx: IvrContext;

  constructor(deps: IvrAppDeps) {
    this.ctx = { ...deps, balances: new BalanceWatch(deps.billing, deps.options.clock, deps.options.balanceWatch_ms, deps.log.child({ component: 'balance-watch' })) };
    this.lease = new NodeLease(this.ctx, {
      tookOver: () => this.reconcileTakenOver(),
      lost: () => void this.restartAfterLostLease(),
      superseded: () => void this.stop(),
    });
  }

  get activeSessions(): number {
    return this.sessions.size;
  }

  async start(): Promise<void> {
    await this.lease.acquire();
    // Card places of this node's previous run: the calls still in progress take theirs back as
    // they are reconciled (callers in the middle of logging in, when they log in).
    // On failure they free themselves after their TTL.
    const freed = await releaseNodeCardCalls(this.ctx.billing.db, this.ctx.options.nodeId).catch((err: unknown) => {
      this.ctx.log.error('could not free the card places of the previous run', { error: err instanceof Error ? err.message : String(err) });
      return 0;
    });
    if (freed) this.ctx.log.info('card places of the previous run freed', { freed });
    this.running = true;
    this.unsubscribe = this.ctx.tel.on((e) => this.onEvent(e));
    this.lease.start();
    this.scheduleRenewal();
    await this.reconcile(await this.ctx.tel.snapshot());
  }

  /** Detaches every session (no hang-up, no billing): the calls are reconciled by the next start. */
  async stop(): Promise<void> {
    this.running = false;
    this.cancelRenewal?.();
    await this.renewing;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    await this.lease.stop();
    await this.reconciling;
    await this.detachAll();
  }

  private async detachAll(): Promise<void> {
    for (const s of this.sessions.values()) s.detach();
    this.sessions.clear();
    this.ctx.balances.stop();
    await Promise.allSettled([...this.runs]);
  }

  private reconcileTakenOver(): void {
    this.reconcileOwed = true;
    void this.payReconcileDebt();
  }

  private async payReconcileDebt(): Promise<void> {
    if (!this.reconcileOwed || !this.running) return;
    try {
      const snapshot = await this.ctx.tel.snapshot();
      this.reconcileOwed = false;
      await this.reconcile(snapshot);
    } catch (err) {
      this.ctx.log.warn('could not list channels to reconcile taken-over calls (retried)', { error: err instanceof Error ? err.message : String(err) });
      this.ctx.options.clock.after(this.lease.renewEvery_ms, () => void this.payReconcileDebt());
    }
  }

  /**
   * Our lease was reaped: other nodes may own some of our calls now. The lease is taken again (from
   * then on nobody can take our calls), then every session whose call moved lets go (no hang-up, no
   * billing: the money writes of a call we no longer own are refused by the database anyway); callers
   * still in the menus carry on. Our calls are then reconciled afresh, as after a restart.
   */
  private async restartAfterLostLease(): Promise<void> {
    if (!this.running) return;
    try {
      await this.reconciling;
      await this.lease.acquire();
      const q = this.ctx.billing.read().q;
      for (const s of [...this.sessions.values()]) {
        if (s.callId === undefined) continue;
        const rec = await callRecordById(q, s.callId);
        if (rec?.status === 'active' && rec.ivr_node === this.ctx.options.nodeId) continue;
        this.ctx.log.warn('letting go of a call taken over by another node', { call_id: s.callId });
        s.detach();
        this.sessions.delete(s.channel.id);
      }
      await this.reconcile(await this.ctx.tel.snapshot());
    } catch (err) {
      this.ctx.log.error('IVR restart after a lost lease failed: its calls are reconciled when the channels can be listed', { error: err instanceof Error ? err.message : String(err) });
      this.reconcileTakenOver();
    }
  }

  /** Resolves when every session started so far has ended (tests, bench). */
  async idle(): Promise<void> {
    while (this.runs.size > 0) await Promise.allSettled([...this.runs]);
  }

  /**
   * Every third of the TTL, pushes the expiry of the card places of the live sessions ahead
   * (billing/calls/card-calls.ts); a process that dies stops doing so and its places free themselves.
   */
  private scheduleRenewal(): void {
    const { options } = this.ctx;
    if (options.maxCallsPerCard === 0) return;
    this.cancelRenewal = options.clock.after(options.cardCallTtl_ms / 3, () => {
      this.renewing = this.renewCardPlaces().finally(() => { if (this.running) this.scheduleRenewal(); });
    });
  }

  private async renewCardPlaces(): Promise<void> {
    const ids = [...this.sessions.values()].map((s) => s.cardCallId).filter((id): id is string => id !== undefined);
    if (ids.length === 0) return;
    await this.ctx.billing.tx((ctx) => renewCardCalls(ctx.q, ids, ctx.now_ms, this.ctx.options.cardCallTtl_ms)).catch((err: unknown) => {
      this.ctx.log.error('could not renew the card places', { error: err instanceof Error ? err.message : String(err) });
    });
  }

  private onEvent(e: TelephonyEvent): void {
    if (!this.running) return;
    if (e.type === 'StasisStart' && e.args[0] !== OUTBOUND_ARG) {
      this.startSession(e.channel, 'answering');
    } else if (e.type === 'Reconnected' && e.snapshot) {
      const snapshot = e.snapshot;
      const present = new Set(snapshot.channels.map((c) => c.id));
      for (const s of this.sessions.values()) if (!present.has(s.channel.id)) s.io.setGone();
      void this.reconcile(snapshot);
    }
  }

  private startSession(channel: ChannelInfo, state: CallState, setup?: (s: CallSession) => void, lang?: Language): void {
    if (this.sessions.has(channel.id)) return;
    const session = new CallSession(this.ctx, { id: channel.id, callerNumber: channel.callerNumber, accessNumber: channel.dialedExten }, STEPS, state, lang);
    setup?.(session);
    this.sessions.set(channel.id, session);
    const run = session.run().finally(() => {
      if (this.sessions.get(channel.id) === session) this.sessions.delete(channel.id);
      this.runs.delete(run);
    });
    this.runs.add(run);
  }

  private ownedCallIds(): Set<string> {
    return new Set([...this.sessions.values()].map((s) => s.callId).filter((id): id is string => id !== undefined));
  }

  /** A session driving this record's caller (one reconciling it may not have set its callId yet). */
  private sessionFor(record: { id: string; channel_id: string | null }): CallSession | undefined {
    const s = record.channel_id ? this.sessions.get(record.channel_id) : undefined;
    return s && (s.callId === record.id || s.reconcile?.record.id === record.id || s.state === 'reconciling') ? s : undefined;
  }

  /** Serialised: one reconciliation at a time. */
  reconcile(snapshot: AppSnapshot): Promise<void> {
    const next = this.reconciling.then(() => this.reconcileNow(snapshot)).catch((err: unknown) => {
      this.ctx.log.error('reconcile failed', { error: err instanceof Error ? err.message : String(err) });
    });
    this.reconciling = next;
    return next;
  }

  private async reconcileNow(snapshot: AppSnapshot): Promise<void> {
    if (!this.running) return;
    const { ctx } = this;
    const channels = new Map(snapshot.channels.map((c) => [c.id, c]));
    const me = ctx.options.nodeId;
    const active = await activeCallRecords(ctx.billing.read().q);
    // Read the sessions AFTER the records: a call opened meanwhile is a session's, not ours to settle.
    const owned = this.ownedCallIds();
    const records = active.filter((r) => r.ivr_node === me && !owned.has(r.id));
    // Another node's live calls: not ours to adopt or hang up (taken over if its lease expires).
    const othersChannels = new Set(active.filter((r) => r.ivr_node !== me).flatMap((r) => [r.channel_id, r.outbound_channel_id]).filter((id): id is string => id !== null));
    const handled = new Set<string>();
    for (const record of records) {
      const out = record.outbound_channel_id ? channels.get(record.outbound_channel_id) : undefined;
      const caller = record.channel_id ? channels.get(record.channel_id) : undefined;
      if (record.outbound_channel_id) handled.add(record.outbound_channel_id);
      if (caller && !this.sessions.has(caller.id)) {
        handled.add(caller.id);
        const langArg = out?.stasisArgs[2];
        const bridge = snapshot.bridges.find((b) => b.id === `${record.id}-br`);
        this.startSession(caller, 'reconciling', (s) => {
          s.reconcile = { record, outboundUp: out !== undefined, bridgeUp: bridge !== undefined, callerInBridge: bridge?.channelIds.includes(caller.id) ?? false };
        }, langArg !== undefined && isLanguage(langArg) ? langArg : undefined);
      } else if (!caller) {
        // Re-checked right before settling: a session may have taken the call up since (e.g. one still reconciling).
        if (this.ownedCallIds().has(record.id) || this.sessionFor(record)) continue;
        // One call that cannot be settled (e.g. taken over meanwhile) must not hold up the others.
        await settleUnwatched(ctx, record, out !== undefined).catch((err: unknown) => {
          ctx.log.error('could not reconcile a call (retried at the next reconcile)', { call_id: record.id, error: err instanceof Error ? err.message : String(err) });
        });
      }
    }
    for (const ch of snapshot.channels) {
      if (!ch.inStasis || handled.has(ch.id) || this.sessions.has(ch.id) || othersChannels.has(ch.id)) continue;
      if (ch.stasisArgs[0] === OUTBOUND_ARG) {
        const callId = ch.stasisArgs[1];
        const live = [...this.sessions.values()].some((s) => s.callId === callId);
        // A leg of ours with no call, or of a call already settled (e.g. by the node that took it over): nobody pays for it.
        const rec = callId !== undefined && !live ? await callRecordById(ctx.billing.read().q, callId) : undefined;
        const settled = rec !== undefined && rec.status !== 'active';
        if (!live && (callId?.startsWith(`${me}-`) || settled)) {
          ctx.log.warn('hanging up an outbound leg with no call', { out_channel_id: ch.id });
          await ctx.tel.hangup(ch.id).catch(() => undefined);
        }
      } else {
        // A caller we were not following (it arrived while we were away, or its session was lost): start afresh.
        ctx.log.info('adopting a caller in progress', { channel_id: ch.id });
        this.startSession(ch, 'answering');
      }
    }
  }
}
