import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { ESLint } from 'eslint';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** What the project's own eslint.config.js says about one import placed in a file at `file` (the file need not exist). */
async function importErrors(file: string, from: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: ROOT });
  const [result] = await eslint.lintText(`import { x } from '${from}';\nexport const y = x;\n`, { filePath: path.join(ROOT, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('lint: import directions (eslint.config.js)', function () {
  this.timeout(60_000);

  const forbidden: Array<[string, string, RegExp]> = [
    ['web/routes/fixture.ts', '../../app/config', /never import the composition root \(app\/\)/],
    ['web/fixture.ts', '../sandbox/demo/demo-info', /sandbox/],
    ['billing/cards/fixture.ts', '../../app/deps', /never import the composition root/],
    ['billing/http/fixture.ts', '../../scripts/cli/cli-context', /the CLI \(scripts\/\)/],
    ['billing/store/fixture.ts', '../../sandbox/telephony', /sandbox/],
    ['billing/cards/fixture.ts', '../../ivr/calls/ivr-app', /billing\/ is the core/],
    ['ivr/fixture.ts', '../app/telephony', /never import the composition root/],
    ['ivr/calls/steps/fixture.ts', '../../../sandbox/phone/mount', /sandbox/],
    ['ivr/calls/fixture.ts', '../../web/forms', /ivr\/ never imports web\//],
    ['ivr/sim/fixture.ts', '../../web/views/layout', /ivr\/ never imports web\//],
    ['edge/fixture.ts', '../app/config', /never import the composition root/],
    ['edge/srf/fixture.ts', '../../ivr/calls/call-id', /edge\/ never imports ivr\/ or web\//],
    ['edge/fixture.ts', '../web/mount', /edge\/ never imports ivr\/ or web\//],
    ['web/fixture.ts', 'ari-client', /Only ivr\/ari\/ may import ari-client/],
    ['app/fixture.ts', 'ari-client', /Only ivr\/ari\/ may import ari-client/],
    ['web/fixture.ts', 'drachtio-srf', /Only edge\/ may import drachtio-srf/],
    ['ivr/ari/fixture.ts', 'drachtio-srf', /Only edge\/ may import drachtio-srf/],
    ['edge/outbound/fixture.ts', 'drachtio-srf', /behind its adapter, edge\/srf\//],
    ['test/edge/fixture.ts', 'drachtio-srf', /Only edge\/ may import drachtio-srf/],
    ['billing/cards/fixture.ts', 'express', /Domain code stays pure/],
    ['ivr/calls/fixture.ts', 'pino', /Domain code stays pure/],
  ];
  for (const [file, from, why] of forbidden) {
    it(`refuses ${from} in ${file}`, async () => {
      const errors = await importErrors(file, from);
      expect(errors, JSON.stringify(errors)).to.have.length(1);
      expect(errors[0]).to.match(why);
    });
  }

  const allowed: Array<[string, string]> = [
    ['app/fixture.ts', '../web/mount'],
    ['app/fixture.ts', '../sandbox/telephony'],
    ['scripts/cli/fixture.ts', '../../app/config'],
    ['sandbox/fixture.ts', '../ivr/sim/ari-simulator'],
    ['sandbox/phone/fixture.ts', '../../web/views/layout'],
    ['web/fixture.ts', '../billing/billing'],
    ['ivr/calls/fixture.ts', '../../billing/cards/card-auth'],
    ['edge/fixture.ts', '../billing/billing'],
    ['edge/srf/fixture.ts', 'drachtio-srf'],
    ['test/doubles/drachtio/fixture.ts', 'drachtio-srf'],
    ['ivr/ari/fixture.ts', 'ari-client'],
    ['billing/http/fixture.ts', 'express'],
  ];
  for (const [file, from] of allowed) {
    it(`allows ${from} in ${file}`, async () => {
      expect(await importErrors(file, from)).to.deep.equal([]);
    });
  }
});
