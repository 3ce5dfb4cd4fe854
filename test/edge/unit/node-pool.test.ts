import { expect } from 'chai';
import { NodePool } from '../../../edge/core/node-pool';

describe('NodePool: node selection and health', () => {
  const nodes = [{ host: '10.0.0.5', port: 5060, weight: 1 }, { host: '10.0.0.6', port: 5060, weight: 3 }, { host: '10.0.0.7', port: 5080, weight: 1 }];

  it('orders by active calls per weight, the heavier first on a tie, then the least recently picked', () => {
    const p = new NodePool(nodes, { failuresToDown: 2, successesToUp: 1 });
    expect(p.order().map((s) => s.name)).to.deep.equal(['10.0.0.6:5060', '10.0.0.5:5060', '10.0.0.7:5080']);
    p.callStarted('10.0.0.6:5060');
    expect(p.order()[0]?.name).to.equal('10.0.0.5:5060'); // 0/1 beats 1/3
    p.callStarted('10.0.0.5:5060');
    expect(p.order()[0]?.name).to.equal('10.0.0.7:5080');
    p.callStarted('10.0.0.7:5080');
    expect(p.order()[0]?.name).to.equal('10.0.0.6:5060'); // 1/3 < 1/1
  });

  it('rotates between equal nodes', () => {
    const p = new NodePool([nodes[0]!, nodes[2]!], { failuresToDown: 1, successesToUp: 1 });
    const firsts = [1, 2, 3, 4].map(() => p.order()[0]?.name);
    expect(firsts).to.deep.equal(['10.0.0.5:5060', '10.0.0.7:5080', '10.0.0.5:5060', '10.0.0.7:5080']);
  });

  it('takes a node out after N failed probes and back after M good ones', () => {
    const p = new NodePool(nodes, { failuresToDown: 2, successesToUp: 2 });
    expect(p.probeResult('10.0.0.5:5060', false)).to.equal(undefined);
    expect(p.probeResult('10.0.0.5:5060', false)).to.equal('went_down');
    expect(p.order().map((s) => s.name)).to.not.include('10.0.0.5:5060');
    expect(p.probeResult('10.0.0.5:5060', true)).to.equal(undefined);
    expect(p.probeResult('10.0.0.5:5060', true)).to.equal('came_up');
    expect(p.order().map((s) => s.name)).to.include('10.0.0.5:5060');
  });

  it('an unreachable INVITE target is out at once; a good probe after a failure resets the count', () => {
    const p = new NodePool(nodes, { failuresToDown: 2, successesToUp: 1 });
    p.probeResult('10.0.0.6:5060', false);
    p.probeResult('10.0.0.6:5060', true);
    expect(p.probeResult('10.0.0.6:5060', false)).to.equal(undefined);
    expect(p.markUnreachable('10.0.0.7:5080')).to.equal('went_down');
    expect(p.markUnreachable('10.0.0.7:5080')).to.equal(undefined);
    expect(p.probeResult('10.0.0.7:5080', true)).to.equal('came_up');
  });
});
