import type { CallSession } from '../call-session';
import type { CallState } from '../call-state';
import { CallerGone } from '../caller-io';

export async function answer(s: CallSession): Promise<CallState> {
  if ((await s.ctx.tel.answer(s.channel.id)) === 'gone') throw new CallerGone();
  await s.say('welcome');
  return s.ctx.options.languages.length > 1 ? 'choosing_language' : 'logging_in';
}
