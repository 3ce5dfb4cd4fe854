import type { Command } from 'commander';
import { createMerchant, listMerchants, revokeApiKey, rotateApiKey } from '../../billing/merchants/merchants';
import { unwrap } from '../../billing/shared/errors';
import { output, withBilling } from './cli-context';
import type { GlobalOptions } from './cli-context';
import { defaultOperator, nonEmpty, wholeNumber } from './cli-options';
import { recordOperatorEvent } from './audit';

const merchantId = wholeNumber(1, 2_000_000_000);
const operatorOption = ['--operator <name>', 'operator name for the audit trail'] as const;

export function registerMerchantCommands(program: Command): void {
  const merchants = program.command('merchants').description('merchants of the settlement API and their API keys');

  merchants.command('create')
    .description('add a merchant and print its API key — shown this once, only a keyed hash is stored')
    .requiredOption('--name <name>', 'merchant name', nonEmpty('a name', 200))
    .option(...operatorOption, nonEmpty('a name', 100), defaultOperator())
    .action(async (o: { name: string; operator: string }, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>();
      const r = await withBilling((billing) => billing.tx(async (ctx) => {
        const created = unwrap(await createMerchant(ctx, o.name));
        await recordOperatorEvent(ctx.q, ctx.now_ms, { action: 'merchant.create', target_kind: 'merchant', target_id: created.merchant.id, actor: o.operator });
        return created;
      }));
      output(opts, r, () => `merchant ${r.merchant.id} "${r.merchant.name}" created\nAPI key (shown once — store it now): ${r.api_key}`);
    });

  merchants.command('list')
    .description('merchants with their status and the last 4 characters of their key')
    .action(async (_o, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>();
      const list = await withBilling((billing) => listMerchants(billing.read()));
      output(opts, { merchants: list }, () => list.length
        ? list.map((m) => `${String(m.id).padStart(4)}  ${m.name.padEnd(30)} ${m.status.padEnd(8)} key …${m.api_key_last4 ?? '----'}  since ${new Date(m.created_at_ms).toISOString().slice(0, 10)}`).join('\n')
        : 'no merchants yet (add one with `prepaid merchants create --name NAME`)');
    });

  merchants.command('rotate-key')
    .description('issue a new API key (printed once); the old key stops working at once')
    .argument('<id>', 'merchant id', merchantId)
    .option(...operatorOption, nonEmpty('a name', 100), defaultOperator())
    .action(async (id: number, o: { operator: string }, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>();
      const r = await withBilling((billing) => billing.tx(async (ctx) => {
        const rotated = unwrap(await rotateApiKey(ctx, id));
        await recordOperatorEvent(ctx.q, ctx.now_ms, { action: 'merchant.rotate_key', target_kind: 'merchant', target_id: id, actor: o.operator });
        return rotated;
      }));
      output(opts, { merchant_id: id, api_key: r.api_key }, () => `merchant ${id}: new API key (shown once — store it now): ${r.api_key}\nthe previous key no longer works`);
    });

  merchants.command('revoke-key')
    .description('revoke a merchant\'s API key (every request with it is refused; rotate-key issues a new one)')
    .argument('<id>', 'merchant id', merchantId)
    .option(...operatorOption, nonEmpty('a name', 100), defaultOperator())
    .action(async (id: number, o: { operator: string }, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>();
      const m = await withBilling((billing) => billing.tx(async (ctx) => {
        const revoked = unwrap(await revokeApiKey(ctx, id));
        await recordOperatorEvent(ctx.q, ctx.now_ms, { action: 'merchant.revoke_key', target_kind: 'merchant', target_id: id, actor: o.operator });
        return revoked;
      }));
      output(opts, { merchant: m }, () => `merchant ${m.id} "${m.name}": API key revoked`);
    });
}
