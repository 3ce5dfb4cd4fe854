import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { parse } from 'csv-parse/sync';
import { callIdsNamedBy, legRole, talkSeconds } from '../../billing/calls/cdr/cdr-match';
import type { CdrRow } from '../../billing/calls/cdr/cdr-row';
import { CDR_CSV_COLUMNS, CDR_CUSTOM_COLUMNS, parseCdrLine } from '../../billing/calls/cdr/cdr-row';
import { ASTERISK_CONFIG_DIR } from '../asterisk-config/config-files';
import type { CdrCustomFields } from '../support/cdr-samples';
import { cdrCustomLine, requireCdrSamples, sampleCalls, sampleLines, sharedCdrDir } from '../support/cdr-samples';

const SKIP = sharedCdrDir() ? '' : ' (real-sample checks SKIPPED: ../shared/asterisk-ari/cdr not found)';

function parsed(line: string): CdrRow {
  const p = parseCdrLine(line);
  if (!p.ok) throw new Error(`${p.reason}: ${line}`);
  return p.row;
}

/** The CDR(x) names of a cdr_custom mapping line, in order. */
function mappingColumns(confText: string): string[] {
  const line = confText.split('\n').find((l) => l.startsWith('prepaid-cdr.csv =>'));
  if (!line) throw new Error('no prepaid-cdr.csv mapping');
  return [...line.matchAll(/\$\{CDR\((\w+)(,f)?\)\}/g)].map((m) => (m[2] ? `${m[1]}_f` : (m[1] as string)));
}

describe(`CDR rows as Asterisk 22 really writes them${SKIP}`, () => {
  it('the shipped cdr_custom.conf maps exactly the columns the parser reads, and is the mapping the samples were recorded with', function () {
    const shipped = readFileSync(path.join(ASTERISK_CONFIG_DIR, 'cdr_custom.conf'), 'utf8');
    expect(mappingColumns(shipped)).to.deep.equal([...CDR_CUSTOM_COLUMNS]);
    const dir = requireCdrSamples(this);
    const recorded = readFileSync(path.join(dir, 'config', 'cdr_custom.conf'), 'utf8');
    const mapping = (t: string) => t.split('\n').find((l) => l.startsWith('prepaid-cdr.csv =>'));
    expect(mapping(shipped)).to.equal(mapping(recorded));
  });

  it('cdr_custom: every real row parses, field for field as csv-parse splits it', function () {
    const dir = requireCdrSamples(this);
    const lines = sampleLines(dir, 'cdr-custom/prepaid-cdr.csv');
    expect(lines).to.have.length(20);
    for (const line of lines) {
      const row = parsed(line);
      expect(row.format).to.equal('custom');
      const raw = (parse(line) as string[][])[0] as string[];
      CDR_CUSTOM_COLUMNS.forEach((c, i) => {
        const v = row[c as keyof CdrRow];
        expect(typeof v === 'number' ? v : String(v), `${c} of ${line}`).to.equal(typeof v === 'number' ? Number(raw[i]) : raw[i]);
      });
    }
  });

  it('the test writer of cdr_custom lines reproduces every real row byte for byte', function () {
    const dir = requireCdrSamples(this);
    for (const line of sampleLines(dir, 'cdr-custom/prepaid-cdr.csv')) {
      const raw = (parse(line) as string[][])[0] as string[];
      const fields = Object.fromEntries(CDR_CUSTOM_COLUMNS.map((c, i) => [c, raw[i] ?? ''])) as CdrCustomFields;
      expect(cdrCustomLine(fields)).to.equal(line);
    }
  });

  it('cdr_csv Master.csv (loguniqueid, loguserfield): every real row parses and agrees with the cdr_custom row of the same channel', function () {
    const dir = requireCdrSamples(this);
    const custom = new Map(sampleLines(dir, 'cdr-custom/prepaid-cdr.csv').map(parsed).map((r) => [r.uniqueid, r]));
    const master = sampleLines(dir, 'cdr-csv/Master.csv').map(parsed);
    expect(master).to.have.length(20);
    for (const r of master) {
      expect(r.format).to.equal('csv');
      const c = custom.get(r.uniqueid);
      expect(c, r.uniqueid).to.not.equal(undefined);
      for (const k of ['start', 'answer', 'end', 'duration', 'billsec', 'disposition', 'channel', 'dstchannel', 'lastapp', 'lastdata', 'userfield', 'accountcode', 'src', 'dst', 'dcontext', 'clid', 'amaflags'] as const) {
        expect(r[k], `${k} of ${r.uniqueid}`).to.equal(c?.[k]);
      }
      expect([r.linkedid, r.peeraccount, r.sequence, r.billsec_f]).to.deep.equal([null, null, null, null]);
    }
  });

  it('cdr_csv per-account-code files hold that account code\'s rows, in the same format', function () {
    const dir = requireCdrSamples(this);
    const files = readdirSync(path.join(dir, 'cdr-csv')).filter((f) => f !== 'Master.csv');
    expect(files.length).to.be.greaterThan(0);
    for (const f of files) {
      for (const line of sampleLines(dir, `cdr-csv/${f}`)) expect(parsed(line).accountcode).to.equal(f.replace(/\.csv$/, ''));
    }
  });

  it('ties each answered call to its outbound row and its bridged row, and the talk time is within a second of the far end\'s', function () {
    const dir = requireCdrSamples(this);
    const rows = sampleLines(dir, 'cdr-custom/prepaid-cdr.csv').map(parsed);
    const answered = sampleCalls(dir).filter((c) => c.answered);
    expect(answered.map((c) => c.scenario)).to.deep.equal(['i', 'ii', 'iv', 'v']);
    for (const call of answered) {
      // The product's keys: its caller channel and its outbound leg (the product names the leg `<call id>-out`; here the harness did not).
      const keys = { id: call.call_id, channel_id: call.caller_uniqueid, outbound_channel_id: call.outbound_uniqueid };
      const mine = rows.filter((r) => callIdsNamedBy(r).includes(call.call_id));
      const roles = rows.map((r) => legRole(r, keys)).filter((x) => x !== null);
      expect(roles.sort(), call.scenario).to.deep.equal(['bridged', 'outbound']);
      expect(mine.length, `rows naming ${call.call_id}`).to.equal(2);
      const out = rows.find((r) => legRole(r, keys) === 'outbound') as CdrRow;
      const br = rows.find((r) => legRole(r, keys) === 'bridged') as CdrRow;
      expect(out.billsec, 'the outbound row ends when it enters the bridge').to.equal(0);
      const talk = talkSeconds({ answer_text: out.answer }, { end_text: br.end });
      expect(Math.abs((talk ?? -99) - (call.talk_ms ?? 0) / 1000), `${call.scenario}: CDR ${talk} s vs measured ${call.talk_ms} ms`).to.be.below(1);
    }
  });

  it('the busy call has no row naming it (the leg never answered, so the IVR never named it)', function () {
    const dir = requireCdrSamples(this);
    const busy = sampleCalls(dir).find((c) => !c.answered);
    expect(busy?.scenario).to.equal('iii');
    const rows = sampleLines(dir, 'cdr-custom/prepaid-cdr.csv').map(parsed);
    expect(rows.filter((r) => callIdsNamedBy(r).includes(busy?.call_id ?? '?'))).to.deep.equal([]);
  });
});

