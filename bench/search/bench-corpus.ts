import type { ExtractedDocument } from '../../src/knowledge/extracted-document.ts';
import { type BenchLanguage, FRAMES, inventName, QUESTION_FRAMES, TOPICS } from './bench-vocabulary.ts';

/**
 * A deterministic synthetic help centre: documents of ten sections (one passage each with the
 * default chunker), every section about one cluster = a support topic plus a family of invented
 * product/place names. The vectors of `createBenchEmbedder` follow the same clusters, so full
 * text and vectors agree on what is relevant, as with a real embedding model.
 */
export const TOPIC_COUNT = 8;
export const SUBTOPICS_PER_TOPIC = 12;
export const CLUSTER_COUNT = TOPIC_COUNT * SUBTOPICS_PER_TOPIC;
export const NAMES_PER_CLUSTER = 8;
export const SECTIONS_PER_DOCUMENT = 10;
const LANGUAGES: readonly BenchLanguage[] = ['en', 'en', 'pt', 'pt', 'es'];

/** mulberry32: small, fast, deterministic. */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export function clusterName(cluster: number, index: number): string {
  return inventName(cluster * NAMES_PER_CLUSTER + index);
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

/** Topic words drawn with a skew (the first words of a list are the common ones), like real text. */
function topicWord(random: () => number, words: readonly string[]): string {
  return words[Math.floor(words.length * random() ** 1.8)]!;
}

function fill(
  frame: string,
  random: () => number,
  words: readonly string[],
  names: readonly string[],
): string {
  return frame
    .replaceAll('{t}', () => topicWord(random, words))
    .replaceAll('{n}', () => pick(random, names))
    .replaceAll('{d}', () => String(1 + Math.floor(random() * 30)));
}

export interface BenchDocument extends ExtractedDocument {
  readonly clusters: readonly number[];
}

/** `documentCount` documents of `SECTIONS_PER_DOCUMENT` passages each, identical for the same seed. */
export function* generateDocuments(documentCount: number, seed = 42): Generator<BenchDocument> {
  const random = createRandom(seed);
  for (let documentIndex = 0; documentIndex < documentCount; documentIndex += 1) {
    const language = pick(random, LANGUAGES);
    const topic = Math.floor(random() * TOPIC_COUNT);
    const { heading, words } = TOPICS[language][topic]!;
    const title = `${pick(random, heading)} ${documentIndex + 1}`;
    const clusters: number[] = [];
    const sections: string[] = [];
    for (let section = 0; section < SECTIONS_PER_DOCUMENT; section += 1) {
      const cluster = topic * SUBTOPICS_PER_TOPIC + Math.floor(random() * SUBTOPICS_PER_TOPIC);
      clusters.push(cluster);
      // The first name is what the passage is mostly about; it picks the passage's sub-cluster.
      const lead = Math.floor(random() * NAMES_PER_CLUSTER);
      const names = [
        clusterName(cluster, lead),
        clusterName(cluster, lead),
        pick(
          random,
          [0, 1, 2, 3, 4, 5, 6, 7].map((index) => clusterName(cluster, index)),
        ),
      ];
      const sentences = Array.from({ length: 10 }, () =>
        fill(pick(random, FRAMES[language]), random, words, names),
      );
      sections.push(
        `## ${pick(random, heading)}: ${names[0]}\n\n${sentences.slice(0, 5).join(' ')}\n\n${sentences.slice(5).join(' ')}`,
      );
    }
    yield {
      sourceUri: `bench/${language}/${documentIndex + 1}.md`,
      title,
      format: 'markdown',
      markdown: `# ${title}\n\n${sections.join('\n\n')}`,
      clusters,
    };
  }
}

export interface BenchQuery {
  readonly text: string;
  readonly cluster: number;
  readonly language: BenchLanguage;
}

export function generateQueries(count: number, seed = 7): BenchQuery[] {
  const random = createRandom(seed);
  return Array.from({ length: count }, () => {
    const language = pick(random, LANGUAGES);
    const cluster = Math.floor(random() * CLUSTER_COUNT);
    const { words } = TOPICS[language][Math.floor(cluster / SUBTOPICS_PER_TOPIC)]!;
    const names = [clusterName(cluster, Math.floor(random() * NAMES_PER_CLUSTER))];
    return { text: fill(pick(random, QUESTION_FRAMES[language]), random, words, names), cluster, language };
  });
}
