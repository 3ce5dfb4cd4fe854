import net from 'node:net';
import { expect } from 'chai';
import WebSocket from 'ws';
import { AriSimulator } from '../../../ivr/sim/ari-simulator';

const AUTH = `Basic ${Buffer.from('u:p').toString('base64')}`;

/** A raw connection: what it received, and whether the server closed it. */
async function connect(url: string): Promise<{ socket: net.Socket; received: () => string; closed: Promise<void> }> {
  const { hostname, port } = new URL(url);
  const socket = net.connect(Number(port), hostname);
  let data = '';
  socket.on('data', (d) => { data += d.toString('latin1'); });
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise<void>((resolve, reject) => { socket.once('connect', resolve); socket.once('error', reject); });
  return { socket, received: () => data, closed };
}

const request = (path: string) => `GET /ari${path} HTTP/1.1\r\nHost: sim\r\nAuthorization: ${AUTH}\r\n\r\n`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Asterisk's HTTP server (main/http.c): at most `sessionlimit` connections at once, WebSockets included,
 * and a connection beyond it closed before anything is read; an idle kept-alive connection closed after
 * `session_keep_alive` ms.
 */
describe('AriSimulator HTTP sessions, as Asterisk serves them', () => {
  let sim: AriSimulator;
  afterEach(async () => { await sim.stop(); });

  it('closes a connection beyond the session limit unanswered, counting the event WebSocket, and serves again once one closes', async () => {
    sim = new AriSimulator({ user: 'u', password: 'p', sessionLimit: 3 });
    const url = await sim.start();
    const ws = new WebSocket(`${url.replace('http', 'ws')}/ari/events?app=prepaid`, { headers: { Authorization: AUTH } });
    await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
    const a = await connect(url);
    const b = await connect(url);
    const c = await connect(url);
    c.socket.write(request('/channels'));
    await c.closed;
    expect(c.received(), 'nothing is answered beyond the limit').to.equal('');
    a.socket.write(request('/channels'));
    await until(() => a.received().includes('\r\n\r\n[]'));
    expect(a.received()).to.match(/^HTTP\/1\.1 200 /);
    expect(sim.httpSessions()).to.include({ open: 3, peak: 3, refused: 1 });

    b.socket.destroy();
    await until(() => sim.httpSessions().open === 2);
    const d = await connect(url);
    d.socket.write(request('/channels'));
    await until(() => d.received().includes('\r\n\r\n[]'));
    ws.terminate();
    a.socket.destroy();
    d.socket.destroy();
  });

  it('keeps an idle connection open between requests for session_keep_alive, then closes it', async () => {
    sim = new AriSimulator({ user: 'u', password: 'p', sessionKeepAlive_ms: 1500 });
    const url = await sim.start();
    const a = await connect(url);
    const answers = () => a.received().match(/HTTP\/1\.1 200 /g)?.length ?? 0;
    a.socket.write(request('/channels'));
    await until(() => answers() === 1);
    await sleep(1000);
    a.socket.write(request('/bridges'));
    await until(() => answers() === 2);
    const t0 = Date.now();
    await a.closed;
    expect(Date.now() - t0, 'ms from the last answer to the close').to.be.within(1300, 2200);
  });

  it('defaults to Asterisk\'s limit of 100 sessions', async () => {
    sim = new AriSimulator({ user: 'u', password: 'p' });
    const url = await sim.start();
    const sockets = await Promise.all(Array.from({ length: 101 }, () => connect(url)));
    await until(() => sim.httpSessions().refused === 1);
    expect(sim.httpSessions()).to.include({ open: 100, peak: 100 });
    for (const s of sockets) s.socket.destroy();
  });
});

async function until(cond: () => boolean, timeout_ms = 2000): Promise<void> {
  const end = Date.now() + timeout_ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(5);
  }
}
