import { authenticateCard, sourceThrottled } from '../../../billing/cards/card-auth';
import { transferAll } from '../../../billing/cards/card-admin';
import type { CallFlowPromptId } from '../../prompts/catalogue';
import type { CallSession } from '../call-session';
import type { CallState } from '../call-state';

const TRIES = 3;

function failurePrompt(error: { code: string; details?: Record<string, unknown> }): CallFlowPromptId {
  switch (error.code) {
    case 'insufficient_funds': return 'voucher_empty';
    case 'currency_mismatch': return 'currency_mismatch';
    case 'card_locked': return error.details?.until_unlocked === true ? 'card_locked_contact_service' : 'card_locked';
    default: return 'voucher_invalid';
  }
}

/**
 * Recharge from a voucher (another card): its number + PIN, then its whole available balance moves
 * onto this card in ONE ledger entry, in the same transaction as the PIN check. Wrong PINs count
 * against the voucher and the caller's number like any login.
 */
export async function recharge(s: CallSession): Promise<CallState> {
  const card = s.card;
  if (!card) return 'ending';
  const { billing } = s.ctx;
  const source = { throttle_key: s.caller ? `caller:${s.caller}` : undefined };
  for (let i = 0; i < TRIES; i++) {
    // Asked first so that a throttled caller is not made to key anything (authenticateCard checks again).
    if (await sourceThrottled(billing.read(), source)) {
      await s.say('too_many_attempts');
      return 'ending';
    }
    const number = await s.read(['enter_voucher_number'], { max: 19, terminators: '#' });
    const pin = number.digits === '' ? undefined : await s.read(['enter_voucher_pin'], { max: 12, terminators: '#' });
    if (!pin || pin.digits === '') {
      await s.say('no_input');
      continue;
    }
    const r = await billing.tx(async (ctx) => {
      const voucher = await authenticateCard(ctx, number.digits, pin.digits, source);
      if (!voucher.ok) return voucher;
      return transferAll(ctx, voucher.value.id, card.id, `ivr:${s.channel.id}`);
    });
    s.log.info('voucher recharge', { number_len: number.digits.length, pin_len: pin.digits.length, ok: r.ok, code: r.ok ? undefined : r.error.code });
    if (r.ok) {
      await s.sayIds(['recharge_done', ...s.money(r.value.amount_minor, r.value.currency)]);
      return 'hearing_balance';
    }
    if (r.error.code === 'rate_limited') {
      await s.say('too_many_attempts');
      return 'ending';
    }
    s.io.flush();
    await s.say(failurePrompt(r.error));
    if (r.error.code === 'card_locked') return 'menu';
  }
  return 'menu';
}
