import { expect } from 'chai';
import type { Command } from 'commander';
import { buildProgram } from '../../scripts/cli/program';

/** Every command of the PRODUCT.md contract exists, and its --help reads well (in-process: no subprocess needed). */
const CONTRACT = [
  'db migrate', 'cards generate', 'cards import', 'cards show', 'cards activate', 'cards suspend', 'cards close', 'cards adjust',
  'batches list', 'batches activate', 'batches suspend', 'rates import', 'rates show', 'merchants create', 'merchants list',
  'merchants rotate-key', 'merchants revoke-key', 'ledger verify', 'reports sales', 'reports usage', 'reports liability', 'reports breakage',
  'carriers add', 'carriers list', 'carriers show', 'carriers enable', 'carriers disable', 'carriers set', 'carriers rates import', 'routes show', 'reports margin',
];

function leaves(cmd: Command, prefix: string[] = []): Array<[string, Command]> {
  const subs = cmd.commands.filter((c) => c.name() !== 'help');
  if (!subs.length) return [[prefix.join(' '), cmd]];
  return subs.flatMap((c) => leaves(c, [...prefix, c.name()]));
}

describe('prepaid --help', () => {
  const program = buildProgram();
  const all = new Map(leaves(program));

  it('has every command of the contract', () => {
    expect(CONTRACT.filter((c) => !all.has(c))).to.deep.equal([]);
  });

  for (const [name, cmd] of leaves(buildProgram())) {
    it(`${name}: describes the command and every option and argument`, () => {
      expect(cmd.description().length, 'description').to.be.greaterThan(10);
      for (const o of cmd.options) expect(o.description.length, o.flags).to.be.greaterThan(3);
      for (const a of cmd.registeredArguments) expect(a.description.length, a.name()).to.be.greaterThan(3);
      const help = cmd.helpInformation();
      expect(help).to.match(/^Usage: prepaid /);
      expect(help).to.contain(cmd.description().split('\n')[0]?.slice(0, 20));
    });
  }
});

describe('prepaid output into a closed pipe', () => {
  it('ends quietly when the reader stops early (`prepaid … | head`)', async () => {
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, ['bin/prepaid.mjs', 'cards', 'import', '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
    child.stdout.destroy(); // the reader is gone before the first write: that write meets EPIPE
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).not.to.contain('EPIPE');
    expect(code).to.equal(0);
  });
});
