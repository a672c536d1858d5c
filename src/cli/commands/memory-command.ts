import type { Command } from 'commander';

import type { ContactRef } from '../../agent/memory/contact-ref.ts';
import { forgetContact, formatForgetContactResult } from '../../agent/memory/forget-contact.ts';
import { formatContactMemory, showContactMemory } from '../../agent/memory/show-contact-memory.ts';
import type { Config } from '../../config/config.ts';
import { parseInteger, withCliDatabase } from '../open-cli-database.ts';

interface MemoryOptions {
  account?: string;
  connection: string;
}

/**
 * `chatwoot-agent memory show|forget <contact>`: what the agent remembers about a contact, and
 * the right to be forgotten. `<contact>` is Chatwoot's contact id with `--account`, or our row id.
 */
export function registerMemoryCommand(program: Command, loadConfig: () => Config): void {
  const memory = program
    .command('memory')
    .description('show or delete what the agent remembers about a contact');
  const withRef = (command: Command) =>
    command
      .argument('<contact>', 'Chatwoot contact id (with --account) or our internal contact id')
      .option('--account <id>', 'Chatwoot account id: <contact> is then Chatwoot’s contact id')
      .option('--connection <name>', 'Chatwoot connection', 'default');
  const refOf = (contact: string, options: MemoryOptions): ContactRef =>
    options.account === undefined
      ? { contactId: parseInteger(contact, '<contact>') }
      : {
          connection: options.connection,
          accountId: parseInteger(options.account, '--account'),
          chatwootContactId: parseInteger(contact, '<contact>'),
        };

  withRef(
    memory.command('show').description('print the contact’s profile facts and episode summaries'),
  ).action(async (contact: string, options: MemoryOptions) => {
    await withCliDatabase(loadConfig(), async ({ db }) => {
      process.stdout.write(formatContactMemory(await showContactMemory({ db }, refOf(contact, options))));
    });
  });
  withRef(
    memory.command('forget').description('delete everything the agent remembers about the contact'),
  ).action(async (contact: string, options: MemoryOptions) => {
    await withCliDatabase(loadConfig(), async ({ db }) => {
      process.stdout.write(formatForgetContactResult(await forgetContact({ db }, refOf(contact, options))));
    });
  });
}
