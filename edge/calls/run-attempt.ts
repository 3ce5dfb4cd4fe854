import type { Peer } from '../core/sip-answers';
import { actionFor } from '../core/sip-answers';
import type { AnsweredLeg, CallerLeg, Dialer } from './legs';

export type AttemptEnd =
  | { outcome: 'answered'; status: number; leg: AnsweredLeg }
  | { outcome: 'failed'; status: number; action: 'next' | 'stop' }
  /** No progress in time (or a local 408): abandoned for the next. Rang too long: stop, the callee did not answer. */
  | { outcome: 'timeout'; status: null; action: 'next' | 'stop' }
  /** The INVITE could not be delivered (drachtio's local 503: port unreachable). */
  | { outcome: 'transport_error'; status: null; action: 'next' }
  /** The caller gave up; `status` is the far end's answer to our CANCEL when it came in time (487). */
  | { outcome: 'cancelled'; status: number | null; action: 'stop' };

export interface AttemptTiming {
  /** No 180/183 this long after the INVITE: abandon (drachtio may hold our CANCEL; we do not wait for it, 06c). */
  attemptTimeout_ms: number;
  /** After progress, ringing this long ends the call (the callee did not answer). */
  ringTimeout_ms: number;
}

/** How long to wait for the far end's answer to our CANCEL, to record it. */
const CANCEL_SETTLE_MS = 2_000;

/**
 * One INVITE to a carrier or a node, raced against its timers and the caller's CANCEL. The action on a final
 * answer comes from the SIP answer table (core/sip-answers.ts). Never waits for drachtio's 32 s timer B.
 */
export function runAttempt(call: CallerLeg, dialer: Dialer, uri: string, peer: Peer, headers: Record<string, string>, timing: AttemptTiming): Promise<AttemptEnd> {
  return new Promise((resolve) => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (end: AttemptEnd) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(end);
    };
    const attempt = dialer.invite(uri, call, {
      headers,
      onProgress(status, reason, sdp) {
        if (settled) return;
        if (!progressed) {
          progressed = true;
          clearTimeout(timer);
          timer = setTimeout(() => {
            attempt.cancel();
            attempt.abandon();
            finish({ outcome: 'timeout', status: null, action: 'stop' });
          }, timing.ringTimeout_ms);
        }
        call.progress(status, reason, sdp);
      },
    });
    let progressed = false;
    timer = setTimeout(() => {
      attempt.cancel();
      attempt.abandon();
      finish({ outcome: 'timeout', status: null, action: 'next' });
    }, timing.attemptTimeout_ms);
    void call.cancelled.then(() => {
      if (settled) return;
      clearTimeout(timer);
      attempt.cancel();
      attempt.abandon();
      const late = setTimeout(() => finish({ outcome: 'cancelled', status: null, action: 'stop' }), CANCEL_SETTLE_MS);
      void attempt.result.then((r) => {
        clearTimeout(late);
        finish({ outcome: 'cancelled', status: r.kind === 'failed' ? r.status : null, action: 'stop' });
      });
    });
    void attempt.result.then((r) => {
      if (settled || call.isCancelled) return;
      if (r.kind === 'answered') return finish({ outcome: 'answered', status: 200, leg: r.leg });
      if (r.local && r.status === 503) return finish({ outcome: 'transport_error', status: null, action: 'next' });
      if (r.local) return finish({ outcome: 'timeout', status: null, action: 'next' });
      const action = actionFor(peer, r.status);
      finish({ outcome: 'failed', status: r.status, action: action === 'connected' ? 'next' : action });
    });
  });
}
