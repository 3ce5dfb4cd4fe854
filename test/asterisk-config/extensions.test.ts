import { expect } from 'chai';
import { isPromptId } from '../../ivr/prompts/catalogue';
import { isLanguage } from '../../ivr/prompts/languages';
import { ASTERISK_SOUNDS_FOLDER } from '../../ivr/sayer/media-uri';
import { formatErrors, objects, valueOf } from './conf-parser';
import { ASTERISK_CONFIG_DIR, DIALPLAN_DIR, loadConf, readConfText } from './config-files';
import { extenMatches, parseDialplan, route, stepsFor } from './dialplan';
import type { DialplanStep } from './dialplan';

/** ARI_APP's default, and what PRODUCT.md names the app. */
const ARI_APP = 'prepaid';

describe('dialplan/extensions.conf', () => {
  const conf = loadConf(DIALPLAN_DIR, 'extensions.conf');
  const plan = parseDialplan(conf);
  const steps = [...plan.contexts.values()].flatMap((c) => c.steps);
  const pjsipEndpoints = objects(loadConf(ASTERISK_CONFIG_DIR, 'pjsip.conf'))
    .filter((o) => o.type === 'endpoint')
    .map((o) => o.name);

  it('is a valid dialplan: known applications, extensions starting at 1, "same" after "exten"', () => {
    expect(formatErrors('extensions.conf', plan.errors)).to.deep.equal([]);
    expect([...plan.contexts.keys()]).to.include.members(['prepaid-access', 'from-trunk', 'phones', 'prepaid-outbound']);
  });

  it(`hands calls only to the Stasis app "${ARI_APP}", with the arguments "access" and the dialled number`, () => {
    const stasis = steps.filter((s) => s.app === 'Stasis');
    expect(stasis).to.have.length.greaterThan(0);
    for (const s of stasis) expect(s.args.slice(0, 3), `line ${s.line}`).to.deep.equal([ARI_APP, 'access', '${EXTEN}']);
  });

  const entries: [string, string, string][] = [
    ['phones', '8000', '8000'],
    ['prepaid-access', '8000', '8000'],
    ['from-trunk', '15551230000', '15551230000'],
    ['from-trunk', '+445551230000', '+445551230000'],
    ['from-trunk', 's', '8000'],
  ];
  for (const [context, dialled, access] of entries) {
    it(`routes ${dialled} in [${context}] to Stasis(${ARI_APP},access,${access})`, () => {
      const reached = route(plan, context, dialled);
      expect(reached?.step.app).to.equal('Stasis');
      expect(reached?.args).to.deep.equal([ARI_APP, 'access', access]);
    });
  }

  it('lets the app answer: no Answer() before Stasis(), and a Hangup() after it', () => {
    for (const stasis of steps.filter((s) => s.app === 'Stasis')) {
      const extension = steps.filter((s) => s.context === stasis.context && s.exten === stasis.exten);
      const index = extension.indexOf(stasis);
      expect(extension.slice(0, index).map((s) => s.app), `line ${stasis.line}`).to.not.include('Answer');
      expect(extension.slice(index + 1).map((s) => s.app), `line ${stasis.line}`).to.include('Hangup');
    }
  });

  it('gives SIP phones no way to the trunk around the platform', () => {
    const phones = plan.contexts.get('phones');
    expect(phones?.includes).to.deep.equal([]);
    expect(stepsFor(plan, 'phones', '15551230000')).to.deep.equal([]);
    for (const s of phones?.steps ?? []) expect(s.args.join(','), `line ${s.line}`).to.not.match(/@trunk/);
  });

  it('sends Goto(), GotoIf() and include targets to contexts, extensions and labels that exist', () => {
    const problems: string[] = [];
    const labelsOf = (s: DialplanStep) =>
      steps.filter((x) => x.context === s.context && x.exten === s.exten).map((x) => x.label);
    for (const s of steps) {
      if (s.app === 'Goto') {
        const [context, exten] = s.args;
        if (!plan.contexts.has(context ?? '')) problems.push(`line ${s.line}: no context ${context}`);
        else if (!(exten ?? '').includes('${') && stepsFor(plan, context ?? '', exten ?? '').length === 0) {
          problems.push(`line ${s.line}: nothing answers ${exten} in ${context}`);
        }
      }
      if (s.app === 'GotoIf') {
        const targets = (s.args.join(',').split('?')[1] ?? '').split(':').filter((t) => t !== '');
        for (const t of targets) if (!labelsOf(s).includes(t)) problems.push(`line ${s.line}: no label ${t}`);
      }
    }
    for (const [name, context] of plan.contexts) {
      for (const inc of context.includes) if (!plan.contexts.has(inc)) problems.push(`[${name}] includes missing ${inc}`);
    }
    expect(problems).to.deep.equal([]);
  });

  it('dials PJSIP endpoints that pjsip.conf defines', () => {
    for (const s of steps.filter((x) => x.app === 'Dial')) {
      for (const target of (s.args[0] ?? '').split('&')) {
        const m = /^PJSIP\/(?:[^@]+@)?([^@/]+)$/.exec(target);
        expect(m, `line ${s.line}: ${target}`).to.not.equal(null);
        const endpoint = target.includes('@') ? m?.[1] : undefined;
        if (endpoint !== undefined) expect(pjsipEndpoints, `line ${s.line}`).to.include(endpoint);
      }
    }
  });

  it('plays only prompts of the catalogue, as prepaid/<lang>/<id>', () => {
    const played = steps
      .filter((s) => s.app === 'Playback' || s.app === 'Background')
      .flatMap((s) => (s.args[0] ?? '').split('&'));
    const uris = [...readConfText(`${DIALPLAN_DIR}extensions.conf`).matchAll(/sound:([A-Za-z0-9_/]+)/g)].map((m) => m[1] ?? '');
    expect(played).to.have.length.greaterThan(0);
    const bad = [...played, ...uris].filter((name) => {
      const [folder, lang, id, ...rest] = name.split('/');
      return folder !== ASTERISK_SOUNDS_FOLDER || !isLanguage(lang ?? '') || !isPromptId(id ?? '') || rest.length > 0;
    });
    expect(bad).to.deep.equal([]);
  });

  it('keeps the dialplan from being rewritten by "dialplan save"', () => {
    const general = conf.sections.find((s) => s.name === 'general')?.entries ?? [];
    expect(valueOf(general, 'static')).to.equal('yes');
    expect(valueOf(general, 'writeprotect')).to.equal('yes');
  });

  it('offers a Local-channel route for outbound legs that reports busy and no answer', () => {
    const outbound = stepsFor(plan, 'prepaid-outbound', '15551230000');
    expect(outbound.some((s) => s.app === 'Dial' && s.args[0] === 'PJSIP/${EXTEN}@trunk')).to.equal(true);
    expect(outbound.filter((s) => s.app === 'Hangup').map((s) => s.args[0])).to.include.members(['17', '19', '34']);
    expect(extenMatches(outbound[0]?.exten ?? '', '+15551230000')).to.equal(true);
  });
});
