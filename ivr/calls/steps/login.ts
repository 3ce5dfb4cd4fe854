import type { Card } from '../../../billing/cards/card';
import { availableMinor, pinLockOf, spendBlocker } from '../../../billing/cards/card';
import { authenticateCard, sourceThrottled } from '../../../billing/cards/card-auth';
import { authenticateInOneRead } from '../../../billing/cards/card-auth-one-statement';
import { cardById } from '../../../billing/cards/card-rows';
import { cardIdOfCaller } from '../../../billing/cards/registered-callers';
import type { ErrorCode } from '../../../billing/shared/errors';
import { ok } from '../../../billing/shared/errors';
import type { CallFlowPromptId } from '../../prompts/catalogue';
import type { CallSession } from '../call-session';
import { takeCardPlace } from '../card-in-use';
import type { CallState } from '../call-state';

/** The prompt for a card that may not be spent, by its error code. */
export function blockerPrompt(code: ErrorCode): CallFlowPromptId {
  switch (code) {
    case 'card_locked': return 'card_locked';
    case 'card_inactive': return 'card_inactive';
    case 'card_suspended': return 'card_suspended';
    case 'card_expired': return 'card_expired';
    case 'card_closed': return 'card_closed';
    default: return 'invalid_credentials';
  }
}

/**
 * PIN-less when the caller's number is registered to a card; otherwise card number + '#', then
 * PIN + '#', `loginAttempts` tries per call. Wrong PINs count against the card (the lockout shared
 * with the site and merchants) and against the caller's number. Only lengths are ever logged.
 * A card already in use on `maxCallsPerCard` calls is refused ("card in use"), PIN-less or not.
 */
export async function login(s: CallSession): Promise<CallState> {
  const { billing, options } = s.ctx;
  if (s.caller) {
    const read = billing.read();
    const cardId = await cardIdOfCaller(read, s.caller);
    const card = cardId === undefined ? undefined : await cardById(read.q, cardId);
    if (card) {
      s.log.info('pin-less login', { card_id: card.id });
      return admit(s, card, read.now_ms);
    }
  }
  const source = { throttle_key: s.caller ? `caller:${s.caller}` : undefined };
  for (let attempt = 1; attempt <= options.loginAttempts; attempt++) {
    // Asked first so that a throttled caller is not made to key anything (authenticateCard checks again).
    if (await sourceThrottled(billing.read(), source)) return throttled(s);
    const number = await s.read(['enter_card_number'], { max: 19, terminators: '#' });
    const pin = number.digits === '' ? undefined : await s.read(['enter_pin'], { max: 12, terminators: '#' });
    if (!pin || pin.digits === '') {
      s.log.info('login: no input', { attempt });
      await s.say('no_input');
      continue;
    }
    // The right number and PIN with nothing to count or clear: one read. Anything else: the transaction.
    const read = billing.read();
    const known = await authenticateInOneRead(read, number.digits, pin.digits, source);
    const r = known ? { auth: ok(known), now_ms: read.now_ms }
      : await billing.tx(async (ctx) => ({ auth: await authenticateCard(ctx, number.digits, pin.digits, source), now_ms: ctx.now_ms }));
    s.log.info('login attempt', { attempt, number_len: number.digits.length, pin_len: pin.digits.length, ok: r.auth.ok, code: r.auth.ok ? undefined : r.auth.error.code });
    if (r.auth.ok) return admit(s, r.auth.value, r.now_ms);
    if (r.auth.error.code === 'rate_limited') return throttled(s);
    if (r.auth.error.code === 'card_locked') {
      await s.say(r.auth.error.details?.until_unlocked === true ? 'card_locked_contact_service' : 'card_locked');
      return 'ending';
    }
    s.io.flush();
    if (attempt < options.loginAttempts) await s.say('invalid_credentials_try_again');
  }
  await s.say('invalid_credentials', 'too_many_attempts');
  return 'ending';
}

async function throttled(s: CallSession): Promise<CallState> {
  s.log.warn('caller number throttled');
  await s.say('too_many_attempts');
  return 'ending';
}

async function admit(s: CallSession, card: Card, now_ms: number): Promise<CallState> {
  const blocker = spendBlocker(card, now_ms);
  if (blocker) {
    s.log.info('card may not be spent', { card_id: card.id, code: blocker });
    await s.say(blocker === 'card_locked' && pinLockOf(card, now_ms)?.until_ms === null ? 'card_locked_contact_service' : blockerPrompt(blocker));
    return 'ending';
  }
  if (!(await takeCardPlace(s, card.id))) {
    await s.say('card_in_use');
    return 'ending';
  }
  s.card = { id: card.id, currency: card.currency, availableAtLogin: Math.max(0, availableMinor(card)) };
  s.log.info('logged in', { card_id: card.id });
  return 'hearing_balance';
}
