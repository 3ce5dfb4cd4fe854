import type { CallSession, StepTable } from '../call-session';
import type { CallState } from '../call-state';
import { afterCall } from './after-call';
import { answer } from './answer';
import { hearBalance } from './balance';
import { enterDestination } from './destination';
import { dial } from './dial';
import { chooseLanguage } from './language';
import { login } from './login';
import { menu } from './menu';
import { reconcileCall } from './reconcile-call';
import { register, unregister } from './register';
import { talk } from './talk';
import { recharge } from './voucher';

/** One step per state: it does the state's work and returns the next state. */
export type Step = (s: CallSession) => Promise<CallState>;

const ending: Step = async (s) => {
  await s.say('goodbye');
  return 'ended';
};

export const STEPS: StepTable = {
  answering: answer,
  choosing_language: chooseLanguage,
  logging_in: login,
  hearing_balance: hearBalance,
  menu,
  recharging: recharge,
  registering: register,
  unregistering: unregister,
  entering_destination: enterDestination,
  dialling: dial,
  talking: talk,
  after_call: afterCall,
  reconciling: reconcileCall,
  ending,
};
