import { maxAffordableSeconds } from '../../../billing/rating/rate';
import { lookupRate } from '../../../billing/rating/rate-store';
import { sayMinutes, saySeconds } from '../../sayer/sayer';
import type { CallSession } from '../call-session';
import type { CallState } from '../call-state';
import { normaliseDestination } from '../phone-numbers';
import { availableOf } from './balance';

const TRIES = 3;

/**
 * Destination + '#' ('*' opens the menu), normalised to E.164 and rated from the live version of the
 * deck the IVR is configured with (RATE_DECK); blocked, unknown or
 * unrated destinations are "not available". Then "You have N minutes for this call", from the
 * AVAILABLE balance, connect fee and first increment included.
 */
export async function enterDestination(s: CallSession): Promise<CallState> {
  if (!s.card) return 'ending';
  const { billing, options } = s.ctx;
  for (let i = 0; i < TRIES; i++) {
    const r = await s.read(['enter_destination'], { max: 20, terminators: '#*' });
    if (r.terminator === '*') return 'menu';
    if (r.digits === '') {
      await s.say('no_input');
      continue;
    }
    const digits = normaliseDestination(r.digits, options.defaultCountry);
    // The rate and the card's available balance, read together (one wait instead of two).
    const [rate, available] = await Promise.all([digits === undefined ? undefined : lookupRate(billing.read().q, digits, options.rateDeck), availableOf(s)]);
    if (digits === undefined || !rate || rate.blocked || rate.currency !== s.card.currency) {
      s.log.info('destination not available', { digits_len: r.digits.length, rated: rate !== undefined, blocked: rate?.blocked });
      s.io.flush();
      await s.say('destination_not_available');
      continue;
    }
    const max_s = maxAffordableSeconds(rate, available);
    if (max_s <= 0) {
      await s.say('insufficient_balance');
      return 'menu';
    }
    s.destination = { digits, rate };
    s.log.info('destination rated', { prefix: rate.prefix, max_s });
    const said = max_s >= 60 ? sayMinutes(s.lang, Math.floor(max_s / 60)) : saySeconds(s.lang, max_s);
    await s.sayIds(['you_have', ...said, 'for_this_call']);
    return 'dialling';
  }
  return 'ending';
}
