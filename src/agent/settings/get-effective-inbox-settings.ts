import { and, desc, eq, isNull } from 'drizzle-orm';

import type { Executor } from '../../db/database.ts';
import { agentSettingsVersions } from '../../db/schema/agent.ts';
import { AppError } from '../../errors/app-error.ts';
import { formatSettingsIssues } from './format-settings-issues.ts';
import { inboxSettingsSchema, type InboxSettings, type SettingsVersion } from './inbox-settings-schema.ts';
import { overlaySettings, type SettingsDocument } from './merge-settings-patch.ts';

export interface EffectiveInboxSettings {
  readonly settings: InboxSettings;
  readonly version: SettingsVersion;
}

export interface StoredSettingsVersion {
  readonly version: number;
  readonly overrides: SettingsDocument;
}

/**
 * The settings that apply to an inbox: built-in defaults, overlaid with the connection-wide
 * document, overlaid with the inbox's document (latest versions). `inboxId` null gives the
 * connection default alone (used by `ask` without `--inbox`).
 */
export async function getEffectiveInboxSettings(
  deps: { readonly db: Executor },
  input: { readonly connection: string; readonly inboxId: number | null },
): Promise<EffectiveInboxSettings> {
  const global = await loadLatestSettingsVersion(deps, { connection: input.connection, inboxId: null });
  const inbox = input.inboxId === null ? null : await loadLatestSettingsVersion(deps, input);
  const parsed = inboxSettingsSchema.safeParse(
    overlaySettings(global?.overrides ?? {}, inbox?.overrides ?? {}),
  );
  if (!parsed.success) {
    // Only possible when a release tightened the schema after the documents were stored.
    const problems = formatSettingsIssues(parsed.error.issues);
    throw new AppError('invalid_config', {
      message: `Stored agent settings for inbox ${input.inboxId ?? '(default)'} are invalid: ${problems.join('; ')}`,
      details: { problems },
    });
  }
  return { settings: parsed.data, version: { global: global?.version ?? 0, inbox: inbox?.version ?? 0 } };
}

export async function loadLatestSettingsVersion(
  deps: { readonly db: Executor },
  scope: { readonly connection: string; readonly inboxId: number | null },
): Promise<StoredSettingsVersion | null> {
  const rows = await deps.db
    .select({ version: agentSettingsVersions.version, overrides: agentSettingsVersions.overrides })
    .from(agentSettingsVersions)
    .where(
      and(
        eq(agentSettingsVersions.connection, scope.connection),
        scope.inboxId === null
          ? isNull(agentSettingsVersions.inboxId)
          : eq(agentSettingsVersions.inboxId, scope.inboxId),
      ),
    )
    .orderBy(desc(agentSettingsVersions.version))
    .limit(1);
  return rows[0] ?? null;
}
