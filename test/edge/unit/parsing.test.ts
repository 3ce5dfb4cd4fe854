import { expect } from 'chai';
import { carrierTarget } from '../../../edge/core/carrier-target';
import { calledUser, dialledDigits, validCallId } from '../../../edge/core/dialled-number';
import { parseNodeList } from '../../../edge/edge-config';
import { carrier } from '../support/fake-routing';

describe('edge parsing: node list, dialled numbers, carrier targets', () => {
  it('parses EDGE_ASTERISK_NODES', () => {
    expect(parseNodeList('10.0.0.5:5060;weight=2, 10.0.0.6,[fd00::7]:5080')).to.deep.equal([
      { host: '10.0.0.5', port: 5060, weight: 2 }, { host: '10.0.0.6', port: 5060, weight: 1 }, { host: 'fd00::7', port: 5080, weight: 1 },
    ]);
  });

  for (const [text, why] of [['', 'at least one'], ['asterisk1:5060', 'IP address'], ['10.0.0.5:70000', 'port'], ['10.0.0.5;weight=0', 'weight'], ['10.0.0.5;w=2', 'weight'], ['10.0.0.5,10.0.0.5:5060', 'twice']]) {
    it(`refuses "${text}" (${why})`, () => {
      expect(() => parseNodeList(text as string)).to.throw(why as string);
    });
  }

  it('reads the dialled E.164 digits from the Request-URI', () => {
    expect(dialledDigits('sip:447700900123@192.0.2.1')).to.equal('447700900123');
    expect(dialledDigits('sip:+447700900123@192.0.2.1:5060;transport=udp')).to.equal('447700900123');
    expect(dialledDigits('sip:%2B12125550123@edge')).to.equal('12125550123');
    expect(dialledDigits('sip:1234567890123456@edge')).to.equal(undefined);
    expect(dialledDigits('sip:bob@edge')).to.equal(undefined);
    expect(dialledDigits('sip:edge')).to.equal(undefined);
    expect(calledUser('sip:18005550100@192.0.2.1')).to.equal('18005550100');
    expect(validCallId('abc123x-0042')).to.equal('abc123x-0042');
    expect(validCallId('a b')).to.equal(undefined);
    expect(validCallId('x'.repeat(41))).to.equal(undefined); // billing's route_attempts.call_id is at most 40
  });

  it('builds the carrier target with the dial user and transport', () => {
    const c = carrier(1, 'alpha', 'sip:gw1.example.net:5060');
    expect(carrierTarget({ carrier: c, dial_user: '+447700900123' })).to.equal('sip:+447700900123@gw1.example.net:5060');
    expect(carrierTarget({ carrier: { ...c, transport: 'tcp' }, dial_user: '9901#44' })).to.equal('sip:9901%2344@gw1.example.net:5060;transport=tcp');
    expect(carrierTarget({ carrier: { ...c, sip_uri: 'sips:trunk@[2001:db8::1]:5061', transport: 'tls' }, dial_user: '44' })).to.equal('sips:44@[2001:db8::1]:5061;transport=tls');
  });
});
