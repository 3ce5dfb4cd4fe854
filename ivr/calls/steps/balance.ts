import { availableMinor } from '../../../billing/cards/card';
import { cardById } from '../../../billing/cards/card-rows';
import type { CallSession } from '../call-session';
import type { CallState } from '../call-state';

/** The card's available balance as the caller may spend it now. */
export async function availableOf(s: CallSession): Promise<number> {
  const card = s.card && (await cardById(s.ctx.billing.read().q, s.card.id));
  return card ? Math.max(0, availableMinor(card)) : 0;
}

/** "You have twelve dollars and fifty cents"; a card with nothing to spend goes to the menu (recharge). */
export async function hearBalance(s: CallSession): Promise<CallState> {
  if (!s.card) return 'ending';
  const atLogin = s.card.availableAtLogin;
  delete s.card.availableAtLogin;
  const available = atLogin ?? (await availableOf(s));
  if (available <= 0) {
    await s.say('balance_zero');
    return 'menu';
  }
  await s.sayIds(['you_have', ...s.money(available, s.card.currency)]);
  return 'entering_destination';
}
