import { expect } from 'chai';
import { SourceMatcher } from '../../../edge/core/source-matcher';
import { carrier } from '../support/fake-routing';

describe('SourceMatcher: who sent the request (net.BlockList)', () => {
  const m = new SourceMatcher([{ host: '10.0.0.5', port: 5060, weight: 1 }, { host: 'fd00::5', port: 5060, weight: 1 }]);
  const bad = m.setCarriers([
    carrier(1, 'alpha', 'sip:a', { sources: ['203.0.113.7', '198.51.100.0/24', 'not-an-ip', '10.1.0.0/99'] }),
    carrier(2, 'bravo', 'sip:b', { sources: ['2001:db8::/32'] }),
    carrier(3, 'off', 'sip:c', { sources: ['192.0.2.50'], enabled: false }),
    carrier(4, 'shadow', 'sip:d', { sources: ['10.0.0.5'] }),
  ]);

  it('matches single addresses and CIDRs, IPv4 and IPv6, and IPv4-mapped IPv6', () => {
    expect(m.match('203.0.113.7')).to.deep.include({ kind: 'carrier' });
    expect(m.match('198.51.100.200').kind === 'carrier' && m.match('198.51.100.200')).to.have.nested.property('carrier.name', 'alpha');
    expect(m.match('::ffff:198.51.100.3')).to.have.nested.property('carrier.name', 'alpha');
    expect(m.match('2001:db8:1::9')).to.have.nested.property('carrier.name', 'bravo');
    expect(m.match('203.0.113.8').kind).to.equal('unknown');
  });

  it('nodes first; disabled carriers and garbage are unknown; bad sources are reported', () => {
    expect(m.match('10.0.0.5').kind).to.equal('node');
    expect(m.match('FD00::5').kind).to.equal('node');
    expect(m.match('192.0.2.50').kind).to.equal('unknown');
    expect(m.match('').kind).to.equal('unknown');
    expect(bad).to.deep.equal(['alpha: not-an-ip', 'alpha: 10.1.0.0/99']);
  });
});
