import ExcelJS from 'exceljs';

import { coerceError } from '../../errors/coerce-error.ts';
import type { ExtractedDocument } from '../extracted-document.ts';
import { slugify } from './build-faq-documents.ts';
import { detectFaqColumns } from './detect-faq-columns.ts';
import { type FaqExtractionOptions, faqTableToDocuments } from './extract-faq-csv.ts';
import type { BinarySourceInput } from './extract-pdf.ts';
import { ExtractionError } from './extraction-error.ts';
import { titleFromSourceUri } from './title-from-source-uri.ts';

/**
 * FAQ tables in Excel workbooks: every sheet with question and answer columns is read (others are ignored, e.g.
 * a "notes" sheet); none at all is an `faq_columns_not_found` error. With several FAQ sheets each becomes its
 * own group of documents (`file.xlsx#sheet-name`), titled after the sheet.
 */
export async function extractFaqXlsx(
  input: BinarySourceInput,
  options: FaqExtractionOptions = {},
): Promise<ExtractedDocument[]> {
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(Buffer.from(input.data) as unknown as ExcelJS.Buffer);
  } catch (error) {
    throw new ExtractionError('parse_failed', {
      sourceUri: input.sourceUri,
      message: `not a readable XLSX workbook (${coerceError(error).message})`,
      cause: error,
    });
  }
  const sheets = workbook.worksheets
    .map((sheet) => ({ name: sheet.name, rows: sheetRows(sheet) }))
    .filter((sheet) => detectFaqColumns(sheet.rows) !== null);
  if (sheets.length === 0) {
    throw new ExtractionError('faq_columns_not_found', {
      sourceUri: input.sourceUri,
      message:
        'no sheet has question and answer columns: name the header cells "question" and "answer" ' +
        '(or pergunta/resposta, pregunta/respuesta, q/a)',
      details: { sheets: workbook.worksheets.map((sheet) => sheet.name) },
    });
  }
  const fileTitle = titleFromSourceUri(input.sourceUri);
  return sheets.flatMap((sheet) =>
    faqTableToDocuments(
      sheets.length === 1
        ? { sourceUri: input.sourceUri, defaultTitle: fileTitle, rows: sheet.rows }
        : {
            sourceUri: `${input.sourceUri}#${slugify(sheet.name) || 'sheet'}`,
            defaultTitle: sheet.name,
            rows: sheet.rows,
          },
      options,
    ),
  );
}

/** Rows as text, with blank rows kept so reported row numbers match the sheet. */
function sheetRows(sheet: ExcelJS.Worksheet): string[][] {
  const rows: string[][] = [];
  for (let rowNumber = 1; rowNumber <= sheet.rowCount; rowNumber += 1) {
    const row = sheet.getRow(rowNumber);
    const cells: string[] = [];
    for (let columnNumber = 1; columnNumber <= row.cellCount; columnNumber += 1) {
      cells.push(cellText(row.getCell(columnNumber).value));
    }
    rows.push(cells);
  }
  return rows;
}

/** Every ExcelJS cell value shape as plain text; hyperlink cells give their target when they show no text. */
export function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value.toISOString();
  if ('richText' in value) return value.richText.map((run) => run.text).join('');
  if ('hyperlink' in value) return cellText(value.text) || value.hyperlink;
  if ('formula' in value || 'sharedFormula' in value) return cellText(value.result ?? null);
  if ('error' in value) return '';
  return '';
}
