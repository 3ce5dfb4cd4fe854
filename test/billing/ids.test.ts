import { expect } from 'chai';
import sinon from 'sinon';
import { redactString } from '../../app/redact';
import { idPattern, newId, timeLetters } from '../../billing/shared/ids';

describe('ids (billing/shared/ids.ts)', () => {
  let clock: sinon.SinonFakeTimers | undefined;
  afterEach(() => { clock?.restore(); clock = undefined; });

  it('the time part is 10 lowercase letters that sort as the milliseconds do', () => {
    const times = [0, 1, 25, 26, 27, 675, 676, Date.UTC(2026, 10, 30), Date.UTC(2026, 10, 30) + 1, Date.UTC(2100, 0, 1), 26 ** 10 - 1];
    const letters = times.map(timeLetters);
    for (const l of letters) expect(l).to.match(/^[a-z]{10}$/);
    expect([...letters].sort()).to.deep.equal(letters);
    expect(new Set(letters).size).to.equal(times.length);
    expect(timeLetters(0)).to.equal('aaaaaaaaaa');
    expect(timeLetters(27)).to.equal('aaaaaaaabb');
  });

  it('ids made later sort later, stay unguessable and unique, and fit the 40-character id columns', () => {
    clock = sinon.useFakeTimers({ now: Date.UTC(2026, 10, 30, 12), toFake: ['Date'] });
    const ids: string[] = [];
    for (let ms = 0; ms < 50; ms++) {
      for (let i = 0; i < 40; i++) ids.push(newId('callhold'));
      clock.tick(1);
    }
    for (const id of ids) expect(id).to.match(/^callhold_[a-z]{10}[A-Za-z0-9_-]{16}$/);
    expect(new Set(ids).size, 'unique').to.equal(ids.length);
    expect(Math.max(...ids.map((id) => id.length))).to.be.at.most(40);
    const byTime = (id: string) => id.slice('callhold_'.length, 'callhold_'.length + 10);
    expect(ids.map(byTime)).to.deep.equal([...ids.map(byTime)].sort());
    // The random part differs within one millisecond: the ids do not follow from the time.
    expect(new Set(ids.slice(0, 40).map((id) => id.slice(-16))).size).to.equal(40);
  });

  it('an id is never taken for a card number by the log masking, whenever it is made', () => {
    clock = sinon.useFakeTimers({ toFake: ['Date'] });
    for (let i = 0; i < 20_000; i++) {
      clock.setSystemTime(Math.floor(Math.random() * Date.UTC(2500, 0, 1)));
      const id = newId('auth');
      expect(redactString(`authorization ${id} captured`)).to.equal(`authorization ${id} captured`);
    }
  });

  it('idPattern takes the ids newId makes and the older ones without a time part, and nothing else', () => {
    const ord = idPattern('ord');
    expect(ord.test(newId('ord'))).to.equal(true);
    expect(ord.test('ord_3kQ9xY2b7TzL1mN0'), 'an id made before the time part').to.equal(true);
    for (const bad of [newId('sbcs'), 'ord_', 'ord_3kQ9xY2b7TzL1mN', 'ord_abcdefghi3kQ9xY2b7TzL1mN0', 'ord_ABCDEFGHIJ3kQ9xY2b7TzL1mN0', `${newId('ord')}x`, 'ord_3kQ9xY2b7TzL1mN0/..']) {
      expect(ord.test(bad), bad).to.equal(false);
    }
  });
});

