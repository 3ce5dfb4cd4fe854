import { registerCaller, unregisterCaller } from '../../../billing/cards/registered-callers';
import type { CallSession } from '../call-session';
import type { CallState } from '../call-state';

/** Registers the caller's number to this card for PIN-less access. */
export async function register(s: CallSession): Promise<CallState> {
  const caller = s.caller;
  const card = s.card;
  if (!caller || !card) {
    await s.say('phone_number_unknown');
    return 'menu';
  }
  await s.ctx.billing.tx((ctx) => registerCaller(ctx, caller, card.id));
  s.log.info('phone registered', { card_id: card.id });
  await s.say('phone_registered');
  return 'menu';
}

export async function unregister(s: CallSession): Promise<CallState> {
  const caller = s.caller;
  const card = s.card;
  const removed = caller !== undefined && card !== undefined && (await s.ctx.billing.tx((ctx) => unregisterCaller(ctx, caller, card.id)));
  s.log.info('phone unregistered', { removed });
  await s.say(removed ? 'phone_unregistered' : 'phone_not_registered');
  return 'menu';
}
