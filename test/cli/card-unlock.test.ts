import { expect } from 'chai';
import type { Billing } from '../../billing/billing';
import { authenticateCard } from '../../billing/cards/card-auth';
import { KINDS } from '../support/databases';
import { cliSuite } from './cli-process';
import type { CliEnv } from './cli-process';

const wrongPin = (pin: string) => (pin === '0000' ? '1111' : '0000');

/** `prepaid cards unlock CARD`: the operator's way out of a lock until unlocked, masked, audited, --json. */
for (const kind of KINDS) {
  describe(`prepaid cards unlock (${kind})`, function () {
    this.timeout(60_000);
    // Two wrong PINs lock; the second lockout lasts until unlocked.
    const suite = cliSuite(kind, { pin_max_failures: 2, pin_max_lockouts: 1 });
    let billing: Billing;
    let cli: CliEnv;
    beforeEach(() => ({ billing, cli } = suite));

    const code = (r: { ok: boolean; error?: { code: string } }) => (r.ok ? 'ok' : r.error!.code);

    it('shows the lock, unlocks it (masked, audited with the operator and reason), after which the right PIN works; a second unlock has nothing to do', async () => {
      const card = await billing.issueCard({ value_minor: 1000, currency: 'USD' });
      for (let i = 0; i < 2; i++) await billing.tx((ctx) => authenticateCard(ctx, card.number, wrongPin(card.pin)));
      expect(code(await billing.tx((ctx) => authenticateCard(ctx, card.number, card.pin)))).to.equal('card_locked');

      const show = await cli.run(['cards', 'show', card.number]);
      expect(show.code, show.stderr).to.equal(0);
      expect(show.stdout).to.match(/PIN locked\s+since \S+, until unlocked \(prepaid cards unlock\)/);
      expect(show.stdout).to.match(/PIN lockouts\s+1/);
      const shown = await cli.json<{ card: { pin_lockouts: number; pin_locked_until_unlocked_since: string | null } }>(['cards', 'show', card.number]);
      expect(shown.card.pin_lockouts).to.equal(1);
      expect(shown.card.pin_locked_until_unlocked_since).to.be.a('string');

      const r = await cli.run(['cards', 'unlock', card.number, '--reason', 'holder identified, ticket 913', '--operator', 'alice']);
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout).to.contain(`•••• ${card.number.slice(-4)}`);
      expect(r.stdout).to.contain('unlocked (was locked until unlocked; 0 wrong PINs, 1 lockouts counted)');
      expect(r.stdout + r.stderr).to.not.contain(card.number);
      const events = await billing.db.all<{ action: string; target_id: string; actor: string; detail: string }>("SELECT action, target_id, actor, detail FROM operator_events WHERE action = 'card.unlock'");
      expect(events).to.have.length(1);
      expect(events[0]).to.include({ target_id: String(card.card_id), actor: 'alice' });
      expect(JSON.parse(events[0]!.detail)).to.deep.include({ pin_lockouts: 1, reason: 'holder identified, ticket 913' });
      expect(events[0]!.detail).to.not.contain(card.number);

      expect(code(await billing.tx((ctx) => authenticateCard(ctx, card.number, card.pin)))).to.equal('ok');

      const again = await cli.json<{ unlocked: boolean; card: { masked: string; locked_until: string | null } }>(['cards', 'unlock', card.serial]);
      expect(again.unlocked).to.equal(false);
      expect(again.card.locked_until).to.equal(null);
      expect(await billing.db.all("SELECT id FROM operator_events WHERE action = 'card.unlock'")).to.have.length(1);
    });

    it('unlocks a timed lock too (by serial, --json), and answers exit 1 for an unknown card', async () => {
      const card = await billing.issueCard({ value_minor: 1000, currency: 'USD' });
      await billing.db.run('UPDATE cards SET pin_lockouts = 0, locked_until_ms = ?, pin_failures = 0 WHERE id = ?', [Date.now() + 3_600_000, card.card_id]);
      const out = await cli.json<{ unlocked: boolean; previous: { locked_until: string | null; locked_until_unlocked: boolean } }>(['cards', 'unlock', card.serial]);
      expect(out.unlocked).to.equal(true);
      expect(out.previous.locked_until).to.be.a('string');
      expect(out.previous.locked_until_unlocked).to.equal(false);
      expect(code(await billing.tx((ctx) => authenticateCard(ctx, card.number, card.pin)))).to.equal('ok');
      const missing = await cli.run(['cards', 'unlock', '7000000000000000']);
      expect(missing.code).to.equal(1);
      expect(missing.stderr).to.contain('no card with that number or serial');
    });
  });
}
