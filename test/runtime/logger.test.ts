import { PassThrough } from 'node:stream';
import { expect } from 'chai';
import { createLogger } from '../../app/logger';
import { redactString } from '../../app/redact';

/** The JSON lines of app/logger.ts, as an operator's log shipper parses them. */
describe('logger (pino adapter)', () => {
  async function lines(write: (logger: ReturnType<typeof createLogger>) => void): Promise<string[]> {
    const stream = new PassThrough();
    let text = '';
    stream.on('data', (c: Buffer) => { text += c.toString('utf8'); });
    write(createLogger('debug', stream));
    await new Promise((r) => setImmediate(r));
    return text.trim().split('\n');
  }

  it('writes one JSON object per line: level, timestamp, the fields, message', async () => {
    const [line] = await lines((l) => l.info('request', { status: 201, route: '/v1/authorizations' }));
    const o = JSON.parse(line!) as Record<string, unknown>;
    expect(o).to.include({ level: 'info', message: 'request', status: 201, route: '/v1/authorizations' });
    expect(new Date(String(o.timestamp)).toISOString()).to.equal(o.timestamp);
  });

  it('a field set again (by a child of a child, or by the line) appears once, with the innermost value', async () => {
    const out = await lines((l) => {
      const ivr = l.child({ component: 'ivr', node: 'n1' });
      ivr.child({ component: 'ari' }).info('connected');
      ivr.warn('late', { node: 'n2', left_s: 3 });
      ivr.debug('plain');
    });
    const keyCounts = out.map((line) => (line.match(/"(component|node)":/g) ?? []).length);
    expect(keyCounts).to.deep.equal([2, 2, 2]);
    expect(out.map((line) => JSON.parse(line) as Record<string, unknown>).map((o) => [o.component, o.node, o.level])).to.deep.equal([
      ['ari', 'n1', 'info'], ['ivr', 'n2', 'warn'], ['ivr', 'n1', 'debug'],
    ]);
  });

  it('drops what is below its level', async () => {
    const stream = new PassThrough();
    let text = '';
    stream.on('data', (c: Buffer) => { text += c.toString('utf8'); });
    const l = createLogger('warn', stream);
    l.info('hidden');
    l.child({ a: 1 }).debug('hidden too');
    l.error('shown');
    await new Promise((r) => setImmediate(r));
    expect(text.trim().split('\n').map((x) => (JSON.parse(x) as { message: string }).message)).to.deep.equal(['shown']);
  });
});

describe('masking what is logged (app/redact.ts)', () => {
  it('masks API keys, Bearer tokens and card numbers wherever they stand in a string, and leaves the rest as it was', () => {
    const cases: Array<[string, string]> = [
      ['key sk_live_AbC123xyz_-9 used', 'key sk_[redacted] used'],
      ['Authorization: Bearer sk_live_AbC123xyz9, then', 'Authorization: Bearer [redacted] then'],
      ['bearer abc.def', 'bearer [redacted]'],
      ['card 7000 0000 0000 1234 and 7000-0000-0000-5678, 700000000009', 'card [card …1234] and [card …5678], [card …0009]'],
      ['"Bearer tok" then card 4111111111111111', '"Bearer [redacted]" then card [card …1111]'],
      ['hold_AbCdEfGh 201 in 3 ms at 1796043202056', 'hold_AbCdEfGh 201 in 3 ms at [card …2056]'], // 13 digits: a time, masked as a card number could be
      ['sk_short stays, 12345678901 stays', 'sk_short stays, 12345678901 stays'],
    ];
    for (const [input, masked] of cases) expect(redactString(input), input).to.equal(masked);
  });
});
