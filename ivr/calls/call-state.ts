/**
 * A call session's state: ONE value, moved only along the transition table below (asserted). Each
 * state is run by one step (steps/*.ts) that returns the next state; hanging up leads to `ended`
 * from anywhere.
 */
export const CALL_STATES = [
  'answering',
  'choosing_language',
  'logging_in',
  'hearing_balance',
  'menu',
  'recharging',
  'registering',
  'unregistering',
  'entering_destination',
  'dialling',
  'talking',
  'after_call',
  'reconciling',
  'ending',
  'ended',
] as const;

export type CallState = (typeof CALL_STATES)[number];

export const TRANSITIONS: Readonly<Record<CallState, readonly CallState[]>> = {
  answering: ['choosing_language', 'logging_in'],
  choosing_language: ['logging_in', 'menu'],
  logging_in: ['hearing_balance', 'ending'],
  hearing_balance: ['entering_destination', 'menu', 'ending'],
  menu: ['entering_destination', 'hearing_balance', 'recharging', 'registering', 'unregistering', 'choosing_language', 'menu', 'ending'],
  recharging: ['hearing_balance', 'menu', 'ending'],
  registering: ['menu'],
  unregistering: ['menu'],
  entering_destination: ['dialling', 'entering_destination', 'menu', 'ending'],
  dialling: ['talking', 'after_call', 'entering_destination'],
  talking: ['after_call'],
  after_call: ['entering_destination', 'ending'],
  /** A call found in progress after a restart or reconnect. */
  reconciling: ['talking', 'after_call', 'ending'],
  ending: [],
  ended: [],
};

export function canMove(from: CallState, to: CallState): boolean {
  return to === 'ended' ? from !== 'ended' : TRANSITIONS[from].includes(to);
}

export class IllegalTransition extends Error {
  constructor(readonly from: CallState, readonly to: CallState) {
    super(`call state: ${from} → ${to} is not allowed`);
    this.name = 'IllegalTransition';
  }
}

export function assertMove(from: CallState, to: CallState): void {
  if (!canMove(from, to)) throw new IllegalTransition(from, to);
}
