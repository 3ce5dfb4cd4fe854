import { expect } from 'chai';
import { assertMove, CALL_STATES, canMove, IllegalTransition, TRANSITIONS } from '../../../ivr/calls/call-state';
import type { CallState } from '../../../ivr/calls/call-state';
import { STEPS } from '../../../ivr/calls/steps/steps';

function reachableFrom(start: CallState): Set<CallState> {
  const seen = new Set<CallState>([start]);
  const todo = [start];
  while (todo.length > 0) {
    const s = todo.pop() as CallState;
    for (const n of [...TRANSITIONS[s], 'ended' as const]) if (!seen.has(n) && canMove(s, n)) { seen.add(n); todo.push(n); }
  }
  return seen;
}

describe('IVR call state table', () => {
  it('every state but ended has exactly one step', () => {
    expect(Object.keys(STEPS).sort()).to.deep.equal(CALL_STATES.filter((s) => s !== 'ended').sort());
  });

  it('every state is reachable from a new call or a reconciled one, and every state can end', () => {
    const reached = new Set([...reachableFrom('answering'), ...reachableFrom('reconciling')]);
    expect([...reached].sort()).to.deep.equal([...CALL_STATES].sort());
    for (const s of CALL_STATES) expect(canMove(s, 'ended'), s).to.equal(s !== 'ended');
  });

  for (const [from, to, allowed] of [
    ['answering', 'logging_in', true],
    ['logging_in', 'dialling', false], // no call before the balance and a rated destination
    ['entering_destination', 'talking', false], // no talk without dialling (and reserving the first chunk)
    ['dialling', 'talking', true],
    ['talking', 'entering_destination', false], // the bill is said first
    ['after_call', 'entering_destination', true],
    ['ending', 'menu', false],
    ['ended', 'ended', false],
  ] as const) {
    it(`${from} → ${to}: ${allowed ? 'allowed' : 'refused'}`, () => {
      expect(canMove(from, to)).to.equal(allowed);
      if (allowed) expect(() => assertMove(from, to)).to.not.throw();
      else expect(() => assertMove(from, to)).to.throw(IllegalTransition);
    });
  }
});
