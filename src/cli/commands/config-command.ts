import { readFileSync } from 'node:fs';

import type { Command } from 'commander';
import { parse as parseYaml } from 'yaml';

import {
  formatEffectiveSettings,
  formatSettingsHistory,
} from '../../agent/settings/format-inbox-settings.ts';
import { getEffectiveInboxSettings } from '../../agent/settings/get-effective-inbox-settings.ts';
import { getInboxSettingsHistory } from '../../agent/settings/list-inbox-settings.ts';
import { updateInboxSettings } from '../../agent/settings/update-inbox-settings.ts';
import type { Config } from '../../config/config.ts';
import { parseInteger, withCliDatabase } from '../open-cli-database.ts';

interface ScopeOptions {
  inbox?: string;
  connection: string;
}

/**
 * `chatwoot-agent config get|set|history [--inbox <id>]`: the agent's per-inbox behaviour (persona,
 * guardrails, handoff policy, business hours, budgets, …), versioned in the database.
 * `set` takes `key.path=value` pairs (values are YAML: numbers, booleans, lists) or `--file`.
 */
export function registerConfigCommand(program: Command, loadConfig: () => Config): void {
  const config = program.command('config').description('show and change the agent’s per-inbox settings');
  const scoped = (command: Command) =>
    command
      .option('--inbox <id>', 'an inbox (omit for the connection-wide default)')
      .option('--connection <name>', 'Chatwoot connection', 'default');
  const inboxOf = (options: ScopeOptions) =>
    options.inbox === undefined ? null : parseInteger(options.inbox, '--inbox');

  scoped(config.command('get').description('print the effective settings')).action(
    async (options: ScopeOptions) => {
      await withCliDatabase(loadConfig(), async ({ db }) => {
        const inboxId = inboxOf(options);
        const effective = await getEffectiveInboxSettings(
          { db },
          { connection: options.connection, inboxId },
        );
        process.stdout.write(formatEffectiveSettings(effective, { inboxId }));
      });
    },
  );

  scoped(config.command('set').description('change settings: key.path=value … or --file <yaml|json>'))
    .argument('[assignments...]', 'e.g. persona.name="Ava" limits.maxBotTurnsPerEpisode=5 enabled=false')
    .option('--file <path>', 'a YAML or JSON merge patch')
    .option('--author <name>', 'recorded with the new version', 'cli')
    .action(async (assignments: string[], options: ScopeOptions & { file?: string; author: string }) => {
      const patch = options.file
        ? (parseYaml(readFileSync(options.file, 'utf8')) as unknown)
        : patchFromAssignments(assignments);
      await withCliDatabase(loadConfig(), async ({ db }) => {
        const result = await updateInboxSettings(
          { db },
          { connection: options.connection, inboxId: inboxOf(options), patch, author: options.author },
        );
        process.stdout.write(result.changed ? `saved as version ${result.version}\n` : 'nothing changed\n');
      });
    });

  scoped(config.command('history').description('list the stored versions')).action(
    async (options: ScopeOptions) => {
      await withCliDatabase(loadConfig(), async ({ db }) => {
        process.stdout.write(
          formatSettingsHistory(
            await getInboxSettingsHistory(
              { db },
              { connection: options.connection, inboxId: inboxOf(options) },
            ),
          ),
        );
      });
    },
  );
}

/** `a.b=1 c=true` → `{ a: { b: 1 }, c: true }` (values parsed as YAML scalars/lists). */
export function patchFromAssignments(assignments: readonly string[]): Record<string, unknown> {
  if (assignments.length === 0) throw new Error('nothing to set: give key.path=value pairs or --file');
  const patch: Record<string, unknown> = {};
  for (const assignment of assignments) {
    const separator = assignment.indexOf('=');
    if (separator <= 0) throw new Error(`expected key.path=value, got "${assignment}"`);
    const path = assignment.slice(0, separator).split('.');
    const value: unknown = parseYaml(assignment.slice(separator + 1));
    let cursor = patch;
    for (const key of path.slice(0, -1)) {
      const next = cursor[key];
      cursor = (typeof next === 'object' && next !== null ? next : (cursor[key] = {})) as Record<
        string,
        unknown
      >;
    }
    cursor[path.at(-1)!] = value;
  }
  return patch;
}
