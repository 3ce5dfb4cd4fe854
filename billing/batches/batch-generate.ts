import type { ExpiryPolicy } from '../cards/card';
import type { BatchCard } from './batch-card';
import { generatedSerial } from './batch-card';
import type { CardNumberGenerator } from './digit-source';

export const GENERATE_CHUNK = 2000;
export const MAX_GENERATE_COUNT = 10_000_000;

export interface GenerateSpec {
  count: number;
  value_minor: number;
  expiry: ExpiryPolicy;
  pin_length: number;
}

/** The cards of a generated batch, chunk by chunk (numbers, PINs from the CSPRNG; serials in sequence). */
export function* generatedCards(batch_id: number, spec: GenerateSpec, numbers: CardNumberGenerator, chunk = GENERATE_CHUNK): Generator<BatchCard[]> {
  const width = Math.max(6, String(spec.count).length);
  for (let start = 0; start < spec.count; start += chunk) {
    const end = Math.min(spec.count, start + chunk);
    const cards: BatchCard[] = new Array(end - start);
    for (let i = start; i < end; i++) {
      cards[i - start] = {
        number: numbers.next(),
        pin: numbers.pin(spec.pin_length),
        serial: generatedSerial(batch_id, i + 1, width),
        value_minor: spec.value_minor,
        expiry: spec.expiry,
      };
    }
    yield cards;
  }
}
