import { describe, expect, it } from 'vitest';

import { runDemo } from '../../src/demo/run-demo.ts';

describe('chatwoot-agent demo', () => {
  it('plays the scripted conversation with the offline responder and every check passes', async () => {
    const lines: string[] = [];
    const checks = await runDemo({
      print: (line) => lines.push(line),
      overrides: { LLM_PROVIDER: 'none', EMBEDDING_PROVIDER: 'none' },
    });
    const transcript = lines.join('\n');
    expect(checks.filter((check) => !check.passed)).toEqual([]);
    expect(checks).toHaveLength(10);
    // The transcript a user sees: an answer with its source, one reply to the burst, Portuguese,
    // the handoff note, the human, and silence.
    expect(transcript).toContain('answering with: the offline responder');
    expect(transcript).toMatch(/🤖 ACME Assistant: [\s\S]*CA\$12[\s\S]*🔗 Shipping and delivery/);
    expect(transcript).toMatch(/🔗 Formas de pagamento/);
    expect(transcript).toContain(
      '📝 private note by the bot: 🤖 Handed off to a human — reason: customer asked for human',
    );
    expect(transcript).toContain('🧑 Daniel (human agent)');
    expect(transcript).toContain('10 of 10 demo checks passed');
  }, 180_000);
});
