import TurndownService from 'turndown';

import { type HtmlElement, parseHtmlDocument } from './parse-html-document.ts';

/** Elements that never carry knowledge text: removed before conversion. */
const NOISE_SELECTOR =
  'script, style, noscript, template, iframe, object, embed, svg, canvas, form, button, input, select, textarea';

export interface HtmlToMarkdownOptions {
  /** Resolves relative links so passages cite usable URLs. */
  readonly baseUrl?: string;
}

/**
 * Converts an HTML fragment (or a whole page's body) to Markdown, keeping headings, lists, tables (as GFM pipe
 * tables) and fenced code so the chunker can see the structure. Images are dropped: their alt text is rarely
 * knowledge and their URLs are noise in passages.
 */
export function htmlToMarkdown(html: string, options: HtmlToMarkdownOptions = {}): string {
  const document = parseHtmlDocument(
    `<!doctype html><html><body><div id="__root">${html}</div></body></html>`,
  );
  const root = document.getElementById('__root');
  if (!root) return '';
  return elementToMarkdown(root, options);
}

/** Same as `htmlToMarkdown` for an element that is already parsed (it is modified in place). */
export function elementToMarkdown(root: HtmlElement, options: HtmlToMarkdownOptions = {}): string {
  for (const noise of Array.from(root.querySelectorAll(NOISE_SELECTOR))) noise.remove();
  absolutiseLinks(root, options.baseUrl);
  const markdown = createTurndown().turndown(root);
  return tidyMarkdown(markdown);
}

function absolutiseLinks(root: HtmlElement, baseUrl: string | undefined): void {
  for (const anchor of Array.from(root.querySelectorAll('a[href]'))) {
    const href = anchor.getAttribute('href')?.trim() ?? '';
    const resolved = resolveHref(href, baseUrl);
    if (resolved === undefined) anchor.removeAttribute('href');
    else anchor.setAttribute('href', resolved);
  }
}

function resolveHref(href: string, baseUrl: string | undefined): string | undefined {
  if (!href || href.startsWith('#') || /^(javascript|data|vbscript):/i.test(href)) return undefined;
  if (!baseUrl) return href;
  try {
    return new URL(href, baseUrl).toString();
  } catch {
    return undefined;
  }
}

function createTurndown(): TurndownService {
  const turndown = new TurndownService({
    headingStyle: 'atx',
    codeBlockStyle: 'fenced',
    bulletListMarker: '-',
    emDelimiter: '*',
    hr: '---',
  });
  turndown.addRule('dropImages', { filter: ['img', 'picture', 'video', 'audio'], replacement: () => '' });
  turndown.addRule('gfmTable', {
    filter: 'table',
    replacement: (_content, node) => `\n\n${renderTable(asElement(node))}\n\n`,
  });
  turndown.addRule('compactListItem', {
    filter: 'li',
    replacement: (content, node) => {
      const element = asElement(node);
      const parent = element.parentNode as HtmlElement | null;
      let prefix = '- ';
      if (parent?.nodeName === 'OL') {
        const start = Number(parent.getAttribute('start') ?? '1');
        const index = Array.from(parent.children).indexOf(element);
        prefix = `${(Number.isFinite(start) ? start : 1) + index}. `;
      }
      const body = content
        .replace(/^\n+/, '')
        .replace(/\n+$/, '\n')
        .replace(/\n(?!$)/g, `\n${' '.repeat(prefix.length)}`);
      return prefix + body + (element.nextSibling && !body.endsWith('\n') ? '\n' : '');
    },
  });
  return turndown;
}

/** Turndown's node type refers to the DOM lib, which this server project does not load. */
function asElement(node: unknown): HtmlElement {
  return node as HtmlElement;
}

function renderTable(table: HtmlElement): string {
  const rows = Array.from(table.querySelectorAll('tr'))
    .map((row) => Array.from(row.children).filter((cell) => cell.nodeName === 'TH' || cell.nodeName === 'TD'))
    .filter((cells) => cells.length > 0)
    .map((cells) => cells.map((cell) => cellText(cell)));
  if (rows.length === 0) return '';
  const width = Math.max(...rows.map((cells) => cells.length));
  const pad = (cells: string[]): string[] => [...cells, ...Array<string>(width - cells.length).fill('')];
  const [header = [], ...body] = rows;
  const lines = [
    `| ${pad(header).join(' | ')} |`,
    `| ${Array<string>(width).fill('---').join(' | ')} |`,
    ...body.map((cells) => `| ${pad(cells).join(' | ')} |`),
  ];
  return lines.join('\n');
}

function cellText(cell: HtmlElement): string {
  return (cell.textContent ?? '').replace(/\s+/g, ' ').trim().replace(/\|/g, '\\|');
}

/** Collapses the blank-line runs turndown leaves around removed elements and trims trailing spaces. */
export function tidyMarkdown(markdown: string): string {
  return markdown
    .replace(/\r\n?/g, '\n')
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
