import { expect } from 'chai';
import { effectiveEntries, listOf, parseConf, valueOf } from './conf-parser';
import { extenMatches, parseDialplan, route, splitArgs } from './dialplan';

describe('Asterisk config parser (the test tool itself)', () => {
  it('reads sections, templates, both assignment forms, comments and includes', () => {
    const conf = parseConf([
      '#include "extra.conf"',
      '; a comment',
      ';-- a block',
      'comment --;',
      '[tpl](!)',
      'allow = ulaw',
      '[one](tpl)   ; trailing comment',
      'allow => alaw,g722',
      'password = semi\\;colon ; comment',
      '[one](+)',
      'extra=1',
    ].join('\n'));
    expect(conf.errors).to.deep.equal([]);
    expect(conf.includes).to.deep.equal(['extra.conf']);
    expect(conf.sections.map((s) => [s.name, s.isTemplate, s.isAddition, s.inherits])).to.deep.equal([
      ['tpl', true, false, []],
      ['one', false, false, ['tpl']],
      ['one', false, true, []],
    ]);
    const one = conf.sections[1];
    if (!one) throw new Error('no section');
    const entries = effectiveEntries(conf, one);
    expect(listOf(entries, 'allow')).to.deep.equal(['ulaw', 'alaw', 'g722']);
    expect(valueOf(entries, 'password')).to.equal('semi;colon');
    expect(one.entries[0]?.arrow).to.equal(true);
  });

  it('treats ";---" as a line comment and nests ";-- --;" blocks, as Asterisk does', () => {
    const conf = parseConf('[s]\n;------ a ruler\na=1\n;-- outer ;-- inner --; still out --;\nb=2\n;--\nc=3\n--;');
    expect(conf.errors).to.deep.equal([]);
    expect(conf.sections[0]?.entries.map((e) => e.key)).to.deep.equal(['a', 'b']);
  });

  const bad: [string, string][] = [
    ['a bare word', '[s]\nfoo'],
    ['an unclosed section', '[s'],
    ['text after a section', '[s] x'],
    ['an empty section name', '[]'],
    ['a bad template option', '[s](a b)'],
    ['a key without a section', 'key = value'],
    ['a missing key', '[s]\n= value'],
    ['an unknown directive', '#import x'],
    ['an unclosed block comment', '[s]\n;-- never closed'],
  ];
  for (const [name, text] of bad) {
    it(`fails on ${name}`, () => expect(parseConf(text).errors).to.have.length.greaterThan(0));
  }

  it('throws on a template that is not defined above its use', () => {
    const conf = parseConf('[a](later)\nx=1\n[later](!)\ny=2');
    const a = conf.sections[0];
    if (!a) throw new Error('no section');
    expect(() => effectiveEntries(conf, a)).to.throw(/later/);
  });

  it('reads dialplan steps and fails on malformed ones', () => {
    const good = parseDialplan(parseConf('[c]\nexten => _X.,1,NoOp(x)\n same => n(l),Goto(d,${EXTEN},1)\n[d]\nexten => 5,1,Hangup()'));
    expect(good.errors).to.deep.equal([]);
    expect(route(good, 'c', '42')).to.equal(null); // d has no extension 42
    const cases = [
      '[c]\nsame => n,Hangup()',
      '[c]\nexten => 1,1',
      '[c]\nexten => 1,1,Hangup(',
      '[c]\nexten => 1,1,Hangpu()',
      '[c]\nexten => 1,2,Hangup()',
      '[c]\nexten => 1 2,1,Hangup()',
      '[c]\nfoo => bar',
    ];
    for (const text of cases) expect(parseDialplan(parseConf(text)).errors, text).to.have.length.greaterThan(0);
  });

  it('matches extensions like Asterisk', () => {
    const table: [string, string, boolean][] = [
      ['8000', '8000', true],
      ['_X.', '15551230000', true],
      ['_X.', '5', false],
      ['_[+0-9].', '+15551230000', true],
      ['_[+0-9].', 's', false],
      ['_1XXX', '1001', true],
      ['_1XXX', '10011', false],
      ['_NXX', '199', false],
      ['_+X.', '+44', true],
    ];
    for (const [exten, dialled, expected] of table) expect(extenMatches(exten, dialled), `${exten} ~ ${dialled}`).to.equal(expected);
  });

  it('splits arguments on top-level commas only', () => {
    expect(splitArgs('a,$["${X}" = "1"]?y,${EXTEN:1}')).to.deep.equal(['a', '$["${X}" = "1"]?y', '${EXTEN:1}']);
    expect(splitArgs('a(b')).to.equal(null);
  });
});