describe('CDR lines that are not CDRs: a clear reason each', () => {
  const good = cdrCustomLine({
    start: '2026-11-29 08:33:27', answer: '2026-11-29 08:33:28', end: '2026-11-29 08:33:28', duration: '1', billsec: '0', billsec_f: '0.008169',
    disposition: 'ANSWERED', src: '5552000', dst: '12125550001', dcontext: 'acc-pstn', channel: 'PJSIP/trunk-00000001', dstchannel: '',
    lastapp: 'Stasis', lastdata: 'prepaid,outbound,ivr-1,en', uniqueid: 'ivr-1-out', linkedid: '1795941207.40', accountcode: '',
    peeraccount: '', userfield: 'ivr-1', amaflags: 'DOCUMENTATION', sequence: '22', clid: '"Prepaid" <5552000>',
  });

  it('parses a well-formed line (a quote inside clid included)', () => {
    const row = parsed(good);
    expect(row).to.include({ uniqueid: 'ivr-1-out', clid: '"Prepaid" <5552000>', sequence: 22, billsec_f: 0.008169 });
    expect(callIdsNamedBy(row)).to.have.members(['ivr-1']);
  });

  const cases: Array<[string, string, RegExp]> = [
    ['a header line', CDR_CUSTOM_COLUMNS.join(','), /start: expected YYYY-MM-DD HH:MM:SS/],
    ['the wrong number of columns', '"a","b","c"', new RegExp(`expected ${CDR_CUSTOM_COLUMNS.length} columns .* or ${CDR_CSV_COLUMNS.length} .* found 3`)],
    ['a broken quote', '"2026-11-29 08:33:27,"x', /not CSV as Asterisk writes it/],
    ['a time in another format', good.replace('"2026-11-29 08:33:27"', '"29/11/2026 08:33:27"'), /start: expected YYYY-MM-DD HH:MM:SS, found "29\/11\/2026 08:33:27"/],
    ['a non-numeric billsec', good.replace('"0","0.008169"', '"x","0.008169"'), /billsec: expected whole seconds, found "x"/],
    ['no uniqueid', good.replace('"ivr-1-out"', '""'), /uniqueid: empty/],
  ];
  for (const [what, line, reason] of cases) {
    it(`rejects ${what}`, () => {
      const p = parseCdrLine(line);
      expect(p.ok).to.equal(false);
      if (!p.ok) expect(p.reason).to.match(reason);
    });
  }

  it('a bridged row naming another call of the same caller is not this call\'s (the caller may place several calls)', () => {
    const row = parsed(good.replace('prepaid,outbound,ivr-1,en', 'prepaid,access,8000').replace('"ivr-1-out"', '"caller-1"').replace('""', '"PJSIP/trunk-00000002"').replace('"ivr-1","DOCUMENTATION"', '";ivr-2","DOCUMENTATION"'));
    expect(row.dstchannel).to.equal('PJSIP/trunk-00000002');
    expect(legRole(row, { id: 'ivr-1', channel_id: 'caller-1', outbound_channel_id: 'ivr-1-out' })).to.equal(null);
    expect(legRole(row, { id: 'ivr-2', channel_id: 'caller-1', outbound_channel_id: 'ivr-2-out' })).to.equal('bridged');
  });
});
