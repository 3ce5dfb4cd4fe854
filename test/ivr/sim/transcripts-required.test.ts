import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { MISSING_TRANSCRIPTS } from './transcripts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const MOCHA = path.join(ROOT, 'node_modules/mocha/bin/mocha.js');

interface Run { code: number; out: string }

/** Runs the fidelity suite in a child mocha with the transcripts folder pointed at a place that does not exist. */
function fidelityWithoutTranscripts(ci: boolean): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env, ARI_TRANSCRIPTS_DIR: path.join(ROOT, 'no-such-folder', 'transcripts') };
  delete env.CI;
  if (ci) env.CI = 'true';
  return new Promise((resolve) => {
    execFile(process.execPath, [MOCHA, '--reporter', 'spec', 'test/ivr/sim/fidelity.test.ts'], { cwd: ROOT, env, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out: `${stdout}${stderr}` });
    });
  });
}

describe('transcript fidelity tests without ../shared', function () {
  this.timeout(90_000);

  it('locally: every check is pending, and the suite title says why', async () => {
    const r = await fidelityWithoutTranscripts(false);
    expect(r.code, r.out).to.equal(0);
    expect(r.out).to.include(`SKIPPED: ${MISSING_TRANSCRIPTS}`);
    expect(r.out).to.match(/0 passing/);
    expect(r.out).to.match(/\d+ pending/);
  });

  it('under CI=true: the suite fails, naming the missing folder', async () => {
    const r = await fidelityWithoutTranscripts(true);
    expect(r.code, r.out).to.not.equal(0);
    expect(r.out).to.include(`${MISSING_TRANSCRIPTS} (CI=true requires them`);
    expect(r.out).to.match(/1 failing/);
  });
});
