import { and, desc, eq, isNull } from 'drizzle-orm';

import type { Executor } from '../../db/database.ts';
import { agentSettingsVersions } from '../../db/schema/agent.ts';
import type { SettingsDocument } from './merge-settings-patch.ts';

export interface SettingsVersionRecord {
  readonly inboxId: number | null;
  readonly version: number;
  readonly overrides: SettingsDocument;
  readonly patch: SettingsDocument;
  readonly author: string;
  readonly createdAt: Date;
}

/** The latest version of every scope of a connection: the default (inboxId null) first, then inboxes. */
export async function listInboxSettings(
  deps: { readonly db: Executor },
  input: { readonly connection: string },
): Promise<SettingsVersionRecord[]> {
  const rows = await deps.db
    .selectDistinctOn([agentSettingsVersions.inboxId], recordColumns)
    .from(agentSettingsVersions)
    .where(eq(agentSettingsVersions.connection, input.connection))
    .orderBy(agentSettingsVersions.inboxId, desc(agentSettingsVersions.version));
  return rows.sort((a, b) => (a.inboxId ?? -1) - (b.inboxId ?? -1));
}

/** Every version of one scope, newest first. */
export async function getInboxSettingsHistory(
  deps: { readonly db: Executor },
  input: { readonly connection: string; readonly inboxId: number | null; readonly limit?: number },
): Promise<SettingsVersionRecord[]> {
  return deps.db
    .select(recordColumns)
    .from(agentSettingsVersions)
    .where(
      and(
        eq(agentSettingsVersions.connection, input.connection),
        input.inboxId === null
          ? isNull(agentSettingsVersions.inboxId)
          : eq(agentSettingsVersions.inboxId, input.inboxId),
      ),
    )
    .orderBy(desc(agentSettingsVersions.version))
    .limit(input.limit ?? 50);
}

const recordColumns = {
  inboxId: agentSettingsVersions.inboxId,
  version: agentSettingsVersions.version,
  overrides: agentSettingsVersions.overrides,
  patch: agentSettingsVersions.patch,
  author: agentSettingsVersions.author,
  createdAt: agentSettingsVersions.createdAt,
};
