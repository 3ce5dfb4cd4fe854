import type { DialResult, DialStatus, TelephonyEvent } from './telephony';

type FailedStatus = Extract<DialResult, { kind: 'failed' }>['status'];

const FINAL_STATUSES = new Set<string>(['BUSY', 'NOANSWER', 'CONGESTION', 'CHANUNAVAIL', 'CANCEL']);

/** What a hang-up cause means for a leg that never answered (no final Dial status seen). */
export function statusFromCause(cause: number): FailedStatus {
  if (cause === 19 || cause === 18) return 'NOANSWER';
  if (cause === 17) return 'BUSY';
  if (cause === 34 || cause === 38 || cause === 41 || cause === 42) return 'CONGESTION';
  if (cause === 1 || cause === 3 || cause === 20 || cause === 27 || cause === 28) return 'CHANUNAVAIL';
  return 'FAILED';
}

/**
 * Follows one originated leg to its result. Recorded facts it relies on: no StasisStart until the leg answers; a
 * failed leg always gets ChannelDestroyed, sometimes after a final Dial status (BUSY/CONGESTION, and NOANSWER when
 * the app hangs up a ringing leg), sometimes with only a cause (19 when the ring timeout runs out).
 */
export class LegTracker {
  private lastStatus: DialStatus = '';
  private cancelled = false;
  private settled = false;
  readonly result: Promise<DialResult>;
  private resolveResult: (r: DialResult) => void = () => {};

  constructor(readonly channelId: string) {
    this.result = new Promise((resolve) => {
      this.resolveResult = resolve;
    });
  }

  get isSettled(): boolean {
    return this.settled;
  }

  /** The app hangs up the leg itself: the result will be CANCEL. */
  markCancelled(): void {
    this.cancelled = true;
  }

  settle(result: DialResult): void {
    if (this.settled) return;
    this.settled = true;
    this.resolveResult(result);
  }

  onEvent(e: TelephonyEvent): void {
    if (this.settled) return;
    if (e.type === 'StasisStart' && e.channel.id === this.channelId) {
      this.settle({ kind: 'answered', channel: e.channel });
    } else if (e.type === 'Dial' && e.peer.id === this.channelId && FINAL_STATUSES.has(e.dialStatus)) {
      this.lastStatus = e.dialStatus;
    } else if (e.type === 'ChannelDestroyed' && e.channel.id === this.channelId) {
      const status: FailedStatus = this.cancelled
        ? 'CANCEL'
        : FINAL_STATUSES.has(this.lastStatus) ? (this.lastStatus as FailedStatus) : statusFromCause(e.cause);
      this.settle({ kind: 'failed', status, cause: e.cause, causeText: e.causeText });
    }
  }
}
