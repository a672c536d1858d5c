/** Where the FAQ fields sit in a table; indexes are zero-based columns, `headerRow` a zero-based row. */
export interface FaqColumns {
  readonly headerRow: number;
  readonly question: number;
  readonly answer: number;
  readonly url?: number;
  readonly title?: number;
  readonly language?: number;
}

type FaqField = 'question' | 'answer' | 'url' | 'title' | 'language';

/**
 * Header names we recognise, compared after lower-casing and removing accents and punctuation
 * (`Pregunta`, `PERGUNTA?`, `Título` all match). English, Portuguese and Spanish, like the product.
 */
const HEADER_NAMES: Record<FaqField, readonly string[]> = {
  question: ['question', 'questions', 'pergunta', 'perguntas', 'pregunta', 'preguntas', 'q'],
  answer: ['answer', 'answers', 'resposta', 'respostas', 'respuesta', 'respuestas', 'a'],
  url: ['url', 'link', 'source url', 'enlace'],
  title: ['title', 'titulo', 'category', 'categoria'],
  language: ['language', 'lang', 'locale', 'idioma', 'lingua'],
};

/** Spreadsheets often have a banner or a blank line above the header: look a few rows down. */
const HEADER_SCAN_ROWS = 10;

export function normalizeHeader(header: string): string {
  return header
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** Finds the first row (within the first few) that names both a question and an answer column; `null` if none. */
export function detectFaqColumns(rows: readonly (readonly string[])[]): FaqColumns | null {
  for (let rowIndex = 0; rowIndex < Math.min(rows.length, HEADER_SCAN_ROWS); rowIndex += 1) {
    const found = matchHeaderRow(rows[rowIndex] ?? []);
    if (found.question !== undefined && found.answer !== undefined) {
      return { ...found, headerRow: rowIndex, question: found.question, answer: found.answer };
    }
  }
  return null;
}

function matchHeaderRow(cells: readonly string[]): Partial<Record<FaqField, number>> {
  const found: Partial<Record<FaqField, number>> = {};
  cells.forEach((cell, columnIndex) => {
    const name = normalizeHeader(cell);
    for (const field of Object.keys(HEADER_NAMES) as FaqField[]) {
      // The first matching column wins, so a second "Answer (old)" column does not override the first.
      if (found[field] === undefined && HEADER_NAMES[field].includes(name)) found[field] = columnIndex;
    }
  });
  return found;
}
