import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { classifyWebhookEvent } from '../../src/chatwoot/classify-webhook-event.ts';
import { parseWebhookEvent } from '../../src/chatwoot/parse-webhook-event.ts';
import { FIXTURES_DIR, loadFixture } from '../setup/signed-delivery.ts';

/** The fixtures README's scenario table, as classifications. */
const EXPECTED: Record<string, string> = {
  'message_created.incoming': 'customer_message',
  'message_created.outgoing_bot': 'bot_echo',
  'message_created.private_note': 'private_note',
  'message_created.outgoing_human': 'human_reply',
  conversation_status_changed: 'status_change',
  conversation_updated: 'assignment_change',
  webwidget_triggered: 'widget_event',
};

describe('classifying Chatwoot webhook fixtures', () => {
  const files = readdirSync(FIXTURES_DIR).filter((file) => file.endsWith('.json'));

  it('covers every fixture in the folder', () => {
    expect(files.map((file) => file.replace(/\.json$/, '')).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(Object.entries(EXPECTED))('%s → %s', (name, classification) => {
    expect(classifyWebhookEvent(parseWebhookEvent(loadFixture(name)))).toBe(classification);
  });

  it('classifies a template (greeting) message with a null sender', () => {
    const body = { ...loadFixture('message_created.outgoing_bot'), message_type: 'template', sender: null };
    expect(classifyWebhookEvent(parseWebhookEvent(body))).toBe('template_message');
  });

  it('treats message_updated and unknown events as other', () => {
    expect(
      classifyWebhookEvent(
        parseWebhookEvent({ ...loadFixture('message_created.incoming'), event: 'message_updated' }),
      ),
    ).toBe('other');
    expect(classifyWebhookEvent(parseWebhookEvent({ event: 'conversation_typing_on', foo: 1 }))).toBe(
      'other',
    );
  });

  it('keeps its fixture copies identical to the shared contract fixtures when those are present', () => {
    const shared = path.resolve(process.cwd(), '../shared/fixtures/chatwoot/webhooks');
    let sharedFiles: string[];
    try {
      sharedFiles = readdirSync(shared).filter((file) => file.endsWith('.json'));
    } catch {
      console.warn(
        `shared fixtures not found at ${shared}; comparing skipped (the local copies are still tested)`,
      );
      return;
    }
    for (const file of sharedFiles) {
      expect(readFileSync(path.join(FIXTURES_DIR, file), 'utf8'), file).toBe(
        readFileSync(path.join(shared, file), 'utf8'),
      );
    }
  });
});
