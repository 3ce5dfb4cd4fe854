import { cardCallId, claimCardPlace } from '../../billing/calls/card-calls';
import type { CallSession } from './call-session';

/**
 * Takes the session's place among the card's simultaneous calls (`maxCallsPerCard`, counted in
 * the database across IVR processes). False when the card is already in use on as many calls as
 * allowed. `force` (a call already in progress, adopted after a restart) is never refused.
 */
export async function takeCardPlace(s: CallSession, card_id: number, force = false): Promise<boolean> {
  const { billing, options } = s.ctx;
  if (options.maxCallsPerCard === 0) return true;
  const id = cardCallId(options.nodeId, s.channel.id);
  const r = await claimCardPlace(billing, { id, card_id, node_id: options.nodeId, channel_id: s.channel.id }, {
    max_calls: options.maxCallsPerCard, ttl_ms: options.cardCallTtl_ms, force,
  });
  if (r.claimed) {
    s.cardCallId = id;
    return true;
  }
  s.log.warn('card in use on other calls', { card_id, in_use: r.in_use, max_calls: options.maxCallsPerCard });
  return false;
}
