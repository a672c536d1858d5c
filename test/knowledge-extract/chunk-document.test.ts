import { describe, expect, it } from 'vitest';

import { chunkDocument, type ChunkOptions } from '../../src/knowledge/chunk/chunk-document.ts';
import { estimateTokens } from '../../src/knowledge/chunk/estimate-tokens.ts';
import { parseMarkdownBlocks } from '../../src/knowledge/chunk/parse-markdown-blocks.ts';
import type { ExtractedDocument } from '../../src/knowledge/extracted-document.ts';

const doc = (markdown: string, extra: Partial<ExtractedDocument> = {}): ExtractedDocument => ({
  sourceUri: 'test.md',
  title: 'Help',
  format: 'markdown',
  markdown,
  ...extra,
});

/** Distinct, countable sentences: "Sentence 1 is about shipping parcels." … */
const sentences = (count: number, start = 1): string =>
  Array.from(
    { length: count },
    (_, index) => `Sentence ${start + index} is about shipping parcels safely.`,
  ).join(' ');

const bodies = (markdown: string, options?: ChunkOptions): string[] =>
  chunkDocument(doc(markdown), options).map((chunk) => chunk.content);

describe('estimateTokens', () => {
  it.each([
    ['', 0],
    ['   ', 0],
    ['one two three four', 6], // words × 1.3 = 5.2 → 6
    ['https://example.com/a/very/long/path/without/spaces', 13], // 52 chars / 4
  ])('%j → %i', (text, expected) => {
    expect(estimateTokens(text)).toBe(expected);
  });
});

describe('parseMarkdownBlocks', () => {
  it.each<[string, string, string[]]>([
    [
      'ATX and setext headings',
      '# One\n\nTwo\n===\n\nThree\n---\ntext',
      ['heading:One', 'heading:Two', 'heading:Three', 'paragraph'],
    ],
    [
      'a fence keeps # lines and blank lines',
      '```sh\n# not a heading\n\necho hi\n```\nafter',
      ['code', 'paragraph'],
    ],
    ['a loose list stays one block', '- a\n\n- b\n  continued\n\nPara', ['list', 'paragraph']],
    ['a table needs its delimiter row', 'a | b\n--- | ---\n1 | 2\n\nx | y', ['table', 'paragraph']],
    ['rules are dropped, quotes kept', 'p1\n\n* * *\n\n> quoted\n> more', ['paragraph', 'quote']],
    ['a list ends at a heading', '1. one\n2. two\n## Next', ['list', 'heading:Next']],
  ])('%s', (_name, markdown, expected) => {
    expect(
      parseMarkdownBlocks(markdown).map((block) =>
        block.kind === 'heading' ? `heading:${block.title}` : block.kind,
      ),
    ).toEqual(expected);
  });

  it('strips inline Markdown from heading titles', () => {
    expect(parseMarkdownBlocks('## **Ship** [rates](https://x.example) `v2` \\#1 ##')[0]).toMatchObject({
      title: 'Ship rates v2 #1',
    });
  });
});

