import { expect } from 'chai';
import { buildManifest, parseManifest, planSounds, promptHash } from '../../../scripts/sounds/manifest';

describe('sound generation plan (scripts/sounds/manifest.ts)', () => {
  const prompts = [
    { id: 'welcome', text: 'Welcome.' },
    { id: 'goodbye', text: 'Goodbye.' },
  ];
  const manifest = buildManifest('en', 'en-us', prompts);
  const allWavs = new Set(['welcome.wav', 'goodbye.wav']);

  const cases = [
    { name: 'nothing changed', prompts, wavs: allWavs, manifest, force: false, generate: [], remove: [] },
    { name: '--force', prompts, wavs: allWavs, manifest, force: true, generate: ['welcome', 'goodbye'], remove: [] },
    { name: 'no manifest yet', prompts, wavs: allWavs, manifest: null, force: false, generate: ['welcome', 'goodbye'], remove: [] },
    {
      name: 'a text changed',
      prompts: [{ id: 'welcome', text: 'Welcome to prepaid.' }, prompts[1]!],
      wavs: allWavs, manifest, force: false, generate: ['welcome'], remove: [],
    },
    { name: 'a file was deleted', prompts, wavs: new Set(['goodbye.wav']), manifest, force: false, generate: ['welcome'], remove: [] },
    {
      name: 'a prompt left the catalogue',
      prompts: [prompts[0]!], wavs: new Set([...allWavs, 'old.wav']), manifest, force: false, generate: [],
      remove: ['goodbye.wav', 'old.wav'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const plan = planSounds({ prompts: c.prompts, voice: 'en-us', manifest: c.manifest, wavFiles: c.wavs, force: c.force });
      expect(plan.generate).to.deep.equal(c.generate);
      expect(plan.remove).to.deep.equal(c.remove);
      expect(plan.generate.length + plan.unchanged.length).to.equal(c.prompts.length);
    });
  }

  it('makes everything again for another voice', () => {
    const plan = planSounds({ prompts, voice: 'en-gb', manifest, wavFiles: allWavs, force: false });
    expect(plan.generate).to.deep.equal(['welcome', 'goodbye']);
  });

  it('hashes voice and text, and round-trips the manifest through JSON', () => {
    expect(promptHash('en-us', 'a')).to.not.equal(promptHash('en-us', 'b'));
    expect(promptHash('en-us', 'a')).to.not.equal(promptHash('es', 'a'));
    expect(parseManifest(JSON.stringify(manifest))).to.deep.equal(manifest);
    expect(Object.keys(manifest.prompts)).to.deep.equal(['goodbye', 'welcome']);
    expect(parseManifest('not json')).to.equal(null);
    expect(parseManifest('{"x":1}')).to.equal(null);
    expect(parseManifest(null)).to.equal(null);
  });
});
