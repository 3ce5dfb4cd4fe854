import { randomInt } from 'node:crypto';

export const DEFAULT_PIN_LENGTH = 4;

export function generatePin(length = DEFAULT_PIN_LENGTH): string {
  let pin = '';
  for (let i = 0; i < length; i++) pin += String(randomInt(10));
  return pin;
}
