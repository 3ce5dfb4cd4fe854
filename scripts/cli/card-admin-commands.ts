import type { Command } from 'commander';
import { adjustCard, setCardStatus, unlockCardPin } from '../../billing/cards/card-admin';
import type { CardStatus } from '../../billing/cards/card';
import { cardHistory } from '../../billing/cards/card-history';
import { formatMinor } from '../../billing/money/money';
import { unwrap } from '../../billing/shared/errors';
import type { Sql } from '../../billing/store/sql/database';
import { output, withBilling } from './cli-context';
import type { GlobalOptions } from './cli-context';
import { amountFor, defaultOperator, nonEmpty, wholeNumber } from './cli-options';
import { recordOperatorEvent } from './audit';
import { cardJson, cardText, resolveCard } from './card-view';

const CARD_ARG = 'card number (spaces or dashes allowed) or serial';

async function batchNameOf(q: Sql, batch_id: number | null): Promise<string | null> {
  if (batch_id === null) return null;
  return (await q.one<{ name: string }>('SELECT name FROM batches WHERE id = ?', [batch_id]))?.name ?? null;
}

export function addCardAdminCommands(cards: Command): void {
  cards.command('show')
    .description('a card\'s status, balance and recent history (the number is shown masked: last 4 digits only)')
    .argument('<card>', CARD_ARG)
    .option('--history <n>', 'how many history lines (0 to 1000)', wholeNumber(0, 1000), 10)
    .action(async (ref: string, o: { history: number }, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>();
      const view = await withBilling(async (billing) => {
        const q = billing.db;
        const card = await resolveCard(q, billing.hasher, ref);
        const history = o.history ? await cardHistory(q, card.id, o.history) : [];
        return { card: cardJson(card, await batchNameOf(q, card.batch_id)), history: history.map((h) => ({ ...h, at: new Date(h.at_ms).toISOString(), amount: formatMinor(h.amount_minor, h.currency) })) };
      });
      output(opts, view, () => [
        cardText(view.card),
        ...(view.history.length ? ['', 'history (newest first):', ...view.history.map((h) => `  ${h.at}  ${h.kind.padEnd(12)} ${h.amount.padStart(10)} ${h.currency}  ${h.label ?? ''}`)] : []),
      ].join('\n'));
    });

  const statusCommand = (name: string, to: CardStatus, description: string) => cards.command(name)
    .description(description)
    .argument('<card>', CARD_ARG)
    .option('--reason <text>', 'why (kept in the audit trail)', nonEmpty('a reason', 500))
    .option('--operator <name>', 'operator name for the audit trail', nonEmpty('a name', 100), defaultOperator())
    .action(async (ref: string, o: { reason?: string; operator: string }, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>();
      const { card, from, batch } = await withBilling((billing) => billing.tx(async (ctx) => {
        const before = await resolveCard(ctx.q, ctx.hasher, ref);
        const after = unwrap(await setCardStatus(ctx, before.id, to));
        if (before.status !== after.status) {
          await recordOperatorEvent(ctx.q, ctx.now_ms, { action: `card.${name}`, target_kind: 'card', target_id: before.id, actor: o.operator, detail: { from: before.status, to, reason: o.reason ?? null } });
        }
        return { card: after, from: before.status, batch: await batchNameOf(ctx.q, after.batch_id) };
      }));
      const view = cardJson(card, batch);
      output(opts, { card: view, previous_status: from }, () => {
        const head = from === card.status ? `card ${view.masked} (serial ${view.serial}) is already ${card.status}` : `card ${view.masked} (serial ${view.serial}): ${from} → ${card.status}`;
        const note = to === 'closed' && card.balance_minor > 0 ? `\nnote: ${view.balance} ${view.currency} remains on the closed card (still a liability; adjust it if it should be written off)` : '';
        return head + note;
      });
    });
  statusCommand('activate', 'active', 'activate an inactive or suspended card');
  statusCommand('suspend', 'suspended', 'suspend an active card (no calls or payments until re-activated)');
  statusCommand('close', 'closed', 'close a card for good');

  cards.command('unlock')
    .description('clear a card\'s PIN lock (timed, or until unlocked after repeated lockouts) and its wrong-PIN counters')
    .argument('<card>', CARD_ARG)
    .option('--reason <text>', 'why (kept in the audit trail)', nonEmpty('a reason', 500))
    .option('--operator <name>', 'operator name for the audit trail', nonEmpty('a name', 100), defaultOperator())
    .addHelpText('after', '\nExample:\n  prepaid cards unlock B3-000042 --reason "holder identified by phone, ticket 913"')
    .action(async (ref: string, o: { reason?: string; operator: string }, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>();
      const { unlock, batch } = await withBilling((billing) => billing.tx(async (ctx) => {
        const before = await resolveCard(ctx.q, ctx.hasher, ref);
        const r = unwrap(await unlockCardPin(ctx, before.id));
        if (r.changed) {
          await recordOperatorEvent(ctx.q, ctx.now_ms, {
            action: 'card.unlock', target_kind: 'card', target_id: before.id, actor: o.operator,
            detail: { ...r.was, reason: o.reason ?? null },
          });
        }
        return { unlock: r, batch: await batchNameOf(ctx.q, r.card.batch_id) };
      }));
      const view = cardJson(unlock.card, batch);
      const was = {
        pin_failures: unlock.was.pin_failures,
        pin_lockouts: unlock.was.pin_lockouts,
        locked_until: unlock.was.locked_until_ms === null ? null : new Date(unlock.was.locked_until_ms).toISOString(),
        locked_until_unlocked: unlock.was.pin_blocked_at_ms !== null,
      };
      output(opts, { card: view, unlocked: unlock.changed, previous: was }, () => {
        if (!unlock.changed) return `card ${view.masked} (serial ${view.serial}) is not PIN-locked and has no wrong PINs counted: nothing to do`;
        const lock = was.locked_until_unlocked ? 'locked until unlocked' : was.locked_until ? `locked until ${was.locked_until}` : 'not locked';
        return `card ${view.masked} (serial ${view.serial}) unlocked (was ${lock}; ${was.pin_failures} wrong PINs, ${was.pin_lockouts} lockouts counted)` +
          (unlock.card.status !== 'active' ? `\nnote: the card is ${unlock.card.status}` : '');
      });
    });

  cards.command('adjust')
    .description('credit or debit a card by hand; booked in the ledger with the reason and the operator\'s name')
    .argument('<card>', CARD_ARG)
    .requiredOption('--amount <amount>', 'signed decimal amount in the card\'s currency, e.g. -1.00 or 5.00')
    .requiredOption('--reason <text>', 'why (kept on the ledger entry)', nonEmpty('a reason', 500))
    .option('--operator <name>', 'operator name for the ledger', nonEmpty('a name', 100), defaultOperator())
    .addHelpText('after', '\nExample:\n  prepaid cards adjust B3-000042 --amount -1.00 --reason "duplicate call charge, ticket 812"')
    .action(async (ref: string, o: { amount: string; reason: string; operator: string }, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>();
      const { card, amount_minor, batch } = await withBilling((billing) => billing.tx(async (ctx) => {
        const before = await resolveCard(ctx.q, ctx.hasher, ref);
        const amount = amountFor('--amount', o.amount, before.currency, { nonZero: true });
        const after = unwrap(await adjustCard(ctx, before.id, amount, o.reason, o.operator));
        await recordOperatorEvent(ctx.q, ctx.now_ms, { action: 'card.adjust', target_kind: 'card', target_id: before.id, actor: o.operator, detail: { amount_minor: amount, reason: o.reason } });
        return { card: after, amount_minor: amount, batch: await batchNameOf(ctx.q, after.batch_id) };
      }));
      const view = cardJson(card, batch);
      output(opts, { card: view, amount: formatMinor(amount_minor, card.currency), amount_minor }, () =>
        `adjusted ${view.masked} (serial ${view.serial}) by ${formatMinor(amount_minor, card.currency)} ${card.currency}: balance now ${view.balance}, available ${view.available}`);
    });
}
