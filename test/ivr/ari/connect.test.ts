import { expect } from 'chai';
import { AriTelephony } from '../../../ivr/ari/ari-telephony';
import { isAriError } from '../../../ivr/ari/errors';
import { AriSimulator } from '../../../ivr/sim/ari-simulator';
import type { Rig } from './harness';
import { APP, inboundCall, PASSWORD, startRig, USER } from './harness';

describe('AriTelephony: connecting', () => {
  let rig: Rig | undefined;
  afterEach(async () => {
    await rig?.stop();
    rig = undefined;
  });

  it('connects and delivers StasisStart with args, caller number and dialled extension', async () => {
    rig = await startRig();
    const { call, event } = await inboundCall(rig, { callerNumber: '5551000', callerName: 'Alice', accessNumber: '8005550100', args: ['inbound', '8005550100'] });
    expect(event.channel.id).to.equal(call.channelId);
    expect(event.args).to.deep.equal(['inbound', '8005550100']);
    expect(event.channel).to.include({ callerNumber: '5551000', callerName: 'Alice', dialedExten: '8005550100', state: 'Ring', inStasis: true });
    expect(event.channel.stasisArgs).to.deep.equal(['inbound', '8005550100']);
  });

  it('rejects a wrong password with ari_unauthorized (and the process carries on)', async () => {
    const sim = new AriSimulator({ user: USER, password: PASSWORD });
    const url = await sim.start();
    try {
      const tel = new AriTelephony({ connectTimeout_ms: 2000 });
      const err = await tel.connect({ url, user: USER, password: 'wrong', app: APP }).then(() => undefined, (e: unknown) => e);
      expect(isAriError(err, 'ari_unauthorized'), String(err)).to.equal(true);
    } finally {
      await sim.stop();
    }
  });

  it('rejects an unreachable Asterisk with ari_unavailable', async () => {
    const sim = new AriSimulator({ user: USER, password: PASSWORD });
    const url = await sim.start();
    await sim.stop(); // the port is closed now
    const tel = new AriTelephony({ connectTimeout_ms: 2000 });
    const err = await tel.connect({ url, user: USER, password: PASSWORD, app: APP }).then(() => undefined, (e: unknown) => e);
    expect(isAriError(err, 'ari_unavailable'), String(err)).to.equal(true);
  });

  it('operations before connect reject with ari_unavailable', async () => {
    const tel = new AriTelephony();
    const err = await tel.answer('x').then(() => undefined, (e: unknown) => e);
    expect(isAriError(err, 'ari_unavailable')).to.equal(true);
  });
});
