import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';

import { extractDocx } from '../../src/knowledge/extract/extract-docx.ts';
import { extractFaqCsv } from '../../src/knowledge/extract/extract-faq-csv.ts';
import { extractFaqXlsx } from '../../src/knowledge/extract/extract-faq-xlsx.ts';
import { extractHtml } from '../../src/knowledge/extract/extract-html.ts';
import { extractMarkdown } from '../../src/knowledge/extract/extract-markdown.ts';
import { extractPdf } from '../../src/knowledge/extract/extract-pdf.ts';
import { extractPlainText } from '../../src/knowledge/extract/extract-plain-text.ts';
import type { ExtractionWarning } from '../../src/knowledge/extract/build-faq-documents.ts';
import { ExtractionError, isExtractionError } from '../../src/knowledge/extract/extraction-error.ts';
import { buildDocx } from './fixtures/build-docx.ts';
import { buildPdf } from './fixtures/build-pdf.ts';

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

async function rejected(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('extractMarkdown', () => {
  it('reads front matter title and language and removes it from the body', () => {
    const document = extractMarkdown({
      sourceUri: 'docs/envio.md',
      text: '---\ntitle: Política de envio\nlang: pt-BR\n---\n\n# Envio\n\nEnviamos para todo o país.\r\n',
    });
    expect(document).toEqual({
      sourceUri: 'docs/envio.md',
      title: 'Política de envio',
      format: 'markdown',
      markdown: '# Envio\n\nEnviamos para todo o país.',
      language: 'pt',
    });
  });

  it('falls back to the first H1, then to the file name', () => {
    expect(extractMarkdown({ sourceUri: 'a.md', text: 'Intro\n\n# Returns\n\nText' }).title).toBe('Returns');
    expect(extractMarkdown({ sourceUri: 'guides/getting-started.md', text: 'Just text' }).title).toBe(
      'Getting started',
    );
  });

  it('rejects an empty file with a typed error', () => {
    const error = thrown(() => extractMarkdown({ sourceUri: 'empty.md', text: '---\ntitle: x\n---\n  \n' }));
    expect(isExtractionError(error, 'empty_document')).toBe(true);
  });
});

describe('extractPlainText', () => {
  it('keeps paragraphs and escapes lines that would read as headings', () => {
    const document = extractPlainText({
      sourceUri: 'notes.txt',
      text: '# not a heading\n\n\n\nSecond paragraph   \n',
    });
    expect(document.format).toBe('text');
    expect(document.markdown).toBe('\\# not a heading\n\nSecond paragraph');
    expect(document.title).toBe('Notes');
  });
});

describe('extractHtml', () => {
  const page = `<!doctype html><html lang="es-MX"><head><title>Envíos | Tienda</title>
    <meta property="og:title" content="Envíos"></head><body>
    <nav><a href="/">Inicio</a><a href="/carrito">Carrito</a></nav>
    <main><article><h1>Envíos</h1>
    <p>Enviamos a todo México en un plazo de tres a cinco días hábiles. Los pedidos se preparan el mismo día
    si se confirman antes de las 14:00 horas, y recibirás un correo con el número de seguimiento.</p>
    <h2>Internacional</h2>
    <p>Los envíos internacionales tardan de diez a quince días. Consulta la <a href="/tarifas">tabla de tarifas</a>
    antes de comprar, porque los impuestos de importación corren por cuenta del cliente en todos los casos.</p>
    <ul><li>Estados Unidos</li><li>Canadá</li></ul>
    <table><tr><th>País</th><th>Días</th></tr><tr><td>Chile</td><td>12</td></tr></table>
    <img src="/mapa.png" alt="mapa"><script>track()</script>
    </article></main><footer>© Tienda — aviso legal</footer></body></html>`;

  it('keeps headings, lists and tables, resolves links, and drops chrome, images and scripts', () => {
    const document = extractHtml({
      sourceUri: 'https://tienda.example/envios',
      html: page,
      url: 'https://tienda.example/envios',
    });
    expect(document.title).toBe('Envíos');
    expect(document.language).toBe('es');
    expect(document.format).toBe('html');
    expect(document.url).toBe('https://tienda.example/envios');
    expect(document.markdown).toContain('## Internacional');
    expect(document.markdown).toContain('[tabla de tarifas](https://tienda.example/tarifas)');
    expect(document.markdown).toContain('- Estados Unidos\n- Canadá');
    expect(document.markdown).toContain('| País | Días |\n| --- | --- |\n| Chile | 12 |');
    expect(document.markdown).not.toMatch(/Carrito|aviso legal|mapa|track\(\)/);
  });

  it('uses a known content selector and the fallback language when the page declares none', () => {
    const document = extractHtml({
      sourceUri: 'x',
      html: '<html><body><div id="menu">Menu</div><div id="cw-article-content"><p>Body text.</p></div></body></html>',
      contentSelector: '#cw-article-content',
      fallbackLanguage: 'pt_BR',
      title: 'Given title',
    });
    expect(document).toMatchObject({ title: 'Given title', language: 'pt', markdown: 'Body text.' });
  });

  it('reports a page without text', () => {
    const error = thrown(() =>
      extractHtml({ sourceUri: 'blank.html', html: '<html><body><script>x()</script></body></html>' }),
    );
    expect(isExtractionError(error, 'empty_document')).toBe(true);
  });
});

describe('extractPdf', () => {
  it('reflows lines into paragraphs, rejoins hyphenated words and reads the title', async () => {
    const data = buildPdf(
      [
        [
          'Returns policy.',
          'You can return items within 30 days',
          'of delivery. Refunds go to the original pay-',
          'ment method.',
        ],
        ['Page two.'],
      ],
      { title: 'Returns Guide' },
    );
    const document = await extractPdf({ sourceUri: 'guide.pdf', data });
    expect(document).toEqual({
      sourceUri: 'guide.pdf',
      title: 'Returns Guide',
      format: 'pdf',
      markdown:
        'Returns policy.\n\nYou can return items within 30 days of delivery. Refunds go to the original payment method.\n\nPage two.',
    });
  });

  it('reports a PDF without text and a corrupt file as distinct errors', async () => {
    expect(
      isExtractionError(
        await rejected(extractPdf({ sourceUri: 'scan.pdf', data: buildPdf([[]]) })),
        'empty_document',
      ),
    ).toBe(true);
    const corrupt = await rejected(
      extractPdf({ sourceUri: 'bad.pdf', data: new TextEncoder().encode('not a pdf') }),
    );
    expect(isExtractionError(corrupt, 'parse_failed')).toBe(true);
  });
});

describe('extractDocx', () => {
  it('keeps Word headings and tables as Markdown', async () => {
    const data = buildDocx([
      { heading: 1, text: 'Shipping' },
      { paragraph: 'We ship worldwide.' },
      { heading: 2, text: 'International' },
      {
        table: [
          ['Country', 'Days'],
          ['Portugal', '10'],
        ],
      },
    ]);
    const document = await extractDocx({ sourceUri: 'shipping.docx', data });
    expect(document.title).toBe('Shipping');
    expect(document.markdown).toBe(
      '# Shipping\n\nWe ship worldwide.\n\n## International\n\n| Country | Days |\n| --- | --- |\n| Portugal | 10 |',
    );
  });

  it('reports a file that is not a DOCX', async () => {
    const error = await rejected(extractDocx({ sourceUri: 'x.docx', data: new Uint8Array([1, 2, 3]) }));
    expect(isExtractionError(error, 'parse_failed')).toBe(true);
  });
});

describe('extractFaqCsv', () => {
  it('detects accented, differently-cased headers and semicolons, one entry per row, skipping blank rows', () => {
    const warnings: ExtractionWarning[] = [];
    const documents = extractFaqCsv(
      {
        sourceUri: 'faq.csv',
        text: '\uFEFFPERGUNTA?;Resposta\n"Qual o prazo?";"Até 5 dias; às vezes menos."\n;\nTem troca?;Sim, em 30 dias.\nSó pergunta;\n',
      },
      { onWarning: (warning) => warnings.push(warning) },
    );
    expect(documents).toEqual([
      {
        sourceUri: 'faq.csv',
        title: 'Faq',
        format: 'faq',
        markdown: '## Qual o prazo?\n\nAté 5 dias; às vezes menos.\n\n## Tem troca?\n\nSim, em 30 dias.',
        faqEntries: [
          { question: 'Qual o prazo?', answer: 'Até 5 dias; às vezes menos.' },
          { question: 'Tem troca?', answer: 'Sim, em 30 dias.' },
        ],
      },
    ]);
    expect(warnings).toEqual([
      { sourceUri: 'faq.csv', message: 'row 5 skipped: it has a question but no answer' },
    ]);
  });

  it('groups rows by the optional title, url and language columns', () => {
    const documents = extractFaqCsv({
      sourceUri: 'faq.csv',
      text: [
        'Pregunta,Respuesta,Idioma,URL,Título',
        '¿Envían?,Sí.,es,https://shop.example/es/envios,Envíos',
        '¿Cuánto tarda?,3 días.,es,https://shop.example/es/envios,Envíos',
        'Do you ship?,Yes.,en,https://shop.example/en/shipping,Shipping',
      ].join('\n'),
    });
    expect(
      documents.map((document) => [
        document.sourceUri,
        document.title,
        document.language,
        document.url,
        document.faqEntries?.length,
      ]),
    ).toEqual([
      ['faq.csv#shop-example-es-envios-es', 'Envíos', 'es', 'https://shop.example/es/envios', 2],
      ['faq.csv#shop-example-en-shipping-en', 'Shipping', 'en', 'https://shop.example/en/shipping', 1],
    ]);
  });

  it('reports a table without question/answer columns with a typed error naming the expected headers', () => {
    const error = thrown(() => extractFaqCsv({ sourceUri: 'prices.csv', text: 'product,price\nshoe,10\n' }));
    expect(error).toBeInstanceOf(ExtractionError);
    expect((error as ExtractionError).reason).toBe('faq_columns_not_found');
    expect((error as ExtractionError).message).toMatch(/question.*answer/);
    expect((error as ExtractionError).details).toEqual({ firstRow: ['product', 'price'] });
  });
});

describe('extractFaqXlsx', () => {
  async function workbook(sheets: Record<string, (string | ExcelJS.CellValue)[][]>): Promise<Uint8Array> {
    const book = new ExcelJS.Workbook();
    for (const [name, rows] of Object.entries(sheets)) book.addWorksheet(name).addRows(rows);
    return new Uint8Array(await book.xlsx.writeBuffer());
  }

  it('reads the FAQ sheets, ignores others, and finds a header below a banner row', async () => {
    const data = await workbook({
      Notes: [['internal notes only']],
      Billing: [
        ['Company FAQ'],
        ['Q', 'A'],
        ['Can I pay by card?', { richText: [{ text: 'Yes, ' }, { text: 'all major cards.' }] }],
      ],
      Shipping: [
        ['Question', 'Answer'],
        ['Do you ship abroad?', 'Yes.'],
        [],
        ['Cost?', { formula: '1+1', result: 2 }],
      ],
    });
    const documents = await extractFaqXlsx({ sourceUri: 'faq.xlsx', data });
    expect(documents.map((document) => [document.sourceUri, document.title, document.faqEntries])).toEqual([
      ['faq.xlsx#billing', 'Billing', [{ question: 'Can I pay by card?', answer: 'Yes, all major cards.' }]],
      [
        'faq.xlsx#shipping',
        'Shipping',
        [
          { question: 'Do you ship abroad?', answer: 'Yes.' },
          { question: 'Cost?', answer: '2' },
        ],
      ],
    ]);
  });

  it('reports a workbook without FAQ columns', async () => {
    const error = await rejected(
      extractFaqXlsx({ sourceUri: 'x.xlsx', data: await workbook({ Sheet1: [['a b', 'c']] }) }),
    );
    expect(isExtractionError(error, 'faq_columns_not_found')).toBe(true);
  });
});
