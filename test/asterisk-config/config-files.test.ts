import { expect } from 'chai';
import { basename } from 'node:path';
import { DEFAULT_MAX_REQUESTS_IN_FLIGHT } from '../../ivr/ari/ari-telephony';
import { formatErrors, listOf, objects, parseConf, sectionsNamed, valueOf } from './conf-parser';
import type { ConfFile } from './conf-parser';
import { ASTERISK_CONFIG_DIR, confFiles, loadConf, readConfText } from './config-files';

function general(conf: ConfFile, name = 'general') {
  const sections = sectionsNamed(conf, name);
  expect(sections, `[${name}]`).to.have.length(1);
  return sections[0]?.entries ?? [];
}

describe('asterisk-config/ and dialplan/: every file', () => {
  it('ships the files a stock Asterisk needs', () => {
    expect(confFiles().map((f) => basename(f)).sort()).to.include.members([
      'ari.conf', 'extensions.conf', 'http.conf', 'modules.conf', 'pjsip.conf', 'rtp.conf',
    ]);
  });

  for (const file of confFiles()) {
    it(`${basename(file)}: every line parses, with no #include of files we do not ship`, () => {
      const conf = parseConf(readConfText(file));
      expect(formatErrors(basename(file), conf.errors)).to.deep.equal([]);
      expect(conf.includes).to.deep.equal([]);
      expect(conf.sections.length).to.be.greaterThan(0);
    });
  }
});

describe('http.conf', () => {
  const entries = general(loadConf(ASTERISK_CONFIG_DIR, 'http.conf'));

  it('serves HTTP on loopback port 8088 only (ARI_URL=http://127.0.0.1:8088)', () => {
    expect(valueOf(entries, 'enabled')).to.equal('yes');
    expect(valueOf(entries, 'bindaddr')).to.be.oneOf(['127.0.0.1', '::1']);
    expect(valueOf(entries, 'bindport')).to.equal('8088');
    expect(valueOf(entries, 'tlsenable') ?? 'no').to.equal('no');
  });

  it('takes more HTTP sessions at once than the IVR opens by default (its ARI requests in flight + the event WebSocket)', () => {
    expect(Number(valueOf(entries, 'sessionlimit') ?? 100)).to.be.greaterThan(DEFAULT_MAX_REQUESTS_IN_FLIGHT + 1);
  });
});

describe('ari.conf', () => {
  const conf = loadConf(ASTERISK_CONFIG_DIR, 'ari.conf');

  it('enables ARI', () => expect(valueOf(general(conf), 'enabled')).to.equal('yes'));

  it('has a read-write user "prepaid" whose password is a placeholder marked to change', () => {
    const users = objects(conf).filter((o) => o.type === 'user');
    expect(users.map((u) => u.name)).to.deep.equal(['prepaid']);
    const user = users[0]?.entries ?? [];
    expect(valueOf(user, 'read_only')).to.equal('no');
    expect(valueOf(user, 'password_format')).to.be.oneOf(['plain', 'crypt']);
    expect(valueOf(user, 'password')).to.match(/^CHANGE_ME/);
  });

  it('has only known section types', () => {
    for (const o of objects(conf).filter((x) => x.name !== 'general')) expect(o.type, o.name).to.be.oneOf(['user', 'outbound-websocket']);
  });
});

describe('modules.conf', () => {
  const entries = general(loadConf(ASTERISK_CONFIG_DIR, 'modules.conf'), 'modules');
  const required = [...listOf(entries, 'require'), ...listOf(entries, 'preload-require')];
  const noload = listOf(entries, 'noload');

  it('autoloads and requires what ARI, Stasis, PJSIP and the prompts need', () => {
    expect(valueOf(entries, 'autoload')).to.equal('yes');
    expect(required).to.include.members([
      'res_http_websocket.so', 'res_stasis.so', 'app_stasis.so', 'res_ari.so', 'res_ari_channels.so',
      'res_ari_bridges.so', 'res_ari_playbacks.so', 'res_ari_events.so', 'res_pjsip.so', 'chan_pjsip.so',
      'res_pjsip_outbound_registration.so', 'codec_ulaw.so', 'format_wav.so', 'pbx_config.so', 'app_dial.so',
    ]);
  });

  it('does not switch off anything it requires, and names modules as <name>.so', () => {
    expect(required.filter((m) => noload.includes(m))).to.deep.equal([]);
    for (const e of entries) {
      expect(e.key, `line ${e.line}`).to.be.oneOf(['autoload', 'preload', 'load', 'noload', 'require', 'preload-require']);
      if (e.key !== 'autoload') expect(e.value, `line ${e.line}`).to.match(/^[a-z0-9_]+\.so$/);
    }
  });
});

describe('cdr.conf and cdr_custom.conf (billing calls that end while the IVR is away)', () => {
  it('CDRs on, written as each channel goes; cdr_custom loaded and never switched off; cdr_csv rows importable too', () => {
    const cdr = loadConf(ASTERISK_CONFIG_DIR, 'cdr.conf');
    const g = general(cdr);
    expect(valueOf(g, 'enable')).to.equal('yes');
    expect(valueOf(g, 'batch')).to.equal('no');
    const csv = general(cdr, 'csv');
    expect([valueOf(csv, 'loguniqueid'), valueOf(csv, 'loguserfield')]).to.deep.equal(['yes', 'yes']);
    const modules = general(loadConf(ASTERISK_CONFIG_DIR, 'modules.conf'), 'modules');
    expect(listOf(modules, 'noload')).to.not.include.members(['cdr_custom.so']);
    expect(listOf(modules, 'load')).to.include('cdr_custom.so');
    const mappings = general(loadConf(ASTERISK_CONFIG_DIR, 'cdr_custom.conf'), 'mappings');
    expect(mappings.map((e) => [e.key, e.arrow])).to.deep.equal([['prepaid-cdr.csv', true]]);
  });
});

describe('rtp.conf', () => {
  it('has a sane RTP port range', () => {
    const entries = general(loadConf(ASTERISK_CONFIG_DIR, 'rtp.conf'));
    const [start, end] = [Number(valueOf(entries, 'rtpstart')), Number(valueOf(entries, 'rtpend'))];
    expect(start).to.be.within(1024, 65535);
    expect(end).to.be.within(start + 100, 65535);
  });
});