describe('chunkDocument', () => {
  it.each([
    ['empty markdown', ''],
    ['whitespace only', ' \n\n\t\n'],
    ['headings without content', '# A\n\n## B'],
    ['rules only', '---\n\n***'],
  ])('returns no passages for %s', (_name, markdown) => {
    expect(chunkDocument(doc(markdown))).toEqual([]);
  });

  it('prefixes each passage with the title and heading path and records the path', () => {
    const markdown = `# Shipping\n\n${sentences(30)}\n\n## International\n\n${sentences(30, 100)}`;
    const chunks = chunkDocument(doc(markdown, { title: 'Store help' }), { targetTokens: 300 });
    expect(chunks.map((chunk) => chunk.headingPath)).toEqual([['Shipping'], ['Shipping', 'International']]);
    expect(chunks[0]?.content.startsWith('Store help > Shipping\n\nSentence 1 ')).toBe(true);
    expect(chunks[1]?.content.startsWith('Store help > Shipping > International\n\nSentence 100 ')).toBe(
      true,
    );
    expect(chunks.map((chunk) => chunk.index)).toEqual([0, 1]);
    for (const chunk of chunks) expect(chunk.tokenCount).toBe(estimateTokens(chunk.content));
  });

  it('does not repeat the title when it is the first heading, and can leave it out', () => {
    expect(bodies('# Help\n\nText.')).toEqual(['Help\n\nText.']);
    expect(chunkDocument(doc('Intro text.'), { includeTitle: false })[0]?.content).toBe('Intro text.');
    expect(chunkDocument(doc('Intro text.'))[0]?.content).toBe('Help\n\nIntro text.');
  });

  it('merges small sections under their common heading and keeps the sub-headings in the text', () => {
    const chunks = chunkDocument(
      doc('# Shipping\n\n## Domestic\n\nThree days.\n\n## International\n\nTen days.'),
    );
    expect(chunks).toEqual([
      {
        index: 0,
        content: 'Help > Shipping\n\n## Domestic\n\nThree days.\n\n## International\n\nTen days.',
        headingPath: ['Shipping'],
        tokenCount: estimateTokens(
          'Help > Shipping\n\n## Domestic\n\nThree days.\n\n## International\n\nTen days.',
        ),
        kind: 'passage',
      },
    ]);
  });

  it('keeps a list whole, moving it to the next passage rather than cutting it', () => {
    const list = Array.from({ length: 12 }, (_, index) => `- Item ${index + 1} ships in two days`).join('\n');
    const chunks = bodies(`${sentences(25)}\n\n${list}`, { targetTokens: 300, overlapRatio: 0 });
    expect(chunks).toHaveLength(2);
    expect(chunks[0]).not.toContain('- Item');
    expect(chunks[1]).toBe(`Help\n\n${list}`);
  });

  it('splits a table over the hard maximum by rows and repeats the header row in every piece', () => {
    const rows = Array.from(
      { length: 120 },
      (_, index) => `| Country ${index} | ${index + 3} business days |`,
    );
    const table = ['| Country | Delivery |', '| --- | --- |', ...rows].join('\n');
    const chunks = chunkDocument(doc(`## Rates\n\n${table}`), {
      targetTokens: 200,
      maxTokens: 300,
      overlapRatio: 0,
    });
    expect(chunks.length).toBeGreaterThan(2);
    for (const chunk of chunks) {
      expect(chunk.content).toMatch(
        /^Help > Rates\n\n\| Country \| Delivery \|\n\| --- \| --- \|\n\| Country \d+ /,
      );
      expect(chunk.tokenCount).toBeLessThanOrEqual(300);
    }
    const allRows = chunks.flatMap((chunk) =>
      chunk.content.split('\n').filter((line) => line.startsWith('| Country ') && !line.includes('Delivery')),
    );
    expect(allRows).toEqual(rows);
  });

  it('keeps a code block whole below the maximum and re-fences it when it must be split', () => {
    const small = '```js\nconst a = 1;\n\nconst b = 2;\n```';
    expect(bodies(`Intro.\n\n${small}`)).toEqual([`Help\n\nIntro.\n\n${small}`]);

    const lines = Array.from({ length: 200 }, (_, index) => `console.log("line ${index}");`);
    const chunks = bodies(`\`\`\`js\n${lines.join('\n')}\n\`\`\``, {
      targetTokens: 150,
      maxTokens: 200,
      overlapRatio: 0,
    });
    expect(chunks.length).toBeGreaterThan(5);
    for (const chunk of chunks) expect(chunk).toMatch(/^Help\n\n```js\nconsole\.log[\s\S]*\n```$/);
    expect(chunks.join('\n').match(/console\.log/g)).toHaveLength(200);
  });

  it('splits a paragraph over the hard maximum on sentence boundaries only', () => {
    const paragraph = sentences(120);
    const chunks = chunkDocument(doc(paragraph), { targetTokens: 200, maxTokens: 250, overlapRatio: 0 });
    expect(chunks.length).toBeGreaterThan(3);
    for (const chunk of chunks) {
      expect(chunk.tokenCount).toBeLessThanOrEqual(250);
      expect(chunk.content).toMatch(/^Help\n\nSentence \d+ [\s\S]*safely\.$/);
    }
    const numbers = chunks.flatMap((chunk) =>
      [...chunk.content.matchAll(/Sentence (\d+)/g)].map((match) => Number(match[1])),
    );
    expect(numbers).toEqual(Array.from({ length: 120 }, (_, index) => index + 1));
  });

  it('overlaps consecutive passages of a section with whole trailing sentences', () => {
    const paragraphs = Array.from({ length: 8 }, (_, index) => sentences(6, index * 10 + 1)).join('\n\n');
    const chunks = bodies(paragraphs, { targetTokens: 150, overlapRatio: 0.2 });
    expect(chunks.length).toBeGreaterThan(1);
    for (let index = 1; index < chunks.length; index += 1) {
      const previous = chunks[index - 1] ?? '';
      const firstBody = (chunks[index] ?? '').replace(/^Help\n\n/, '');
      const firstSentence = /^Sentence \d+ [^.]*\./.exec(firstBody)?.[0];
      expect(firstSentence, `passage ${index} starts with a whole sentence`).toBeDefined();
      expect(previous, `passage ${index} repeats the end of the previous one`).toContain(firstSentence);
    }
    const withoutOverlap = bodies(paragraphs, { targetTokens: 150, overlapRatio: 0 });
    expect(withoutOverlap.join('').length).toBeLessThan(chunks.join('').length);
  });

  it('does not carry overlap across sections', () => {
    const chunks = bodies(`## A\n\n${sentences(40)}\n\n## B\n\n${sentences(40, 200)}`, {
      targetTokens: 300,
      overlapRatio: 0.3,
    });
    const firstOfB = chunks.find((chunk) => chunk.startsWith('Help > B'));
    expect(firstOfB).toMatch(/^Help > B\n\nSentence 200 /);
  });

  it('turns every FAQ entry into exactly one passage and ignores the rendered Markdown', () => {
    const longAnswer = sentences(200);
    const chunks = chunkDocument(
      doc('## Ignored\n\nrendered copy', {
        format: 'faq',
        faqEntries: [
          { question: 'Do you ship abroad?', answer: 'Yes, to 40 countries.' },
          { question: '  ', answer: 'orphan answer' },
          { question: 'Long one?', answer: longAnswer },
        ],
      }),
      { targetTokens: 100, maxTokens: 150 },
    );
    expect(chunks).toEqual([
      {
        index: 0,
        content: 'Q: Do you ship abroad?\nA: Yes, to 40 countries.',
        headingPath: [],
        tokenCount: 13,
        kind: 'faq',
      },
      {
        index: 1,
        content: `Q: Long one?\nA: ${longAnswer}`,
        headingPath: [],
        tokenCount: estimateTokens(`Q: Long one?\nA: ${longAnswer}`),
        kind: 'faq',
      },
    ]);
  });

  it('chunks the Markdown body and the FAQ entries of a non-FAQ document', () => {
    const chunks = chunkDocument(doc('Body text.', { faqEntries: [{ question: 'Q?', answer: 'A.' }] }));
    expect(chunks.map((chunk) => [chunk.index, chunk.kind])).toEqual([
      [0, 'passage'],
      [1, 'faq'],
    ]);
  });

  it('is deterministic', () => {
    const markdown = `# T\n\n${sentences(50)}\n\n- a\n- b\n\n## U\n\n${sentences(50)}`;
    expect(chunkDocument(doc(markdown), { targetTokens: 100 })).toEqual(
      chunkDocument(doc(markdown), { targetTokens: 100 }),
    );
  });

  it.each<[string, ChunkOptions]>([
    ['a tiny target', { targetTokens: 5 }],
    ['a maximum below the target', { targetTokens: 300, maxTokens: 200 }],
    ['an overlap above half', { overlapRatio: 0.9 }],
    ['a fractional target', { targetTokens: 100.5 }],
  ])('rejects %s', (_name, options) => {
    expect(() => chunkDocument(doc('x'), options)).toThrow(RangeError);
  });
});
