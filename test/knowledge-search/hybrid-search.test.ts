import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { DatabaseHandle } from '../../src/db/database.ts';
import { createKnowledgeEmbedder } from '../../src/knowledge/embed/knowledge-embedder.ts';
import { createKnowledgeSearch } from '../../src/knowledge/search/create-knowledge-search.ts';
import { ingestDocuments } from '../../src/knowledge/store/ingest-documents.ts';
import { addSource } from '../../src/knowledge/store/add-source.ts';
import { createTestDatabase } from '../setup/test-database.ts';
import { markdownDocument } from './documents.ts';
import { createMarkerEmbeddingModel } from './marker-embedding-model.ts';

describe('hybrid search: languages, accents and inflections (full text only)', () => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await createTestDatabase();
    const source = await addSource(handle, { kind: 'directory', location: '/kb/multilingual' });
    await ingestDocuments(handle, {
      sourceId: source.id,
      documents: [
        markdownDocument(
          'pt/trocas.md',
          'Trocas e devoluções',
          'As devoluções são gratuitas em até 30 dias corridos. O reembolso é feito no cartão de crédito utilizado na compra.',
        ),
        markdownDocument(
          'pt/senha.md',
          'Minha conta',
          'Para redefinir a senha, clique em Esqueci minha senha. O link enviado por e-mail expira em duas horas.',
        ),
        markdownDocument(
          'es/envios.md',
          'Envíos a las islas',
          'Los envíos a Canarias tardan entre cinco y diez días laborables y pueden pagar aranceles en la entrega.',
        ),
        markdownDocument(
          'es/cuenta.md',
          'Mi cuenta',
          '¿Has olvidado tu contraseña? Te enviamos un enlace que caduca a los treinta minutos.',
        ),
        markdownDocument(
          'en/shipping.md',
          'Shipping',
          'Standard shipping takes three to five business days. Returns are accepted within thirty days of delivery.',
        ),
      ],
    });
  });
  afterAll(async () => {
    await handle.close();
  });

  const cases: [query: string, expected: string][] = [
    ['devolucao gratis', 'pt/trocas.md'], // no accents, singular vs plural "devoluções"
    ['quero devolver o produto', 'pt/trocas.md'], // verb vs noun
    ['fui reembolsada?', 'pt/trocas.md'], // inflection of "reembolso"
    ['esqueci a minha senha', 'pt/senha.md'],
    ['cuanto tarda el envio a canarias', 'es/envios.md'], // no accents
    ['envíos canarias aranceles', 'es/envios.md'],
    ['olvidé mi contrasena', 'es/cuenta.md'], // "olvidado" / "contraseña"
    ['how long does shipping take', 'en/shipping.md'],
  ];
  it.each(cases)('%s → %s', async (query, expected) => {
    const passages = await createKnowledgeSearch(handle).search({ query, limit: 3 });
    expect(passages[0]?.citation.url).toBe(expected);
    expect(passages[0]?.fullTextRank).toBeGreaterThan(0);
    expect(passages[0]?.vectorDistance).toBeNull();
  });

  it('matches a word in another language than the detected one through the simple configuration', async () => {
    const passages = await createKnowledgeSearch(handle).search({
      query: 'what is Canarias aranceles?',
      language: 'en',
    });
    expect(passages[0]?.citation.url).toBe('es/envios.md');
  });

  it('returns nothing for a query of stopwords or for words the base does not contain', async () => {
    const search = createKnowledgeSearch(handle);
    expect(await search.search({ query: 'the and of', language: 'en' })).toEqual([]);
    expect(await search.search({ query: 'xylophone zeppelin' })).toEqual([]);
    expect(await search.search({ query: '   ' })).toEqual([]);
  });

  it('carries the citation: title, file and heading path', async () => {
    const [passage] = await createKnowledgeSearch(handle).search({ query: 'senha redefinir' });
    expect(passage?.citation).toEqual({
      title: 'Minha conta',
      url: 'pt/senha.md',
      headingPath: ['Minha conta'],
    });
    expect(passage?.language).toBe('pt');
    expect(passage?.kind).toBe('passage');
  });
});

