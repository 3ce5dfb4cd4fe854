import type { CallSession } from '../call-session';
import type { CallState } from '../call-state';

/**
 * The caller and the far end are bridged while the leg is metered; then the bridge goes and, once the caller has
 * left it (a prompt sent before that may never start), the bill is said.
 */
export async function talk(s: CallSession): Promise<CallState> {
  const call = s.talk;
  if (!call) return 'after_call';
  const result = await call.result;
  if (call.isDetached || s.isDetached) return 'after_call';
  s.talk = undefined;
  s.callId = undefined;
  await s.io.leaveBridge(`${call.p.callId}-br`);
  s.lastCall = { kind: 'billed', cost_minor: result.cost_minor, cut_off: result.end === 'cut_off' };
  return 'after_call';
}
