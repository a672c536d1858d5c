import type { KnowledgePassage } from '../../knowledge/knowledge-search.ts';
import { parseFaqPassage } from './parse-faq-passage.ts';

/**
 * How sure the offline responder is that a passage answers the customer — a confidence in
 * [0, 1], computed by us rather than taken from the search's fused score (RRF scores are
 * rank-based and mean nothing in absolute terms). Documented in docs/offline-responder.md.
 *
 * 1. Terms: text is lower-cased, accents removed, split on anything that is not a letter or
 *    digit; tokens shorter than 2 characters and stop words (en/pt/es/fr/de) are dropped.
 * 2. Two terms match when equal, or when the shorter has at least 4 characters and is a prefix
 *    of the longer ("ship" ~ "shipping", "reembolso" ~ "reembolsos") — a crude stemmer that works
 *    across languages.
 * 3. coverage(A, B) = share of A's distinct terms that match some term of B.
 * 4. FAQ entries: 0.7 × coverage(question → message) + 0.3 × coverage(message → question).
 *    Mostly "does the message contain the FAQ's question", with a little "is the message about
 *    nothing else", so a long message that contains the question still matches.
 * 5. Passages: coverage(message → passage): every content word of the message should appear.
 * 6. With a vector distance (cosine) from the search, the semantic similarity 1 − distance
 *    competes: confidence = max(lexical, 1 − distance).
 *
 * The responder answers with an FAQ at confidence ≥ `faqThreshold` (default 0.6), otherwise with
 * a passage at ≥ `passageThreshold` (default 0.7, stricter: passages are less targeted),
 * otherwise it hands off. A message with no content terms (e.g. "hi", "?") matches nothing.
 */
export interface PassageMatch {
  readonly passage: KnowledgePassage;
  readonly confidence: number;
  readonly lexical: number;
  readonly semantic: number | null;
  /** For FAQ passages, the parsed entry. */
  readonly faq: { readonly question: string; readonly answer: string } | null;
}

export function scorePassageMatch(message: string, passage: KnowledgePassage): PassageMatch {
  const faq = passage.kind === 'faq' ? parseFaqPassage(passage) : null;
  // A passage is also about its headings ("Shipping and delivery > Canada").
  const passageTerms = faq
    ? []
    : extractTerms([passage.citation.title, ...passage.citation.headingPath, passage.content].join('\n'));
  const questionTerms = faq ? extractTerms(faq.question) : [];
  let lexical = 0;
  let hasTerms = false;
  // The whole message, and each question in it: a burst often carries context ("I bought a jacket
  // two weeks ago") around the one question the help centre can answer.
  for (const segment of messageSegments(message)) {
    const messageTerms = extractTerms(segment);
    if (messageTerms.length === 0) continue;
    hasTerms = true;
    const score = faq
      ? questionTerms.length === 0
        ? 0
        : 0.7 * coverage(questionTerms, messageTerms) + 0.3 * coverage(messageTerms, questionTerms)
      : coverage(messageTerms, passageTerms);
    lexical = Math.max(lexical, score);
  }
  const semantic = passage.vectorDistance === null ? null : clamp(1 - passage.vectorDistance);
  const confidence = hasTerms ? Math.max(lexical, semantic ?? 0) : 0;
  return {
    passage,
    confidence: round(confidence),
    lexical: round(lexical),
    semantic: semantic === null ? null : round(semantic),
    faq,
  };
}

/**
 * The message itself plus its questions: sentences ending in "?" that carry at least two content
 * terms (a lone "Really?" must not win on its own).
 */
export function messageSegments(message: string): string[] {
  const questions = message
    .split(/(?<=[?？])|\n+/u)
    .map((part) => part.trim())
    .filter((part) => /[?？]$/u.test(part) && extractTerms(part).length >= 2);
  return [message, ...questions.filter((question) => question !== message.trim())];
}

export function extractTerms(text: string): string[] {
  const tokens = text
    .normalize('NFD')
    .replace(/\p{Mn}/gu, '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((token) => token.length >= 2 && !STOP_WORDS.has(token));
  return [...new Set(tokens)];
}

/**
 * Equal, or sharing a prefix of at least 4 characters that is at least 3/4 of the shorter word:
 * a crude stemmer that works in every language ("ship" ~ "shipping", "pagar" ~ "pagamento",
 * "aceitas" ~ "aceitamos", "devolver" ~ "devolución").
 */
export function termsMatch(a: string, b: string): boolean {
  if (a === b) return true;
  const shorter = Math.min(a.length, b.length);
  if (shorter < 4) return false;
  let common = 0;
  while (common < shorter && a[common] === b[common]) common += 1;
  return common >= 4 && common >= Math.ceil(shorter * 0.75);
}

/**
 * Share of `from`'s terms found in `into`, where question filler ("how long", "how much", "still")
 * weighs a quarter of a content word: it must not sink a passage that has every fact asked for,
 * nor be ignored when two FAQs differ only by it.
 */
export function coverage(from: readonly string[], into: readonly string[]): number {
  if (from.length === 0) return 0;
  let total = 0;
  let matched = 0;
  for (const term of from) {
    const weight = FILLER_WORDS.has(term) ? 0.25 : 1;
    total += weight;
    if (into.some((candidate) => termsMatch(term, candidate))) matched += weight;
  }
  return matched / total;
}

const FILLER_WORDS = new Set(
  'long much many take takes taking still another thing things already ever really know way quanto quantos quantas demora leva ainda cuanto cuantos cuantas tarda todavia'.split(
    ' ',
  ),
);

function clamp(value: number): number {
  return Math.min(1, Math.max(0, value));
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

// Function words and chat filler only; domain words ("order", "pedido") must stay.
const STOP_WORDS = new Set(
  [
    // English
    'a an the and or but if then so to of in on at by for with from about into over after before as is are was were be been being am do does did doing have has had having i me my we our you your he she it its they them their this that these those there here what which who whom whose when where why how can could would should will shall may might must not no yes please thanks thank hi hello hey ok okay also just any some all more most very too than up down out off again further once only own same such both each few other nor ll ve re im dont cant want need know get got tell like',
    // Portuguese
    'o os as um uma uns umas de do da dos das em no na nos nas por para pra com sem sobre e ou mas se que como quando onde qual quais quem porque ja nao sim eu me meu minha meus minhas voce voces ele ela eles elas nos nosso nossa isso isto esse essa este esta aquele aquela ser estar esta estou sao foi era tem ter tenho ha oi ola obrigado obrigada por favor bom boa dia tarde noite gostaria queria quero preciso saber pode poderia posso podem consigo tambem ainda',
    // Spanish
    'el la los las un una unos unas del al en por para con sin sobre y o pero si que como cuando donde cual cuales quien porque ya no si yo mi mis tu tus usted ustedes su sus nosotros es son fue era estoy esta estan tengo tiene hay hola gracias favor buenos buenas dias tardes noches quisiera quiero necesito saber puede podria puedo pueden tambien todavia',
    // French and German (a few)
    'le les des du et ou mais je tu il elle nous vous ils est sont bonjour merci der die das ein eine und oder aber ich du er sie wir ist sind hallo danke bitte',
  ]
    .join(' ')
    .split(' '),
);