describe('hybrid search: fusion, filters and thresholds', () => {
  let handle: DatabaseHandle;
  const markers = createMarkerEmbeddingModel({
    docA: [0, 0, 1],
    docB: [1, 0.1, 0],
    docC: [1, 0.3, 0],
    question: [1, 0, 0],
  });
  const embedder = createKnowledgeEmbedder({ model: markers.model, dimensions: markers.dimensions });
  const sourceIds: Record<'a' | 'b' | 'c', number> = { a: 0, b: 0, c: 0 };

  beforeAll(async () => {
    handle = await createTestDatabase();
    const deps = { db: handle.db, embedder };
    // Inbox scopes: A only inbox 1, B every inbox, C only inbox 2.
    const a = await addSource(deps, { kind: 'directory', location: '/kb/a', inboxIds: [1] });
    const b = await addSource(deps, { kind: 'directory', location: '/kb/b' });
    const c = await addSource(deps, { kind: 'directory', location: '/kb/c', inboxIds: [2] });
    Object.assign(sourceIds, { a: a.id, b: b.id, c: c.id });
    await ingestDocuments(deps, {
      sourceId: a.id,
      documents: [
        markdownDocument('a.md', 'docA notes', 'Frobnicate the widget: frobnicate every widget twice.', 'en'),
      ],
    });
    await ingestDocuments(deps, {
      sourceId: b.id,
      documents: [markdownDocument('b.md', 'docB notes', 'Frobnicate gently before lunch.', 'en')],
    });
    await ingestDocuments(deps, {
      sourceId: c.id,
      documents: [markdownDocument('c.md', 'docC notes', 'Nothing lexical in common here.', 'en')],
    });
  });
  afterAll(async () => {
    await handle.close();
  });

  const query = 'question: frobnicate widget';

  it('fuses full-text and vector rankings with reciprocal rank fusion', async () => {
    // Full text: A (both words) > B (one word). Vectors: B > C > A. RRF (k = 60): B 1/62 + 1/61,
    // A 1/61 + 1/63, C 1/62.
    const passages = await createKnowledgeSearch({ db: handle.db, embedder }).search({ query });
    expect(passages.map((passage) => passage.citation.url)).toEqual(['b.md', 'a.md', 'c.md']);
    const [b, a, c] = passages;
    expect(b!.score).toBeCloseTo((1 / 62 + 1 / 61) / (2 / 61), 6);
    expect(a!.score).toBeCloseTo((1 / 61 + 1 / 63) / (2 / 61), 6);
    expect(c!.score).toBeCloseTo(1 / 62 / (2 / 61), 6);
    expect(c!.fullTextRank).toBeNull();
    expect(a!.fullTextRank).toBeCloseTo(1, 6);
    expect(b!.vectorDistance!).toBeLessThan(c!.vectorDistance!);
    expect(a!.vectorDistance!).toBeCloseTo(1, 6);
  });

  it('ranks by full text alone without an embedder', async () => {
    const passages = await createKnowledgeSearch({ db: handle.db }).search({ query });
    expect(passages.map((passage) => passage.citation.url)).toEqual(['a.md', 'b.md']);
    expect(passages.every((passage) => passage.vectorDistance === null)).toBe(true);
  });

  it('falls back to full text when the embedding provider fails', async () => {
    const failing = createMarkerEmbeddingModel({ question: [1, 0, 0] }, { fail: () => true });
    const broken = createKnowledgeEmbedder({ model: failing.model, dimensions: 3, maxRetries: 0 });
    const passages = await createKnowledgeSearch({ db: handle.db, embedder: broken }).search({ query });
    expect(passages.map((passage) => passage.citation.url)).toEqual(['a.md', 'b.md']);
  });

  it('keeps to the inbox: its own sources plus those shared with every inbox, in both rankings', async () => {
    const search = createKnowledgeSearch({ db: handle.db, embedder });
    const urls = async (extra: { inboxId?: number; sourceIds?: number[] }) =>
      (await search.search({ query, ...extra })).map((passage) => passage.citation.url).sort();
    expect(await urls({ inboxId: 1 })).toEqual(['a.md', 'b.md']);
    expect(await urls({ inboxId: 2 })).toEqual(['b.md', 'c.md']);
    expect(await urls({ inboxId: 3 })).toEqual(['b.md']);
    expect(await urls({ sourceIds: [sourceIds.c] })).toEqual(['c.md']);
    expect(await urls({ inboxId: 1, sourceIds: [sourceIds.b, sourceIds.c] })).toEqual(['b.md']);
  });

  it('applies the thresholds and the limit', async () => {
    const deps = { db: handle.db, embedder };
    const urls = async (options: Parameters<typeof createKnowledgeSearch>[1], limit?: number) =>
      (await createKnowledgeSearch(deps, options).search({ query, ...(limit ? { limit } : {}) })).map(
        (passage) => passage.citation.url,
      );
    expect(await urls({ minScore: 0.99 })).toEqual(['b.md']);
    expect(await urls({ minScore: 0.5 })).toEqual(['b.md', 'a.md']);
    // A matches all the query's weight; B only "frobnicate". C still comes from the vectors.
    expect(await urls({ minFullTextRank: 0.9 })).toEqual(['a.md', 'b.md', 'c.md']);
    expect(await urls({ minFullTextRank: 0.9, maxVectorDistance: 0.01 })).toEqual(['a.md', 'b.md']);
    expect(await urls({}, 1)).toEqual(['b.md']);
  });
});
