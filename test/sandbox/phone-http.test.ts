import { expect } from 'chai';
import { demoCardNumber, demoCardPin } from '../../sandbox/demo/demo-secrets';
import type { PhoneEvent } from '../../sandbox/phone/phone-events';
import { eventually, startPhone } from './support/phone-harness';
import type { RunningPhone } from './support/phone-harness';

/** Reads a Server-Sent Events stream into a list, until closed. */
function follow(url: string): { events: PhoneEvent[]; close(): void } {
  const events: PhoneEvent[] = [];
  const ac = new AbortController();
  void (async () => {
    const res = await fetch(url, { signal: ac.signal });
    let buf = '';
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buf += Buffer.from(chunk).toString('utf8');
      let i: number;
      while ((i = buf.indexOf('\n\n')) !== -1) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const data = block.split('\n').find((l) => l.startsWith('data: '));
        if (data) events.push(JSON.parse(data.slice(6)) as PhoneEvent);
      }
    }
  })().catch(() => undefined);
  return { events, close: () => ac.abort() };
}

const JSON_HEADERS = { 'Content-Type': 'application/json' };

describe('sandbox web phone over HTTP (simulator + scripted IVR)', function () {
  this.timeout(30_000);
  let phone: RunningPhone;
  before(async () => { phone = await startPhone(); });
  after(async () => { await phone?.stop(); });

  const post = (path: string, body: unknown, headers: Record<string, string> = JSON_HEADERS) =>
    fetch(phone.url + path, { method: 'POST', headers, body: JSON.stringify(body) });

  it('serves the page with a CSP that allows only its own script and media, and shows the demo cards', async () => {
    const res = await fetch(`${phone.url}/phone`);
    expect(res.status).to.equal(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).to.contain("script-src 'self'").and.to.contain("media-src 'self'").and.to.contain("default-src 'none'");
    expect(csp).not.to.contain('unsafe-inline');
    const body = await res.text();
    expect(body).to.contain('SANDBOX').and.to.contain('/phone/assets/phone.js');
    expect(body).not.to.match(/<script>/);
    const number = demoCardNumber(phone.config.secretKey, 0, phone.billing.policy.issuer_prefix);
    expect(body.replace(/ /g, '')).to.contain(number);
    expect(body).to.contain(demoCardPin(phone.config.secretKey, 0, phone.billing.policy.pin_length));
    for (const suffix of ['0002', '0003', '0004', '0005']) expect(body).to.contain(`…${suffix}`);
    const js = await fetch(`${phone.url}/phone/assets/phone.js`);
    expect(js.status).to.equal(200);
    expect(js.headers.get('content-type')).to.match(/javascript/);
  });

  const soundCases: Array<[string, number]> = [
    ['/phone/sounds/en/enter_pin.wav', 200],
    ['/phone/sounds/es/enter_pin.wav', 200],
    ['/phone/sounds/en/enter_pin.mp3', 404],
    ['/phone/sounds/fr/enter_pin.wav', 404],
    ['/phone/sounds/en/not_a_prompt.wav', 404],
    ['/phone/sounds/en/..%2F..%2Fpackage.json', 404],
    ['/phone/sounds/..%2F..%2Fpackage.json/x.wav', 404],
    ['/phone/sounds/en/%2e%2e%2fmanifest.wav', 404],
    ['/phone/sounds/en/manifest.wav', 404],
    ['/phone/assets/../mount.ts', 404],
  ];
  for (const [path, status] of soundCases) {
    it(`GET ${path} → ${status}`, async () => {
      const res = await fetch(phone.url + path);
      expect(res.status).to.equal(status);
      if (status === 200) {
        expect(res.headers.get('content-type')).to.equal('audio/wav');
        const bytes = Buffer.from(await res.arrayBuffer());
        expect(bytes.toString('ascii', 0, 4)).to.equal('RIFF');
      } else {
        expect(await res.text()).not.to.contain('"name"');
      }
    });
  }

  const refusals: Array<[string, () => Promise<Response>, number]> = [
    ['a form post (not JSON)', () => fetch(`${phone.url}/phone/calls`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'caller_number=123' }), 403],
    ['a cross-site origin', () => post('/phone/calls', { caller_number: '+15550100' }, { ...JSON_HEADERS, Origin: 'https://evil.example' }), 403],
    ['a cross-site fetch', () => post('/phone/calls', { caller_number: '+15550100' }, { ...JSON_HEADERS, 'Sec-Fetch-Site': 'cross-site' }), 403],
    ['a bad caller number', () => post('/phone/calls', { caller_number: '12; DROP' }), 400],
    ['an extra field', () => post('/phone/calls', { caller_number: '+15550100', access_number: '1' }), 400],
    ['digits for an unknown call', () => post('/phone/calls/AAAAAAAAAAAAAAAAAAAAAAAA/digits', { digits: '1' }), 404],
  ];
  for (const [what, send, status] of refusals) {
    it(`refuses ${what} (${status}) and places no call`, async () => {
      const before = phone.sim.channels().length;
      const res = await send();
      expect(res.status).to.equal(status);
      expect(phone.sim.channels().length).to.equal(before);
    });
  }

  it('places a call, streams prompts in order, relays digits, follows the leg and ends on hang-up', async () => {
    const placed = await post('/phone/calls', { caller_number: '+15550177' });
    expect(placed.status).to.equal(201);
    const { id, events: path } = (await placed.json()) as { id: string; events: string };
    const stream = follow(phone.url + path);
    try {
      const prompts = () => stream.events.filter((e) => e.type === 'prompt').map((e) => (e as { id: string }).id);
      await eventually(() => prompts().includes('enter_card_number'), 'card number prompt');
      expect(prompts().slice(0, 2)).to.deep.equal(['welcome', 'enter_card_number']);
      const first = stream.events.find((e) => e.type === 'prompt') as Extract<PhoneEvent, { type: 'prompt' }>;
      expect(first.url).to.equal('/phone/sounds/en/welcome.wav');
      expect(first.text).to.match(/welcome/i);

      const bad = await post(`/phone/calls/${id}/digits`, { digits: '12a' });
      expect(bad.status).to.equal(400);
      const number = demoCardNumber(phone.config.secretKey, 1, phone.billing.policy.issuer_prefix);
      expect((await post(`/phone/calls/${id}/digits`, { digits: `${number}#` })).status).to.equal(202);
      await eventually(() => prompts().includes('enter_pin'), 'PIN prompt');
      await post(`/phone/calls/${id}/digits`, { digits: '1234#' });
      await eventually(() => prompts().includes('enter_destination'), 'destination prompt');
      expect(prompts().slice(-4)).to.deep.equal(['you_have', 'num_10', 'unit_usd_major_many', 'enter_destination']);
      const digits = stream.events.filter((e) => e.type === 'dtmf').map((e) => (e as { digit: string }).digit).join('');
      expect(digits).to.equal(`${number}#1234#`);

      await post(`/phone/calls/${id}/digits`, { digits: '12125550123#' });
      await eventually(() => stream.events.some((e) => e.type === 'leg' && e.state === 'connected'), 'leg connected');
      const legStates = stream.events.filter((e) => e.type === 'leg').map((e) => (e as { state: string }).state);
      expect(legStates).to.deep.equal(['dialling', 'ringing', 'connected']);

      expect((await post(`/phone/calls/${id}/hangup`, {})).status).to.equal(202);
      await eventually(() => stream.events.some((e) => e.type === 'ended'), 'ended');
      const ended = stream.events.find((e) => e.type === 'ended') as Extract<PhoneEvent, { type: 'ended' }>;
      expect(ended.by).to.equal('caller');
      await eventually(() => stream.events.some((e) => e.type === 'leg' && e.state === 'ended'), 'leg ended');
      await eventually(() => phone.sim.channels().length === 0, 'every channel gone');
      expect((await post(`/phone/calls/${id}/digits`, { digits: '1' })).status).to.equal(409);
    } finally {
      stream.close();
    }
  });

  const outcomes: Array<[string, string]> = [['12125550002', 'busy'], ['12125550004', 'network congestion'], ['12125550003', 'no answer']];
  for (const [dialled, outcome] of outcomes) {
    it(`a number ending ${dialled.slice(-4)} gives "${outcome}"`, async () => {
      const { id, events: path } = (await (await post('/phone/calls', { caller_number: '+15550178' })).json()) as { id: string; events: string };
      const stream = follow(phone.url + path);
      try {
        await eventually(() => stream.events.some((e) => e.type === 'prompt' && e.id === 'enter_card_number'), 'answered');
        await post(`/phone/calls/${id}/digits`, { digits: `1#1234#${dialled}#` });
        const end = await eventually(() => stream.events.find((e) => e.type === 'leg' && e.state === 'ended'), 'leg ended', 15_000);
        expect(end).to.deep.include({ outcome });
        expect(stream.events.some((e) => e.type === 'leg' && e.state === 'connected')).to.equal(false);
      } finally {
        await post(`/phone/calls/${id}/hangup`, {});
        stream.close();
      }
    });
  }

  it('gives every visit its own caller number (one visitor\'s PIN-less registration cannot log others in)', async () => {
    const numbers = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const html = await (await fetch(`${phone.url}/phone`)).text();
      const m = /id="caller"[^>]*value="(\+1555\d{7})"/.exec(html);
      expect(m, 'caller field with a number').to.not.equal(null);
      numbers.add(m?.[1] ?? '');
    }
    expect(numbers.size).to.be.greaterThan(1);
  });

  it('bounds the keypad digits queued on one call (429 past the bound)', async () => {
    const placed = await post('/phone/calls', { caller_number: '+15550178' });
    const { id } = (await placed.json()) as { id: string };
    const answers: number[] = [];
    for (let i = 0; i < 5; i++) answers.push((await post(`/phone/calls/${id}/digits`, { digits: '1234567890123456' })).status);
    expect(answers.slice(0, 4)).to.deep.equal([202, 202, 202, 202]);
    expect(answers[4]).to.equal(429);
    await post(`/phone/calls/${id}/hangup`, {});
  });

  it('a digit during a prompt cuts it short (barge-in): the browser is told to stop it', async () => {
    const { id, events: path } = (await (await post('/phone/calls', { caller_number: '+15550179' })).json()) as { id: string; events: string };
    const stream = follow(phone.url + path);
    try {
      await eventually(() => stream.events.some((e) => e.type === 'prompt' && e.id === 'welcome'), 'welcome');
      await post(`/phone/calls/${id}/digits`, { digits: '1' });
      const cut = await eventually(() => stream.events.find((e) => e.type === 'prompt-cut'), 'prompt-cut');
      const welcome = stream.events.find((e) => e.type === 'prompt' && e.id === 'welcome') as Extract<PhoneEvent, { type: 'prompt' }>;
      expect((cut as { key: string }).key).to.equal(welcome.key);
    } finally {
      await post(`/phone/calls/${id}/hangup`, {});
      stream.close();
    }
  });
});
