import { expect } from 'chai';
import { listOf, objects, sectionsNamed, valueOf } from './conf-parser';
import type { ConfObject } from './conf-parser';
import { ASTERISK_CONFIG_DIR, DIALPLAN_DIR, loadConf } from './config-files';
import { parseDialplan } from './dialplan';

/** Options this project may set, per PJSIP object type (a typo such as "dtmfmode" fails here). */
const KNOWN_OPTIONS: Readonly<Record<string, readonly string[]>> = {
  transport: ['type', 'protocol', 'bind', 'external_media_address', 'external_signaling_address', 'external_signaling_port',
    'local_net', 'tos', 'cos', 'allow_reload', 'symmetric_transport', 'method', 'cert_file', 'priv_key_file', 'ca_list_file',
    'verify_server', 'verify_client', 'require_client_cert', 'domain'],
  endpoint: ['type', 'transport', 'context', 'disallow', 'allow', 'dtmf_mode', 'direct_media', 'rtp_symmetric', 'force_rport',
    'rewrite_contact', 'send_pai', 'send_rpid', 'trust_id_inbound', 'trust_id_outbound', 'timers', 'timers_sess_expires', 'aors',
    'auth', 'outbound_auth', 'from_domain', 'from_user', 'callerid', 'callerid_privacy', 'identify_by', 'language',
    'media_address', 'bind_rtp_to_media_address', 'ice_support', 'rtp_timeout', 'rtp_timeout_hold', '100rel',
    'inband_progress', 'allow_subscribe', 'direct_media_method', 'connected_line_method', 'media_encryption',
    'device_state_busy_at', 'rtp_keepalive', 'accountcode', 'set_var', 'contact_user'],
  aor: ['type', 'contact', 'max_contacts', 'remove_existing', 'remove_unavailable', 'qualify_frequency', 'qualify_timeout',
    'authenticate_qualify', 'default_expiration', 'maximum_expiration', 'minimum_expiration', 'support_path', 'outbound_proxy'],
  auth: ['type', 'auth_type', 'username', 'password', 'realm', 'md5_cred', 'nonce_lifetime'],
  registration: ['type', 'transport', 'outbound_auth', 'server_uri', 'client_uri', 'contact_user', 'retry_interval',
    'forbidden_retry_interval', 'fatal_retry_interval', 'expiration', 'line', 'endpoint', 'max_retries',
    'auth_rejection_permanent', 'outbound_proxy', 'support_path', 'max_random_initial_delay'],
  identify: ['type', 'endpoint', 'match', 'match_header', 'srv_lookups'],
};

