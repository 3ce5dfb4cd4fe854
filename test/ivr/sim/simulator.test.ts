import { expect } from 'chai';
import sinon from 'sinon';
import WebSocket from 'ws';
import { AriSimulator } from '../../../ivr/sim/ari-simulator';
import { farEnds } from '../../../ivr/sim/far-end';

const AUTH = { Authorization: `Basic ${Buffer.from('u:p').toString('base64')}` };

async function rest(sim: AriSimulator, method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${sim.url}/ari${path}`, {
    method, headers: { ...AUTH, ...(body !== undefined && { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? null : (JSON.parse(text) as unknown) };
}

/** A raw event socket collecting event types. */
async function listen(sim: AriSimulator): Promise<{ ws: WebSocket; events: Array<Record<string, unknown>> }> {
  const ws = new WebSocket(`${sim.url.replace('http', 'ws')}/ari/events?app=prepaid`, { headers: AUTH });
  const events: Array<Record<string, unknown>> = [];
  ws.on('message', (d) => events.push(JSON.parse(String(d)) as Record<string, unknown>));
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  return { ws, events };
}

const until = async (cond: () => boolean, timeout_ms = 2000): Promise<void> => {
  const end = Date.now() + timeout_ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('AriSimulator', () => {
  let sim: AriSimulator;
  beforeEach(async () => {
    sim = new AriSimulator({ user: 'u', password: 'p', speed: 10, mediaDuration: () => 1000 });
    await sim.start();
  });
  afterEach(async () => {
    sim.resumeHttp();
    await sim.stop();
  });

  it('answers 401 like Asterisk without the right credentials, accepts Basic or api_key', async () => {
    const none = await fetch(`${sim.url}/ari/channels`);
    expect(none.status).to.equal(401);
    expect(await none.json()).to.deep.equal({ message: 'Authentication required' });
    expect((await fetch(`${sim.url}/ari/channels?api_key=u:p`)).status).to.equal(200);
    expect((await rest(sim, 'GET', '/channels')).status).to.equal(200);
    const ws = new WebSocket(`${sim.url.replace('http', 'ws')}/ari/events?app=prepaid&api_key=u:wrong`);
    ws.on('error', () => {});
    const status = await new Promise<number | undefined>((resolve) => ws.on('unexpected-response', (_req, res) => resolve(res.statusCode)));
    ws.terminate();
    expect(status).to.equal(401);
  });

  it('serves its own API description with its own base path', async () => {
    const docs = await rest(sim, 'GET', '/api-docs/resources.json');
    expect(docs.body).to.deep.include({ basePath: `${sim.url}/ari`, swaggerVersion: '1.1' });
    const channels = (await rest(sim, 'GET', '/api-docs/channels.json')).body as { apis: Array<{ path: string }> };
    expect(channels.apis.map((a) => a.path)).to.include('/channels/{channelId}/play');
  });

  it('a scripted inbound call: StasisStart (Ring), records the app’s answer, ring and prompts, sends DTMF, ends', async () => {
    expect(() => sim.placeInboundCall({ callerNumber: '1', accessNumber: '2' })).to.throw(/no Stasis app/);
    const { ws, events } = await listen(sim);
    const call = sim.placeInboundCall({ callerNumber: '5551000', accessNumber: '8005550100', script: [{ at_ms: 100, dtmf: '12' }, { at_ms: 4000, hangup: true }] });
    await until(() => events.length === 1);
    expect(events[0]).to.deep.include({ type: 'StasisStart', args: ['8005550100'] });
    expect(events[0]?.channel).to.deep.include({ id: call.channelId, state: 'Ring' });
    expect((await rest(sim, 'POST', `/channels/${call.channelId}/ring`)).status).to.equal(204);
    expect((await rest(sim, 'POST', `/channels/${call.channelId}/answer`)).status).to.equal(204);
    await call.answered;
    expect((await rest(sim, 'POST', `/channels/${call.channelId}/play?media=sound:a,sound:b`)).status).to.equal(201);
    expect(await call.ended).to.deep.equal({ by: 'caller', cause: 16 });
    expect(call.prompts()).to.deep.equal(['sound:a', 'sound:b']);
    await until(() => events.at(-1)?.type === 'StasisEnd');
    expect(events.map((e) => e.type)).to.deep.equal([
      'StasisStart', 'ChannelStateChange', 'PlaybackStarted', 'ChannelDtmfReceived', 'ChannelDtmfReceived', 'PlaybackContinuing',
      'PlaybackStarted', 'PlaybackFinished', 'ChannelVarset', 'ChannelVarset', 'ChannelVarset', 'ChannelVarset', 'ChannelVarset',
      'ChannelHangupRequest', 'StasisEnd',
    ]);
    expect(sim.records().map((r) => r.kind)).to.include.members(['ring', 'answer', 'play', 'playback-started', 'hangup']);
    ws.close();
  });

  it('chooses the far end by the dialled number', async () => {
    sim.setFarEnd((t) => (t.number.endsWith('0') ? farEnds.busy() : farEnds.answer()));
    const { ws, events } = await listen(sim);
    await rest(sim, 'POST', '/channels?endpoint=PJSIP/12120@trunk&app=prepaid&channelId=busy-leg');
    await rest(sim, 'POST', '/channels?endpoint=PJSIP/12121@trunk&app=prepaid&channelId=ok-leg');
    await until(() => events.some((e) => e.type === 'StasisStart') && events.some((e) => e.type === 'ChannelDestroyed'));
    expect(events.filter((e) => e.type === 'Dial').map((e) => `${(e.peer as { id: string }).id}:${String(e.dialstatus)}`))
      .to.include.members(['busy-leg:BUSY', 'ok-leg:ANSWER']);
    expect(sim.channel('busy-leg')).to.equal(undefined);
    expect(sim.channel('ok-leg')?.state).to.equal('Up');
    ws.close();
  });

  it('pauseHttp: connections are accepted but nothing is answered until resumeHttp', async () => {
    sim.pauseHttp();
    const pending = rest(sim, 'GET', '/channels');
    const early = await Promise.race([pending.then(() => 'answered'), new Promise((r) => setTimeout(() => r('silent'), 200))]);
    expect(early).to.equal('silent');
    sim.resumeHttp();
    expect((await pending).status).to.equal(200);
  });

  it('dropWebSockets: channels survive, events of the gap are not replayed, emitRaw reaches the new socket', async () => {
    const first = await listen(sim);
    const call = sim.placeInboundCall({ callerNumber: '1', accessNumber: '2' });
    await until(() => first.events.length === 1);
    sim.dropWebSockets();
    await new Promise((r) => first.ws.once('close', r));
    await rest(sim, 'POST', `/channels/${call.channelId}/answer`);
    const second = await listen(sim);
    expect(sim.channel(call.channelId)?.state).to.equal('Up');
    sim.emitRaw({ type: 'SomethingNew' });
    await until(() => second.events.length === 1);
    expect(second.events).to.deep.equal([{ type: 'SomethingNew' }]);
    second.ws.close();
  });

  it('TIMEOUT(absolute) from the originate variables hangs the channel up when it elapses (speed-scaled)', async () => {
    const { ws, events } = await listen(sim);
    const started = Date.now();
    await rest(sim, 'POST', '/channels?endpoint=PJSIP/1@trunk&app=prepaid&channelId=leg', { variables: { 'TIMEOUT(absolute)': '3' } });
    await until(() => events.some((e) => e.type === 'ChannelDestroyed'), 3000);
    const elapsed = Date.now() - started;
    expect(elapsed).to.be.within(200, 2000); // 3 simulated seconds at speed 10
    expect(events.map((e) => e.type)).to.include.ordered.members(['Dial', 'ChannelStateChange', 'Dial', 'ChannelVarset', 'StasisStart', 'StasisEnd']);
    expect(events.at(-1)).to.deep.include({ type: 'ChannelDestroyed', cause: 0 });
    ws.close();
  });
});

describe('AriSimulator: a play racing a bridge teardown (play-right-after-bridge-destroy.jsonl)', () => {
  let sim: AriSimulator;
  beforeEach(async () => {
    // 3000 simulated ms = 300 ms of wall time between the DELETE's 204 and the member's ChannelLeftBridge: wide
    // enough that the GET and the play always fall inside it, even on a loaded machine.
    sim = new AriSimulator({ user: 'u', password: 'p', speed: 10, mediaDuration: () => 1000, bridgeTeardown_ms: 3000 });
    await sim.start();
  });
  afterEach(async () => {
    await sim.stop();
  });

  it('the DELETE answers first; ChannelLeftBridge follows; by default every tenth racing play is lost (201 "queued", never an event, 404 after), the others start once the channel has left', async () => {
    const { ws, events } = await listen(sim);
    const call = sim.placeInboundCall({ callerNumber: '5551000', accessNumber: '8005550100' });
    await rest(sim, 'POST', `/channels/${call.channelId}/answer`);
    const outcomes: string[] = [];
    for (let i = 1; i <= 10; i++) {
      const b = (await rest(sim, 'POST', `/bridges?type=mixing&bridgeId=race-${i}`)).body as { id: string };
      expect((await rest(sim, 'POST', `/bridges/${b.id}/addChannel?channel=${call.channelId}`)).status).to.equal(204);
      const from = events.length;
      expect((await rest(sim, 'DELETE', `/bridges/${b.id}`)).status).to.equal(204);
      expect((await rest(sim, 'GET', `/bridges/${b.id}`)).status, 'gone for REST at once').to.equal(404);
      const play = await rest(sim, 'POST', `/channels/${call.channelId}/play?media=sound:hello`);
      expect(play.status).to.equal(201);
      const pb = play.body as { id: string; state: string };
      expect(pb.state).to.equal('queued');
      await until(() => events.slice(from).some((e) => e.type === 'ChannelLeftBridge'));
      await new Promise((r) => setTimeout(r, 60));
      const after = events.slice(from).filter((e) => e.type === 'ChannelLeftBridge' || (e.type === 'PlaybackStarted' && (e.playback as { id: string }).id === pb.id));
      if (after.length === 2) {
        expect(after.map((e) => e.type), 'starts only after the channel has left').to.deep.equal(['ChannelLeftBridge', 'PlaybackStarted']);
        outcomes.push('started');
        await until(() => events.some((e) => e.type === 'PlaybackFinished' && (e.playback as { id: string }).id === pb.id), 3000);
      } else {
        expect((await rest(sim, 'GET', `/playbacks/${pb.id}`)).status).to.equal(404);
        expect((await rest(sim, 'DELETE', `/playbacks/${pb.id}`)).body).to.deep.equal({ message: 'Playback not found' });
        outcomes.push('lost');
      }
    }
    expect(outcomes).to.deep.equal([...Array<string>(9).fill('started'), 'lost']);
    expect(sim.records().filter((r) => r.kind === 'playback-lost')).to.have.length(1);
    // The channel is unharmed: the next play starts at once.
    const next = (await rest(sim, 'POST', `/channels/${call.channelId}/play?media=sound:goodbye`)).body as { id: string };
    await until(() => events.some((e) => e.type === 'PlaybackStarted' && (e.playback as { id: string }).id === next.id));
    ws.close();
  });

  it('a play after the ChannelLeftBridge does not race: never lost, whatever the rule', async () => {
    sim.setRacingPlayLost(() => true);
    const { ws, events } = await listen(sim);
    const call = sim.placeInboundCall({ callerNumber: '5551000', accessNumber: '8005550100' });
    await rest(sim, 'POST', `/channels/${call.channelId}/answer`);
    await rest(sim, 'POST', '/bridges?bridgeId=calm');
    await rest(sim, 'POST', `/bridges/calm/addChannel?channel=${call.channelId}`);
    await rest(sim, 'DELETE', '/bridges/calm');
    await until(() => events.some((e) => e.type === 'ChannelLeftBridge'));
    const pb = (await rest(sim, 'POST', `/channels/${call.channelId}/play?media=sound:hello`)).body as { id: string };
    await until(() => events.some((e) => e.type === 'PlaybackStarted' && (e.playback as { id: string }).id === pb.id));
    expect(sim.records().filter((r) => r.kind === 'playback-lost')).to.deep.equal([]);
    ws.close();
  });

  it('a Local channel originated with no app into a Stasis context is a caller: its ;2 half enters Stasis from the dialplan', async () => {
    sim.setFarEnd(() => farEnds.stasis());
    const { ws, events } = await listen(sim);
    const r = await rest(sim, 'POST', '/channels?endpoint=Local/18005550100@acc-access&context=pstn&extension=5551000&priority=1&callerId=%22Acc%20Caller%22%20%3C5551000%3E');
    expect(r.status).to.equal(200);
    await until(() => events.some((e) => e.type === 'StasisStart'));
    const start = events.find((e) => e.type === 'StasisStart') as { args: string[]; channel: { id: string; name: string; state: string; dialplan: Record<string, unknown> } };
    expect(start.args).to.deep.equal(['18005550100']);
    expect(start.channel.name).to.match(/^Local\/18005550100@acc-access-[0-9a-f]{8};2$/);
    expect(start.channel.dialplan).to.deep.include({ context: 'acc-access', exten: '18005550100', priority: 2, app_name: 'Stasis', app_data: 'prepaid,18005550100' });
    // Entered from the dialplan: a DELETE ends it with HangupRequest > StasisEnd and nothing more (unsubscribed).
    await rest(sim, 'DELETE', `/channels/${start.channel.id}`);
    await new Promise((res) => setTimeout(res, 50));
    expect(events.map((e) => e.type)).to.deep.equal(['StasisStart', 'ChannelHangupRequest', 'StasisEnd']);
    ws.close();
  });
});

describe('AriSimulator under sinon fake timers', () => {
  it('its timers (scripts, playbacks, dial timeouts) follow the fake clock', async () => {
    const sim = new AriSimulator({ user: 'u', password: 'p' });
    await sim.start();
    const ws = new WebSocket(`${sim.url.replace('http', 'ws')}/ari/events?app=prepaid`, { headers: AUTH });
    await new Promise((r) => ws.once('open', r));
    const clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], shouldAdvanceTime: false });
    try {
      const digits: string[] = [];
      sim.on('dtmf', (e: { digit: string }) => digits.push(e.digit));
      const call = sim.placeInboundCall({ callerNumber: '1', accessNumber: '2' });
      void call.sendDtmf('123', { duration_ms: 100, gap_ms: 60_000 });
      await clock.tickAsync(100);
      expect(digits).to.deep.equal(['1']);
      await clock.tickAsync(60_100);
      expect(digits).to.deep.equal(['1', '2']);
      await clock.tickAsync(60_100);
      expect(digits).to.deep.equal(['1', '2', '3']);
    } finally {
      clock.restore();
      ws.close();
      await sim.stop();
    }
  });
});
