import { expect } from 'chai';
import { actionFor, ruleFor, SIP_ANSWER_TABLE } from '../../../edge/core/sip-answers';

describe('SIP answer table (edge/core/sip-answers.ts)', () => {
  const cases: Array<[number, 'next' | 'stop' | 'connected', 'next' | 'stop' | 'connected']> = [
    // [status, carrier, node] — the rules: no answer in time / 408 / 5xx / 6xx-not-final → next; 486/600/603/487 → stop
    [200, 'connected', 'connected'], [302, 'next', 'stop'], [403, 'next', 'stop'], [404, 'next', 'stop'], [408, 'next', 'next'],
    [480, 'stop', 'stop'], [484, 'stop', 'stop'], [486, 'stop', 'stop'], [487, 'stop', 'stop'], [488, 'next', 'stop'],
    [500, 'next', 'next'], [502, 'next', 'next'], [503, 'next', 'next'], [504, 'next', 'next'],
    [600, 'stop', 'stop'], [603, 'stop', 'stop'], [604, 'next', 'stop'], [606, 'next', 'stop'], [607, 'stop', 'stop'], [608, 'next', 'stop'],
  ];
  for (const [status, carrier, node] of cases) {
    it(`${status}: carrier → ${carrier}, node → ${node}`, () => {
      expect(actionFor('carrier', status)).to.equal(carrier);
      expect(actionFor('node', status)).to.equal(node);
    });
  }

  it('has a rule, with its justification, for every final status 200–699', () => {
    for (let s = 200; s <= 699; s++) {
      const rule = ruleFor(s);
      expect(rule, `status ${s}`).to.not.equal(undefined);
      expect(rule?.why.length).to.be.greaterThan(10);
    }
  });

  it('lists specific codes before the class they belong to', () => {
    SIP_ANSWER_TABLE.forEach((r, i) => {
      const shadowing = SIP_ANSWER_TABLE.slice(0, i).find((earlier) => earlier.from <= r.from && earlier.to >= r.to);
      expect(shadowing, `row ${r.from}-${r.to} is hidden by ${shadowing?.from}-${shadowing?.to}`).to.equal(undefined);
    });
  });
});
