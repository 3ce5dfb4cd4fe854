import type { CallFlowPromptId, PromptId } from '../../prompts/catalogue';
import type { CallSession } from '../call-session';
import type { CallState } from '../call-state';
import { availableOf } from './balance';

const NOT_CONNECTED: Record<'BUSY' | 'NOANSWER' | 'CONGESTION' | 'FAILED' | 'UNAVAILABLE', CallFlowPromptId> = {
  BUSY: 'number_busy',
  UNAVAILABLE: 'destination_not_available',
  NOANSWER: 'no_answer',
  CONGESTION: 'network_busy',
  FAILED: 'call_failed',
};

/** What the call cost and the new balance (or why it did not connect: not charged), then '#' for another call. */
export async function afterCall(s: CallSession): Promise<CallState> {
  const last = s.lastCall;
  s.lastCall = undefined;
  if (!s.card) return 'ending';
  const ids: PromptId[] = [];
  if (last?.kind === 'not_connected') {
    ids.push(NOT_CONNECTED[last.status], 'call_not_charged');
  } else if (last?.kind === 'billed') {
    if (last.cut_off) ids.push('credit_exhausted');
    ids.push('call_cost', ...s.money(last.cost_minor, s.card.currency));
    ids.push('new_balance', ...s.money(await availableOf(s), s.card.currency));
  }
  await s.sayIds(ids);
  s.io.flush();
  const r = await s.read(['another_call'], { max: 1, terminators: '#', firstDigitTimeout_ms: s.ctx.options.anotherCallTimeout_ms });
  return r.terminator === '#' ? 'entering_destination' : 'ending';
}
