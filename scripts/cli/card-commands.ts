import type { Command } from 'commander';
import { addCardAdminCommands } from './card-admin-commands';
import { addCardIssueCommands } from './card-issue-commands';

export function registerCardCommands(program: Command): void {
  const cards = program.command('cards').description('card batches and single cards: generate, import, show, activate, suspend, close, adjust');
  addCardIssueCommands(cards);
  addCardAdminCommands(cards);
}