describe('pjsip.conf', () => {
  const conf = loadConf(ASTERISK_CONFIG_DIR, 'pjsip.conf');
  const all = objects(conf);
  const ofType = (type: string) => all.filter((o) => o.type === type);
  const named = (type: string, name: string): ConfObject | undefined => ofType(type).find((o) => o.name === name);
  const dialplan = parseDialplan(loadConf(DIALPLAN_DIR, 'extensions.conf'));

  it('gives every object a known type and only options Asterisk knows for it', () => {
    const problems: string[] = [];
    for (const o of all) {
      const known = KNOWN_OPTIONS[o.type ?? ''];
      if (!known) {
        problems.push(`[${o.name}] line ${o.section.line}: type ${o.type}`);
        continue;
      }
      for (const e of o.entries) if (!known.includes(e.key)) problems.push(`[${o.name}] line ${e.line}: ${o.type} option "${e.key}"`);
    }
    expect(problems).to.deep.equal([]);
  });

  it('has a UDP transport that every endpoint and registration uses', () => {
    const udp = ofType('transport').filter((t) => valueOf(t.entries, 'protocol') === 'udp');
    expect(udp).to.have.length.greaterThan(0);
    const names = ofType('transport').map((t) => t.name);
    for (const o of [...ofType('endpoint'), ...ofType('registration')]) expect(names, o.name).to.include(valueOf(o.entries, 'transport'));
  });

  describe('the trunk (TRUNK_ENDPOINT=PJSIP/{number}@trunk)', () => {
    const endpoint = named('endpoint', 'trunk');

    it('is an endpoint "trunk" built from a template', () => {
      expect(endpoint, 'endpoint trunk').to.not.equal(undefined);
      const templates = endpoint?.section.inherits ?? [];
      expect(templates).to.have.length.greaterThan(0);
      for (const t of templates) expect(sectionsNamed(conf, t).some((s) => s.isTemplate), t).to.equal(true);
    });

    it('has an aor with a contact, an auth, a registration and an identify, all with CHANGE_ME placeholders', () => {
      const aors = listOf(endpoint?.entries ?? [], 'aors');
      expect(aors).to.deep.equal(['trunk']);
      expect(valueOf(named('aor', 'trunk')?.entries ?? [], 'contact')).to.match(/^sip:/);
      const authName = valueOf(endpoint?.entries ?? [], 'outbound_auth') ?? '';
      const auth = named('auth', authName)?.entries ?? [];
      expect(valueOf(auth, 'username')).to.match(/CHANGE_ME/);
      expect(valueOf(auth, 'password')).to.match(/CHANGE_ME/);
      const registration = ofType('registration').find((r) => valueOf(r.entries, 'outbound_auth') === authName);
      expect(registration, 'registration').to.not.equal(undefined);
      expect(valueOf(registration?.entries ?? [], 'server_uri')).to.match(/^sip:/);
      expect(valueOf(registration?.entries ?? [], 'client_uri')).to.match(/^sip:CHANGE_ME/);
      const identify = ofType('identify').find((i) => valueOf(i.entries, 'endpoint') === 'trunk');
      expect(listOf(identify?.entries ?? [], 'match')).to.have.length.greaterThan(0);
    });
  });

  describe('the SIP edge (TRUNK_ENDPOINT=PJSIP/{number}@edge)', () => {
    const endpoint = named('endpoint', 'edge');

    it('is an endpoint "edge" with an aor contact, qualify, and an identify by address', () => {
      expect(endpoint, 'endpoint edge').to.not.equal(undefined);
      expect(listOf(endpoint?.entries ?? [], 'aors')).to.deep.equal(['edge']);
      const aor = named('aor', 'edge')?.entries ?? [];
      expect(valueOf(aor, 'contact')).to.match(/^sip:[\d.]+:\d+$/);
      expect(Number(valueOf(aor, 'qualify_frequency'))).to.be.greaterThan(0);
      const identify = ofType('identify').find((i) => valueOf(i.entries, 'endpoint') === 'edge');
      expect(listOf(identify?.entries ?? [], 'match')).to.have.length.greaterThan(0);
    });

    it('takes inbound calls in the carriers\' context', () => {
      expect(valueOf(endpoint?.entries ?? [], 'context')).to.equal(valueOf(named('endpoint', 'trunk')?.entries ?? [], 'context'));
    });
  });

  it('has a phone template and an example phone built from it', () => {
    expect(sectionsNamed(conf, 'phone-template').map((s) => s.isTemplate)).to.deep.equal([true]);
    const phones = ofType('endpoint').filter((e) => e.section.inherits.includes('phone-template'));
    expect(phones).to.have.length.greaterThan(0);
    for (const phone of phones) {
      expect(named('auth', valueOf(phone.entries, 'auth') ?? ''), `${phone.name} auth`).to.not.equal(undefined);
      expect(valueOf(named('auth', phone.name)?.entries ?? [], 'password')).to.match(/CHANGE_ME/);
    }
  });

  it('points every endpoint at existing aors, auths and dialplan contexts, with media through Asterisk', () => {
    for (const e of ofType('endpoint')) {
      for (const aor of listOf(e.entries, 'aors')) expect(named('aor', aor), `${e.name} aor ${aor}`).to.not.equal(undefined);
      for (const key of ['auth', 'outbound_auth']) {
        const auth = valueOf(e.entries, key);
        if (auth !== undefined) expect(named('auth', auth), `${e.name} ${key} ${auth}`).to.not.equal(undefined);
      }
      const context = valueOf(e.entries, 'context') ?? '';
      expect([...dialplan.contexts.keys()], `${e.name} context`).to.include(context);
      expect(valueOf(e.entries, 'direct_media'), `${e.name} direct_media`).to.equal('no');
      expect(listOf(e.entries, 'disallow'), e.name).to.deep.equal(['all']);
      expect(listOf(e.entries, 'allow'), e.name).to.include('ulaw');
      expect(valueOf(e.entries, 'dtmf_mode'), e.name).to.be.oneOf(['rfc4733', 'info', 'inband', 'auto', 'auto_info']);
    }
    for (const o of [...ofType('identify'), ...ofType('registration')]) {
      const endpoint = valueOf(o.entries, 'endpoint');
      if (endpoint !== undefined) expect(named('endpoint', endpoint), `${o.type} ${o.name}`).to.not.equal(undefined);
    }
  });
});
