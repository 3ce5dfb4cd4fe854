import type { CallFlowPromptId } from './catalogue';

export type MainMenuAction =
  | 'place_call'
  | 'recharge'
  | 'hear_balance'
  | 'register_phone'
  | 'unregister_phone'
  | 'change_language';

export interface MainMenuOption {
  readonly digit: string;
  readonly action: MainMenuAction;
  readonly prompt: CallFlowPromptId;
}

/**
 * The main menu's keys. Each prompt says its own key ("To place a call, press 1."), so the key
 * lives here, next to the prompt, and test/ivr/prompts checks the two agree. The IVR may leave
 * options out (e.g. "unregister" when this phone is not registered) by playing only some prompts.
 */
export const MAIN_MENU_OPTIONS: readonly MainMenuOption[] = Object.freeze([
  { digit: '1', action: 'place_call', prompt: 'menu_place_call' },
  { digit: '2', action: 'recharge', prompt: 'menu_recharge' },
  { digit: '3', action: 'hear_balance', prompt: 'menu_balance' },
  { digit: '4', action: 'register_phone', prompt: 'menu_register_phone' },
  { digit: '5', action: 'unregister_phone', prompt: 'menu_unregister_phone' },
  { digit: '9', action: 'change_language', prompt: 'menu_change_language' },
]);
