import { parseHTML } from 'linkedom';

/**
 * The slice of the DOM we use, typed here because the project compiles without the DOM lib (it is a server);
 * linkedom implements all of it.
 */
export interface HtmlNode {
  readonly nodeName: string;
  readonly textContent: string | null;
  readonly parentNode: HtmlNode | null;
  readonly nextSibling: HtmlNode | null;
}

export interface HtmlElement extends HtmlNode {
  readonly children: ArrayLike<HtmlElement>;
  getAttribute(name: string): string | null;
  setAttribute(name: string, value: string): void;
  removeAttribute(name: string): void;
  querySelector(selector: string): HtmlElement | null;
  querySelectorAll(selector: string): ArrayLike<HtmlElement>;
  remove(): void;
}

export interface HtmlDocument {
  readonly documentElement: HtmlElement;
  readonly body: HtmlElement | null;
  readonly title: string;
  querySelector(selector: string): HtmlElement | null;
  querySelectorAll(selector: string): ArrayLike<HtmlElement>;
  getElementById(id: string): HtmlElement | null;
}

export function parseHtmlDocument(html: string): HtmlDocument {
  // linkedom needs a document element to hang a fragment on; bare fragments get one.
  const source = /<html[\s>]/i.test(html) ? html : `<!doctype html><html><body>${html}</body></html>`;
  const window = parseHTML(source) as unknown as { document: HtmlDocument };
  return window.document;
}
