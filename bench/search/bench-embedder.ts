import type { KnowledgeEmbedder } from '../../src/knowledge/embed/knowledge-embedder.ts';
import { CLUSTER_COUNT, clusterName, createRandom, NAMES_PER_CLUSTER } from './bench-corpus.ts';

/**
 * Deterministic "embeddings" with the shape of real ones: clustered, normalised, 768-d. A text's
 * vector is its cluster centre (from the first invented name it mentions) plus that name's
 * sub-centre plus noise seeded by the text, so equal texts get equal vectors.
 */
export function createBenchEmbedder(
  dimensions = 768,
): KnowledgeEmbedder & { readonly clusterOf: (text: string) => number } {
  const random = createRandom(1234);
  const gaussian = (source: () => number): number =>
    Math.sqrt(-2 * Math.log(source() || Number.MIN_VALUE)) * Math.cos(2 * Math.PI * source());
  const unit = (source: () => number): Float64Array => {
    const vector = Float64Array.from({ length: dimensions }, () => gaussian(source));
    const norm = Math.hypot(...vector);
    return vector.map((value) => value / norm);
  };
  const centres = Array.from({ length: CLUSTER_COUNT }, () => unit(random));
  const subCentres = Array.from({ length: CLUSTER_COUNT * NAMES_PER_CLUSTER }, () => unit(random));
  const nameIndex = new Map<string, number>();
  for (let cluster = 0; cluster < CLUSTER_COUNT; cluster += 1) {
    for (let index = 0; index < NAMES_PER_CLUSTER; index += 1) {
      nameIndex.set(clusterName(cluster, index).toLowerCase(), cluster * NAMES_PER_CLUSTER + index);
    }
  }
  const leadName = (text: string): number | undefined => {
    for (const word of text.toLowerCase().split(/[^a-z]+/)) {
      const found = nameIndex.get(word);
      if (found !== undefined) return found;
    }
    return undefined;
  };
  const embedOne = (text: string): number[] => {
    const noise = unit(createRandom(hash(text)));
    const name = leadName(text);
    const vector = new Float64Array(dimensions);
    for (let index = 0; index < dimensions; index += 1) {
      vector[index] =
        name === undefined
          ? noise[index]!
          : centres[Math.floor(name / NAMES_PER_CLUSTER)]![index]! +
            0.5 * subCentres[name]![index]! +
            0.9 * noise[index]!;
    }
    const norm = Math.hypot(...vector);
    return Array.from(vector, (value) => Math.round((value / norm) * 1e6) / 1e6);
  };
  return {
    key: `bench:clustered:${dimensions}`,
    dimensions,
    batchSize: 256,
    embed: (values) => Promise.resolve(values.map(embedOne)),
    clusterOf: (text) => {
      const name = leadName(text);
      return name === undefined ? -1 : Math.floor(name / NAMES_PER_CLUSTER);
    },
  };
}

/** FNV-1a, 32-bit. */
function hash(text: string): number {
  let value = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    value ^= text.charCodeAt(index);
    value = Math.imul(value, 0x01000193);
  }
  return value >>> 0;
}
