import { MockEmbeddingModelV4 } from 'ai/test';

/**
 * A mock embedding model with vectors chosen by the test: each text gets the vector of the first
 * marker word it contains (or `fallback`). Lets a test decide the vector ranking independently of
 * the full-text one. `calls` counts the texts it was asked to embed.
 */
export function createMarkerEmbeddingModel(
  markers: Readonly<Record<string, readonly number[]>>,
  options: {
    readonly modelId?: string;
    readonly fallback?: readonly number[];
    readonly fail?: () => boolean;
  } = {},
) {
  const dimensions = Object.values(markers)[0]?.length ?? 3;
  const fallback =
    options.fallback ?? Array.from({ length: dimensions }, (_, index) => (index === dimensions - 1 ? 1 : 0));
  const embedded: string[] = [];
  const model = new MockEmbeddingModelV4({
    modelId: options.modelId ?? 'marker-model',
    maxEmbeddingsPerCall: 16,
    doEmbed: ({ values }) => {
      if (options.fail?.()) return Promise.reject(new Error('embedding provider down'));
      embedded.push(...values);
      const embeddings = values.map((value) => {
        const words = value.toLowerCase().split(/[^a-z0-9]+/);
        const marker = Object.keys(markers).find((key) => words.includes(key.toLowerCase()));
        return [...(marker ? markers[marker]! : fallback)];
      });
      return Promise.resolve({ embeddings, warnings: [] });
    },
  });
  return { model, dimensions, embedded };
}
