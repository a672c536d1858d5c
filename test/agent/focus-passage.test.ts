import { describe, expect, it } from 'vitest';

import { focusPassage } from '../../src/agent/offline/focus-passage.ts';

const shipping = [
  'Shipping and delivery',
  'ACME Shop ships from our warehouses in Columbus, Ohio and Northampton. Orders placed before 2 p.m. leave the same day; later orders leave the next business day.',
  '## Delivery times and costs in the United States',
  '| Service | Delivery time | Cost |\n| --- | --- | --- |\n| Standard | 3–5 business days | $5.95 |\n| Express | 1–2 business days | $14.95 |',
  'Alaska, Hawaii and Puerto Rico are served by Standard only and take 5–8 business days.',
  '## Canada',
  'Orders to Canada ship with UPS Standard and arrive in 5–10 business days. Shipping costs CA$12 and is free over CA$100.',
].join('\n\n');

describe('focusPassage', () => {
  it('keeps a short passage whole', () => {
    expect(focusPassage('Short answer.', 'anything?', 800)).toBe('Short answer.');
  });

  it('answers with the section that matches, under its heading, within the limit', () => {
    const focused = focusPassage(
      shipping,
      'How long does delivery to Canada take, and how much does it cost?',
      300,
    );
    expect(focused).toContain('## Canada');
    expect(focused).toContain('CA$12');
    expect(focused).not.toContain('Puerto Rico');
    expect(focused.length).toBeLessThanOrEqual(300);
  });

  it('never splits a table', () => {
    const focused = focusPassage(shipping, 'How much is Express shipping in the United States?', 320);
    expect(focused).toContain('| Express | 1–2 business days | $14.95 |');
    expect(focused).toContain('| --- | --- | --- |');
  });
});
