import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { extractDirectory } from '../../src/knowledge/extract/extract-directory.ts';
import { extractFile } from '../../src/knowledge/extract/extract-file.ts';
import { isExtractionError } from '../../src/knowledge/extract/extraction-error.ts';
import { buildDocx } from './fixtures/build-docx.ts';
import { buildPdf } from './fixtures/build-pdf.ts';

let root: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'extract-directory-'));
  await mkdir(path.join(root, 'guides', 'deep'), { recursive: true });
  await mkdir(path.join(root, '.git'));
  await writeFile(path.join(root, 'README.md'), '# Welcome\n\nHello.');
  await writeFile(
    path.join(root, 'guides', 'returns.pdf'),
    buildPdf([['Return within 30 days.']], { title: 'Returns' }),
  );
  await writeFile(
    path.join(root, 'guides', 'deep', 'shipping.docx'),
    buildDocx([{ heading: 1, text: 'Shipping' }, { paragraph: 'Worldwide.' }]),
  );
  await writeFile(path.join(root, 'guides', 'faq.csv'), 'question,answer\nOpen on Sunday?,No.\nHalf row,\n');
  await writeFile(path.join(root, 'guides', 'prices.csv'), 'product,price\nshoe,10\n');
  await writeFile(path.join(root, 'logo.png'), new Uint8Array([137, 80, 78, 71]));
  await writeFile(path.join(root, '.hidden.md'), '# Secret');
  await writeFile(path.join(root, '.git', 'config.txt'), 'nope');
  await writeFile(path.join(root, 'notes.txt'), 'Plain notes.');
  await symlink(path.join(root, 'README.md'), path.join(root, 'link.md'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('extractDirectory', () => {
  it('extracts supported files with relative sourceUris and reports failures, skips and warnings without stopping', async () => {
    const progress: string[] = [];
    const result = await extractDirectory(root, {
      onProgress: (event) => progress.push(`${event.outcome}:${event.sourceUri}`),
    });

    expect(result.documents.map((document) => [document.sourceUri, document.format, document.title])).toEqual(
      [
        ['README.md', 'markdown', 'Welcome'],
        ['guides/deep/shipping.docx', 'docx', 'Shipping'],
        ['guides/faq.csv', 'faq', 'Faq'],
        ['guides/returns.pdf', 'pdf', 'Returns'],
        ['notes.txt', 'text', 'Notes'],
      ],
    );
    expect(result.errors.map((failure) => [failure.sourceUri, failure.error.reason])).toEqual([
      ['guides/prices.csv', 'faq_columns_not_found'],
    ]);
    expect(result.skipped).toEqual([
      { sourceUri: 'link.md', reason: 'symbolic_link' },
      { sourceUri: 'logo.png', reason: 'unsupported_format' },
    ]);
    expect(result.warnings).toEqual([
      { sourceUri: 'guides/faq.csv', message: 'row 3 skipped: it has a question but no answer' },
    ]);
    expect(progress).toContain('failed:guides/prices.csv');
    expect(progress).toHaveLength(6);
  });

  it('stops at the file limit and reports the rest as skipped', async () => {
    const result = await extractDirectory(root, { maxFiles: 2 });
    expect(result.documents).toHaveLength(2);
    expect(
      result.skipped.filter((skip) => skip.reason === 'file_limit').map((skip) => skip.sourceUri),
    ).toEqual(['guides/faq.csv', 'guides/prices.csv', 'guides/returns.pdf', 'notes.txt']);
  });
});

describe('extractFile', () => {
  it('dispatches by extension and names the document after the file by default', async () => {
    const [document] = await extractFile(path.join(root, 'guides', 'returns.pdf'));
    expect(document).toMatchObject({ sourceUri: 'returns.pdf', format: 'pdf' });
  });

  it('rejects unsupported extensions and files over the size limit with typed errors', async () => {
    await expect(extractFile(path.join(root, 'logo.png'))).rejects.toSatisfy((error) =>
      isExtractionError(error, 'unsupported_format'),
    );
    await expect(extractFile(path.join(root, 'README.md'), { maxBytes: 3 })).rejects.toSatisfy((error) =>
      isExtractionError(error, 'too_large'),
    );
    await expect(extractFile(path.join(root, 'missing.md'))).rejects.toSatisfy((error) =>
      isExtractionError(error, 'read_failed'),
    );
  });
});
