import type { ExtractedDocument } from '../../src/knowledge/extracted-document.ts';

export function markdownDocument(
  sourceUri: string,
  title: string,
  markdown: string,
  language?: string,
): ExtractedDocument {
  return {
    sourceUri,
    title,
    format: 'markdown',
    markdown: `# ${title}\n\n${markdown}`,
    ...(language ? { language } : {}),
  };
}
