import { stringify } from 'yaml';

import type { EffectiveInboxSettings } from './get-effective-inbox-settings.ts';
import type { SettingsVersionRecord } from './list-inbox-settings.ts';

/** `chatwoot-agent config get`: the effective settings as YAML under a one-line header. */
export function formatEffectiveSettings(
  effective: EffectiveInboxSettings,
  scope: { readonly inboxId: number | null },
): string {
  const header = `# ${scope.inboxId === null ? 'connection default' : `inbox ${scope.inboxId}`} — default v${effective.version.global}${
    scope.inboxId === null ? '' : `, inbox v${effective.version.inbox}`
  } (v0 = built-in defaults)`;
  return `${header}\n${stringify(effective.settings).trimEnd()}\n`;
}

/** `chatwoot-agent config history`: one block per version, newest first, with the patch that made it. */
export function formatSettingsHistory(records: readonly SettingsVersionRecord[]): string {
  if (records.length === 0) return 'No stored versions: the built-in defaults apply.\n';
  return records
    .map((record) => {
      const scope = record.inboxId === null ? 'default' : `inbox ${record.inboxId}`;
      const patch = stringify(record.patch)
        .trimEnd()
        .split('\n')
        .map((line) => `    ${line}`)
        .join('\n');
      return `v${record.version}  ${scope}  ${record.createdAt.toISOString()}  by ${record.author}\n  patch:\n${patch}`;
    })
    .join('\n')
    .concat('\n');
}
