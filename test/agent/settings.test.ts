import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createAgentResponder } from '../../src/agent/create-agent-responder.ts';
import { createInboxPolicyLookup } from '../../src/agent/settings/create-inbox-policy-lookup.ts';
import {
  formatEffectiveSettings,
  formatSettingsHistory,
} from '../../src/agent/settings/format-inbox-settings.ts';
import { getEffectiveInboxSettings } from '../../src/agent/settings/get-effective-inbox-settings.ts';
import { DEFAULT_INBOX_SETTINGS } from '../../src/agent/settings/inbox-settings-schema.ts';
import { getInboxSettingsHistory, listInboxSettings } from '../../src/agent/settings/list-inbox-settings.ts';
import { updateInboxSettings } from '../../src/agent/settings/update-inbox-settings.ts';
import type { DatabaseHandle } from '../../src/db/database.ts';
import { agentRuns } from '../../src/db/schema/index.ts';
import { AppError } from '../../src/errors/app-error.ts';
import { createTestDatabase } from '../setup/test-database.ts';
import {
  buildAgentDeps,
  customerMessage,
  responderInput,
  seedConversation,
} from './support/agent-test-deps.ts';
import { createFakeKnowledgeSearch } from './support/fake-knowledge-search.ts';

describe('inbox settings', () => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await createTestDatabase();
  });
  afterAll(async () => {
    await handle.close();
  });

  it('are the built-in defaults (version 0) until something is stored', async () => {
    const effective = await getEffectiveInboxSettings(
      { db: handle.db },
      { connection: 'default', inboxId: 1 },
    );
    expect(effective).toEqual({ settings: DEFAULT_INBOX_SETTINGS, version: { global: 0, inbox: 0 } });
    expect(DEFAULT_INBOX_SETTINGS).toMatchObject({
      enabled: true,
      citations: true,
      language: { answerInCustomerLanguage: true, defaultLanguage: 'en' },
      handoff: { onCustomerRequest: true, onNoAnswer: true, afterUnansweredTurns: 3 },
      businessHours: {
        enabled: false,
        timeZone: 'UTC',
        weekly: { monday: [{ from: '09:00', to: '17:00' }], sunday: [] },
      },
      budgets: {
        perConversation: { maxTokens: null, maxCostUsd: null },
        perDay: { maxTokens: null, maxCostUsd: null },
      },
    });
  });

  it('reject a bad patch, reporting every bad key at once, and store nothing', async () => {
    const attempt = updateInboxSettings(
      { db: handle.db },
      {
        connection: 'default',
        inboxId: 2,
        patch: {
          enabled: 'yes',
          persona: 42,
          colour: 'blue',
          businessHours: { timeZone: 'Mars/Olympus', weekly: { monday: [{ from: '18:00', to: '09:00' }] } },
          budgets: { perDay: { maxCostUsd: -1 } },
          tools: { allowedLabels: ['Not A Label!'] },
          language: { defaultLanguage: 'english' },
        },
        author: 'test',
      },
    );
    await expect(attempt).rejects.toBeInstanceOf(AppError);
    const error = (await attempt.catch((caught: unknown) => caught)) as AppError;
    expect(error.code).toBe('invalid_payload');
    const problems = error.details!.problems as string[];
    const keys = problems.map((problem) => problem.split(':')[0]);
    expect(keys).toEqual(
      expect.arrayContaining([
        'enabled',
        'persona',
        'colour',
        'businessHours.timeZone',
        'businessHours.weekly.monday.0',
        'budgets.perDay.maxCostUsd',
        'tools.allowedLabels.0',
        'language.defaultLanguage',
      ]),
    );
    expect(problems.find((problem) => problem.startsWith('colour'))).toBe('colour: unknown setting');
    expect(problems.find((problem) => problem.startsWith('businessHours.timeZone'))).toContain(
      '"Mars/Olympus"',
    );
    expect(await getInboxSettingsHistory({ db: handle.db }, { connection: 'default', inboxId: 2 })).toEqual(
      [],
    );
    await expect(
      updateInboxSettings(
        { db: handle.db },
        { connection: 'default', inboxId: 2, patch: ['x'], author: 't' },
      ),
    ).rejects.toMatchObject({
      code: 'invalid_payload',
    });
  });

  it('version every change, merge the default with inbox overrides, and inherit again on null', async () => {
    const db = { db: handle.db };
    const first = await updateInboxSettings(db, {
      connection: 'default',
      inboxId: null,
      patch: { name: 'Nina', guardrails: { refuseTopics: ['medical advice'] } },
      author: 'ana',
    });
    expect(first).toMatchObject({
      changed: true,
      version: 1,
      effective: { version: { global: 1, inbox: 0 } },
    });

    const inbox = await updateInboxSettings(db, {
      connection: 'default',
      inboxId: 3,
      patch: { persona: 'Formal and brief.', replyStyle: { split: true } },
      author: 'rui',
    });
    expect(inbox).toMatchObject({
      changed: true,
      version: 1,
      effective: { version: { global: 1, inbox: 1 } },
    });
    expect(inbox.effective.settings).toMatchObject({
      name: 'Nina',
      persona: 'Formal and brief.',
      replyStyle: { split: true, maxLength: 1000 },
    });

    const second = await updateInboxSettings(db, {
      connection: 'default',
      inboxId: 3,
      patch: { name: 'Nora', persona: null },
      author: 'rui',
    });
    expect(second.version).toBe(2);
    expect(second.overrides).toEqual({ name: 'Nora', replyStyle: { split: true } });
    expect(second.effective.settings.persona).toBe(DEFAULT_INBOX_SETTINGS.persona);

    const unchanged = await updateInboxSettings(db, {
      connection: 'default',
      inboxId: 3,
      patch: { name: 'Nora' },
      author: 'rui',
    });
    expect(unchanged).toMatchObject({ changed: false, version: 2 });

    // The connection default changes: inbox 3 sees it without a new inbox version.
    await updateInboxSettings(db, {
      connection: 'default',
      inboxId: null,
      patch: { guardrails: { neverPromise: ['refunds'] } },
      author: 'ana',
    });
    const effective = await getEffectiveInboxSettings(db, { connection: 'default', inboxId: 3 });
    expect(effective.version).toEqual({ global: 2, inbox: 2 });
    expect(effective.settings.guardrails).toEqual({
      refuseTopics: ['medical advice'],
      neverPromise: ['refunds'],
    });
    expect(effective.settings.name).toBe('Nora');
    // Another connection is untouched.
    expect((await getEffectiveInboxSettings(db, { connection: 'other', inboxId: 3 })).version).toEqual({
      global: 0,
      inbox: 0,
    });

    const history = await getInboxSettingsHistory(db, { connection: 'default', inboxId: 3 });
    expect(history.map((record) => [record.version, record.author, record.patch])).toEqual([
      [2, 'rui', { name: 'Nora', persona: null }],
      [1, 'rui', { persona: 'Formal and brief.', replyStyle: { split: true } }],
    ]);
    const scopes = await listInboxSettings(db, { connection: 'default' });
    expect(scopes.map((scope) => [scope.inboxId, scope.version])).toEqual([
      [null, 2],
      [3, 2],
    ]);
    expect(formatSettingsHistory(history)).toMatch(/^v2 {2}inbox 3 .* by rui\n {2}patch:\n {4}name: Nora/);
    const text = formatEffectiveSettings(effective, { inboxId: 3 });
    expect(text.split('\n')[0]).toBe('# inbox 3 — default v2, inbox v2 (v0 = built-in defaults)');
    expect(text).toContain('name: Nora');
  });

  it('serialise concurrent updates of one scope into distinct versions', async () => {
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, index) =>
        updateInboxSettings(
          { db: handle.db },
          { connection: 'default', inboxId: 4, patch: { instructions: `v${index}` }, author: `u${index}` },
        ),
      ),
    );
    expect(results.map((result) => result.version).sort()).toEqual([1, 2, 3, 4, 5]);
  });

  it('are recorded with each run (the versions that produced the answer), and a disabled inbox stays silent', async () => {
    await updateInboxSettings(
      { db: handle.db },
      { connection: 'default', inboxId: 5, patch: { enabled: false }, author: 'ana' },
    );
    const deps = buildAgentDeps({ db: handle.db, knowledge: createFakeKnowledgeSearch([]) });
    const conversation = await seedConversation(handle.db, { inboxId: 5 });
    const decision = await createAgentResponder(deps).respond(
      responderInput(conversation, [customerMessage('Hello')]),
    );
    expect(decision).toMatchObject({ kind: 'silent', reason: 'inbox_disabled' });
    const [run] = await handle.db.select().from(agentRuns).where(eq(agentRuns.id, decision.runId!));
    expect(run).toMatchObject({
      globalSettingsVersion: 2,
      inboxSettingsVersion: 1,
      decisionKind: 'silent',
      responder: 'none',
    });
  });
});

describe('inbox policy for the reply pipeline', () => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await createTestDatabase();
  });
  afterAll(async () => {
    await handle.close();
  });

  it('is read from the effective settings', async () => {
    await updateInboxSettings(
      { db: handle.db },
      {
        connection: 'default',
        inboxId: 6,
        patch: {
          limits: { maxBotTurnsPerEpisode: 4 },
          handoffActions: { labels: ['bot-handoff'], teamId: 3, customerMessage: '' },
        },
        author: 'ana',
      },
    );
    const lookup = createInboxPolicyLookup({ db: handle.db });
    expect(await lookup('default', 6)).toEqual({
      enabled: true,
      maxBotTurns: 4,
      handoff: { labels: ['bot-handoff'], teamId: 3, defaultCustomerMessage: null },
    });
    expect((await lookup('default', 99)).handoff.defaultCustomerMessage).toBe(
      DEFAULT_INBOX_SETTINGS.handoffActions.customerMessage,
    );
  });
});
