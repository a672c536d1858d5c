import { describe, expect, it } from 'vitest';

import type { ActivityChange } from '../../src/simulator/build-activity-content.ts';
import { buildActivityContent } from '../../src/simulator/build-activity-content.ts';
import { normalizeWebhookContent } from '../../src/simulator/build-conversation-webhook-data.ts';
import { isBotAccessible } from '../../src/simulator/bot-accessible-endpoints.ts';

const CURRENT = { botMayReadConversation: true, botMayManageLabels: true };
const BEFORE_4_14_2 = { botMayReadConversation: false, botMayManageLabels: false };

describe('isBotAccessible (BOT_ACCESSIBLE_ENDPOINTS)', () => {
  it.each([
    ['api/v1/accounts/conversations', 'show', CURRENT, true],
    ['api/v1/accounts/conversations', 'toggle_status', CURRENT, true],
    ['api/v1/accounts/conversations', 'toggle_typing_status', CURRENT, true],
    ['api/v1/accounts/conversations', 'toggle_priority', CURRENT, true],
    ['api/v1/accounts/conversations', 'create', CURRENT, true],
    ['api/v1/accounts/conversations', 'update', CURRENT, true],
    ['api/v1/accounts/conversations', 'custom_attributes', CURRENT, true],
    ['api/v1/accounts/conversations', 'index', CURRENT, false],
    ['api/v1/accounts/conversations', 'destroy', CURRENT, false],
    ['api/v1/accounts/conversations/messages', 'create', CURRENT, true],
    ['api/v1/accounts/conversations/messages', 'index', CURRENT, false],
    ['api/v1/accounts/conversations/assignments', 'create', CURRENT, true],
    ['api/v1/accounts/conversations/labels', 'index', CURRENT, true],
    ['api/v1/accounts/conversations/labels', 'create', CURRENT, true],
    ['api/v1/accounts/contacts', 'show', CURRENT, false],
    ['api/v1/accounts/conversations', 'show', BEFORE_4_14_2, false],
    ['api/v1/accounts/conversations/labels', 'create', BEFORE_4_14_2, false],
    ['api/v1/accounts/conversations', 'toggle_status', BEFORE_4_14_2, true],
  ])('%s#%s → %s', (controller, action, options, expected) => {
    expect(isBotAccessible(controller, action, options)).toBe(expected);
  });
});

describe('buildActivityContent', () => {
  it.each<[ActivityChange, string | null, string[]]>([
    [{ kind: 'status', status: 'open' }, 'Acme Assistant', ['Conversation was reopened by Acme Assistant']],
    [
      { kind: 'status', status: 'resolved' },
      'Daniel Kim',
      ['Conversation was marked resolved by Daniel Kim'],
    ],
    [{ kind: 'status', status: 'open' }, null, []],
    [
      { kind: 'assignee', assigneeName: 'Daniel Kim', isSelfAssigned: true },
      'Daniel Kim',
      ['Daniel Kim self-assigned this conversation'],
    ],
    [
      { kind: 'assignee', assigneeName: 'Priya Shah', isSelfAssigned: false },
      'Daniel Kim',
      ['Assigned to Priya Shah by Daniel Kim'],
    ],
    [
      { kind: 'assignee', assigneeName: null, isSelfAssigned: false },
      'Daniel Kim',
      ['Conversation unassigned by Daniel Kim'],
    ],
    [
      { kind: 'labels', added: ['vip'], removed: ['billing'] },
      'Bot',
      ['Bot added vip', 'Bot removed billing'],
    ],
    [{ kind: 'priority', previous: null, current: 'high' }, 'Bot', ['Bot set the priority to high']],
  ])('%j by %s', (change, userName, expected) => {
    expect(buildActivityContent(change, userName)).toEqual(expected);
  });
});

describe('normalizeWebhookContent', () => {
  it.each([
    ['line one\\\nline two', 'line one\nline two'],
    ['trailing\n\n', 'trailing'],
    ['plain', 'plain'],
    [null, null],
  ])('%j → %j', (input, expected) => {
    expect(normalizeWebhookContent(input)).toBe(expected);
  });
});
