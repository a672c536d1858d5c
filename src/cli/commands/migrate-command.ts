import type { Command } from 'commander';

import type { Config } from '../../config/config.ts';
import { createDatabase } from '../../db/create-database.ts';
import { migrateDatabase } from '../../db/migrate-database.ts';

export function registerMigrateCommand(program: Command, loadConfig: () => Config): void {
  program
    .command('migrate')
    .description('apply database migrations and exit')
    .action(async () => {
      const config = loadConfig();
      const database = await createDatabase(config.database);
      try {
        await migrateDatabase(database);
        process.stdout.write(`migrations applied (${config.database.kind})\n`);
      } finally {
        await database.close();
      }
    });
}
