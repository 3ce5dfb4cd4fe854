import type { Logger } from '../../billing/shared/logger';
import type { Telephony, TelephonyEvent } from '../ari/telephony';
import type { CallClock } from './call-clock';

export type BridgeExit = 'left' | 'not_in_bridge' | 'gone' | 'timeout';

/**
 * Which bridges the caller's channel is in (from its ChannelEnteredBridge / ChannelLeftBridge), and leaving one.
 *
 * Asterisk 22 answers `DELETE /bridges/{id}` before or after the members' ChannelLeftBridge; a play sent to the
 * caller in between can be answered 201 "queued" and never start (play-right-after-bridge-destroy.jsonl), while a
 * play sent after the caller's ChannelLeftBridge always started (play-after-channel-left-bridge.jsonl). So the
 * prompts after a call wait for that event, bounded.
 */
export class CallerBridges {
  private readonly member = new Set<string>();
  private readonly waiters = new Map<string, Set<() => void>>();

  constructor(
    private readonly tel: Telephony,
    private readonly channelId: string,
    private readonly clock: CallClock,
    private readonly exitTimeout_ms: number,
    private readonly log: Logger,
  ) {}

  /** Feed the caller channel's events. */
  onEvent(e: TelephonyEvent): void {
    if (e.type === 'ChannelEnteredBridge' && e.channel.id === this.channelId) this.member.add(e.bridge.id);
    else if (e.type === 'ChannelLeftBridge' && e.channel.id === this.channelId) this.left(e.bridge.id);
  }

  /** The caller is in this bridge though no event said so (a call taken up after a restart, from the snapshot). */
  noteMember(bridgeId: string): void {
    this.member.add(bridgeId);
  }

  isMember(bridgeId: string): boolean {
    return this.member.has(bridgeId);
  }

  /** The channel is gone: nobody waits for it to leave anything. */
  gone(): void {
    for (const id of [...this.member]) this.left(id);
  }

  private left(bridgeId: string): void {
    this.member.delete(bridgeId);
    const ws = this.waiters.get(bridgeId);
    this.waiters.delete(bridgeId);
    for (const w of ws ?? []) w();
  }

  /**
   * Destroys the bridge and resolves once the caller has left it ('left'), at once when it was not in it or the
   * bridge was already gone ('not_in_bridge'), when the channel has gone ('gone'), or after the bound counted from
   * the DELETE's answer ('timeout': prompts go ahead, their own start bound covers a play that is then lost).
   * Never rejects.
   */
  async destroyAndLeave(bridgeId: string, isGone: () => boolean): Promise<BridgeExit> {
    if (isGone()) {
      await this.tel.destroyBridge(bridgeId).catch(() => undefined);
      return 'gone';
    }
    if (!this.member.has(bridgeId)) {
      await this.tel.destroyBridge(bridgeId).catch(() => undefined);
      return 'not_in_bridge';
    }
    // Listening before the DELETE: the caller's ChannelLeftBridge may come before its 204. The bound
    // runs from the 204: the DELETE's own wait (a request slot, the round trip) has the REST timeout.
    let onLeft: () => void = () => {};
    let onTimeout: () => void = () => {};
    const exit = new Promise<'left' | 'timeout'>((resolve) => {
      onLeft = () => resolve('left');
      onTimeout = () => resolve('timeout');
    });
    const set = this.waiters.get(bridgeId) ?? new Set();
    set.add(onLeft);
    this.waiters.set(bridgeId, set);
    let outcome: 'ok' | 'gone' | 'failed';
    try {
      outcome = await this.tel.destroyBridge(bridgeId);
    } catch (err) {
      this.log.warn('could not destroy the call bridge', { bridge_id: bridgeId, error: err instanceof Error ? err.message : String(err) });
      outcome = 'failed';
    }
    if (outcome !== 'ok') {
      // Already gone (its events unheard) or not destroyed: nothing to wait for.
      set.delete(onLeft);
      if (outcome === 'gone') this.member.delete(bridgeId);
      return isGone() ? 'gone' : 'not_in_bridge';
    }
    const cancelTimer = this.clock.after(this.exitTimeout_ms, onTimeout);
    const r = await exit;
    cancelTimer();
    set.delete(onLeft);
    if (r === 'timeout') {
      if (isGone()) return 'gone';
      this.log.warn('the caller did not leave the bridge in time: prompts may be lost', { bridge_id: bridgeId, waited_ms: this.exitTimeout_ms });
    }
    return r;
  }
}
