import { readFileSync } from 'node:fs';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { TestSimulator } from './start-test-simulator.ts';
import { startTestSimulator } from './start-test-simulator.ts';

const FIXTURES_DIR = path.resolve(import.meta.dirname, '../fixtures/chatwoot/webhooks');

function loadFixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(FIXTURES_DIR, `${name}.json`), 'utf8')) as Record<string, unknown>;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** Every key of `expected` must exist in `actual` with the same value type, recursively, and no extra keys. */
function shapeDifferences(expected: unknown, actual: unknown, at = '$'): string[] {
  if (kindOf(expected) !== kindOf(actual))
    return [`${at}: expected ${kindOf(expected)}, got ${kindOf(actual)}`];
  if (Array.isArray(expected) && Array.isArray(actual)) {
    if (expected.length > 0 && actual.length === 0) return [`${at}: expected a non-empty array`];
    return expected
      .slice(0, actual.length)
      .flatMap((item, index) => shapeDifferences(item, actual[index], `${at}[${index}]`));
  }
  if (kindOf(expected) !== 'object') return [];
  const expectedObject = expected as Record<string, unknown>;
  const actualObject = actual as Record<string, unknown>;
  const missing = Object.keys(expectedObject).filter((key) => !(key in actualObject));
  const extra = Object.keys(actualObject).filter((key) => !(key in expectedObject));
  return [
    ...missing.map((key) => `${at}.${key}: missing`),
    ...extra.map((key) => `${at}.${key}: unexpected`),
    ...Object.keys(expectedObject)
      .filter((key) => key in actualObject)
      .flatMap((key) => shapeDifferences(expectedObject[key], actualObject[key], `${at}.${key}`)),
  ];
}

let t: TestSimulator;
const captured = new Map<string, Record<string, unknown>>();

/** Replays the fixtures' story: Maria writes, the bot answers and hands off, Daniel takes over. */
beforeAll(async () => {
  // A clock with milliseconds so `updated_at` serialises as a float like Chatwoot's.
  let clock = Date.parse('2026-07-17T09:41:20.512Z');
  t = await startTestSimulator({
    now: () => {
      clock += 1013;
      return clock;
    },
  });
  const byEvent = (predicate: (body: Record<string, unknown>) => boolean) =>
    t.receiver.received.map((webhook) => webhook.body).findLast(predicate)!;

  const { conversationId: id } = t.simulator.customerSays({
    inboxId: 3,
    content: 'Hi! Can you check order A-1042?',
    contact: { name: 'Maria Lopez', email: 'maria.lopez@example.com' },
  });
  await t.api('POST', `/conversations/${id}/messages`, { body: { content: 'It ships today.' } });
  await t.api('POST', `/conversations/${id}/messages`, {
    body: { content: 'Connecting you with our team.' },
  });
  await t.api('POST', `/conversations/${id}/toggle_status`, { body: { status: 'open' } });
  t.simulator.agentAssigns(id, 3);
  t.simulator.agentReplies(id, 'VIP customer', { private: true, userId: 3 });
  t.simulator.agentReplies(id, 'Daniel here, upgraded to express.', { userId: 3 });
  t.simulator.widgetOpened({ inboxId: 3 });
  await t.simulator.idle();

  captured.set(
    'message_created.incoming',
    byEvent((b) => b.event === 'message_created' && b.message_type === 'incoming'),
  );
  captured.set(
    'message_created.outgoing_bot',
    byEvent(
      (b) => b.event === 'message_created' && (b.sender as { type?: string } | null)?.type === 'agent_bot',
    ),
  );
  captured.set(
    'conversation_status_changed',
    byEvent((b) => b.event === 'conversation_status_changed'),
  );
  captured.set(
    'conversation_updated',
    byEvent(
      (b) =>
        b.event === 'conversation_updated' &&
        JSON.stringify(b.changed_attributes).includes('"assignee_id":{"previous_value":null'),
    ),
  );
  captured.set(
    'message_created.private_note',
    byEvent((b) => b.event === 'message_created' && b.private === true),
  );
  captured.set(
    'message_created.outgoing_human',
    byEvent(
      (b) =>
        b.event === 'message_created' &&
        b.private === false &&
        (b.sender as { type?: string } | null)?.type === 'user',
    ),
  );
  captured.set(
    'webwidget_triggered',
    byEvent((b) => b.event === 'webwidget_triggered'),
  );
});

afterAll(async () => {
  await t.close();
});

describe('webhook payloads match the contract fixtures', () => {
  it.each([
    'message_created.incoming',
    'message_created.outgoing_bot',
    'message_created.private_note',
    'message_created.outgoing_human',
    'conversation_status_changed',
    'conversation_updated',
    'webwidget_triggered',
  ])('%s has the same keys and value types', (name) => {
    const fixture = loadFixture(name);
    const payload = captured.get(name);
    expect(payload, `no ${name} webhook was delivered`).toBeDefined();
    expect(shapeDifferences(fixture, payload)).toEqual([]);
    // Top-level key order follows Ruby's hash order (event last, then the listener's extras).
    expect(Object.keys(payload!)).toEqual(Object.keys(fixture));
  });

  it('uses Chatwoot formats: string vs integer message_type, ISO vs unix times, float updated_at', () => {
    const incoming = captured.get('message_created.incoming')!;
    const conversation = incoming.conversation as Record<string, unknown>;
    const pushed = (conversation.messages as Record<string, unknown>[])[0]!;
    expect(incoming.message_type).toBe('incoming');
    expect(incoming.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(pushed.message_type).toBe(0);
    expect(Number.isInteger(pushed.created_at)).toBe(true);
    expect(pushed.id).toBe(incoming.id);
    expect(Number.isInteger(conversation.updated_at)).toBe(false);
    expect(conversation).toMatchObject({ status: 'pending', channel: 'Channel::WebWidget', inbox_id: 3 });
    expect(incoming.content_attributes).toEqual({ in_reply_to: null });
    const note = captured.get('message_created.private_note')!;
    const lastPublic = (
      (note.conversation as Record<string, unknown>).messages as Record<string, unknown>[]
    )[0]!;
    expect(lastPublic.content).toBe('Connecting you with our team.');
  });
});
