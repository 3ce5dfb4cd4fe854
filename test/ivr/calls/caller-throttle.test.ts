import { expect } from 'chai';
import type { Rig } from './harness';
import { startRig } from './harness';

const wrongPin = (pin: string): string => String((Number(pin) + 1) % 10_000).padStart(pin.length, '0');

/** The caller's number is a throttle key of the one card authentication (billing/cards/card-auth.ts). */
describe('IVR login throttled by caller number (simulator + ari-client + SQLite)', function () {
  this.timeout(30_000);
  let rig: Rig;

  afterEach(async () => {
    await rig?.stop();
  });

  it('wrong PINs from one number throttle it across calls: the next call is refused before it is asked for anything; another number is not', async () => {
    rig = await startRig({ policy: { source_max_failures: 2, pin_max_failures: 10 } });
    const card = await rig.issueCard(500);
    const bad = { number: card.number, pin: wrongPin(card.pin) };
    const first = rig.call('+15551239001');
    await first.login(bad);
    await first.heard('invalid_credentials_try_again');
    await first.login(bad);
    // The second failure throttles the number: the third try is refused before the caller keys anything.
    await first.heard('too_many_attempts');
    await first.heard('goodbye');
    await first.ended();
    expect(first.prompts().filter((p) => p === 'enter_card_number')).to.have.length(2);

    const again = rig.call('+15551239001');
    await again.heard('too_many_attempts');
    await again.ended();
    expect(again.prompts()).to.not.include('enter_card_number');

    const other = rig.call('+15551239002');
    await other.login(card);
    await other.heard('you_have');
  });
});
