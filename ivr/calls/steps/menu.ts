import { cardIdOfCaller } from '../../../billing/cards/registered-callers';
import type { CallFlowPromptId } from '../../prompts/catalogue';
import type { MainMenuAction } from '../../prompts/main-menu';
import { MAIN_MENU_OPTIONS } from '../../prompts/main-menu';
import type { CallSession } from '../call-session';
import type { CallState } from '../call-state';

const TRIES = 3;

const NEXT: Readonly<Record<MainMenuAction, CallState>> = {
  place_call: 'entering_destination',
  recharge: 'recharging',
  hear_balance: 'hearing_balance',
  register_phone: 'registering',
  unregister_phone: 'unregistering',
  change_language: 'choosing_language',
};

/**
 * The keypad menu. Options that do not apply are left out: register when the caller's number is
 * unknown or already registered to this card, unregister when it is not, language when only one.
 */
export async function menu(s: CallSession): Promise<CallState> {
  if (!s.card) return 'ending';
  const registeredHere = s.caller !== undefined && (await cardIdOfCaller(s.ctx.billing.read(), s.caller)) === s.card.id;
  const offered = MAIN_MENU_OPTIONS.filter((o) => {
    if (o.action === 'register_phone') return s.caller !== undefined && !registeredHere;
    if (o.action === 'unregister_phone') return registeredHere;
    if (o.action === 'change_language') return s.ctx.options.languages.length > 1;
    return true;
  });
  const prompts: CallFlowPromptId[] = offered.map((o) => o.prompt);
  for (let i = 0; i < TRIES; i++) {
    const r = await s.read(prompts, { max: 1 });
    if (r.digits === '') {
      await s.say('no_input');
      continue;
    }
    const choice = offered.find((o) => o.digit === r.digits);
    if (choice) {
      s.log.info('menu', { action: choice.action });
      return NEXT[choice.action];
    }
    s.io.flush();
    await s.say('invalid_option');
  }
  return 'ending';
}
