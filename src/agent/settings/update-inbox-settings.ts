import { isDeepStrictEqual } from 'node:util';

import { sql } from 'drizzle-orm';

import type { Database } from '../../db/database.ts';
import { agentSettingsVersions } from '../../db/schema/agent.ts';
import { AppError } from '../../errors/app-error.ts';
import { formatSettingsIssues } from './format-settings-issues.ts';
import { loadLatestSettingsVersion, type EffectiveInboxSettings } from './get-effective-inbox-settings.ts';
import { inboxSettingsSchema } from './inbox-settings-schema.ts';
import {
  isPlainObject,
  mergeSettingsPatch,
  overlaySettings,
  type SettingsDocument,
} from './merge-settings-patch.ts';

export interface UpdateInboxSettingsInput {
  readonly connection: string;
  /** null: the connection-wide default every inbox inherits. */
  readonly inboxId: number | null;
  /** Merge patch (RFC 7396): objects merge, arrays and scalars replace, null = inherit again. */
  readonly patch: unknown;
  /** Who made the change (admin user, "cli", ...), kept in the history. */
  readonly author: string;
}

export interface UpdateInboxSettingsResult {
  /** False when the patch changed nothing (no version is written). */
  readonly changed: boolean;
  /** The scope's version after the update. */
  readonly version: number;
  readonly overrides: SettingsDocument;
  readonly effective: EffectiveInboxSettings;
}

/**
 * Validates a patch against the whole settings schema (every bad key reported at once, as
 * `AppError('invalid_payload')` with `details.problems`) and stores the scope's new override
 * document as the next version. Concurrent updates of one scope are serialised by an advisory
 * transaction lock, so versions never collide.
 */
export async function updateInboxSettings(
  deps: { readonly db: Database },
  input: UpdateInboxSettingsInput,
): Promise<UpdateInboxSettingsResult> {
  if (!isPlainObject(input.patch)) {
    throw new AppError('invalid_payload', {
      message: 'Invalid settings: expected an object of settings to change',
      details: { problems: ['(root): expected an object'] },
    });
  }
  const patch = input.patch;
  const author = input.author.trim() || 'unknown';
  return deps.db.transaction(async (tx) => {
    await tx.execute(
      sql`select pg_advisory_xact_lock(hashtext(${`agent_settings:${input.connection}:${input.inboxId ?? '*'}`}))`,
    );
    const current = await loadLatestSettingsVersion({ db: tx }, input);
    const global =
      input.inboxId === null
        ? null
        : await loadLatestSettingsVersion({ db: tx }, { ...input, inboxId: null });
    const currentOverrides = current?.overrides ?? {};
    const overrides = mergeSettingsPatch(currentOverrides, patch);

    const parsed = inboxSettingsSchema.safeParse(overlaySettings(global?.overrides ?? {}, overrides), {
      reportInput: true,
    });
    if (!parsed.success) {
      const problems = formatSettingsIssues(parsed.error.issues);
      throw new AppError('invalid_payload', {
        message: `Invalid settings (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
        details: { problems },
      });
    }
    const currentVersion = current?.version ?? 0;
    const effectiveVersion = (version: number) =>
      input.inboxId === null
        ? { global: version, inbox: 0 }
        : { global: global?.version ?? 0, inbox: version };
    if (current !== null && isDeepStrictEqual(currentOverrides, overrides)) {
      return {
        changed: false,
        version: currentVersion,
        overrides,
        effective: { settings: parsed.data, version: effectiveVersion(currentVersion) },
      };
    }
    const version = currentVersion + 1;
    await tx.insert(agentSettingsVersions).values({
      connection: input.connection,
      inboxId: input.inboxId,
      version,
      overrides,
      patch,
      author,
    });
    return {
      changed: true,
      version,
      overrides,
      effective: { settings: parsed.data, version: effectiveVersion(version) },
    };
  });
}
