import { createOpenAI } from '@ai-sdk/openai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';

import type { EmbeddingConfig } from '../../config/config.ts';
import { AppError } from '../../errors/app-error.ts';
import { createKnowledgeEmbedder, type KnowledgeEmbedder } from './knowledge-embedder.ts';

/** Output sizes of common models, so EMBEDDING_DIMENSIONS is only needed for others. */
const KNOWN_DIMENSIONS: Readonly<Record<string, number>> = {
  'text-embedding-3-small': 1536,
  'text-embedding-3-large': 3072,
  'text-embedding-ada-002': 1536,
  'nomic-embed-text': 768,
  'mxbai-embed-large': 1024,
  'all-minilm': 384,
  'bge-m3': 1024,
  'snowflake-arctic-embed': 1024,
};

/**
 * The configured embedding provider, or undefined when there is none: the knowledge base then
 * answers from full-text search alone. `fetch` is injectable for tests.
 */
export function createEmbedderFromConfig(
  config: EmbeddingConfig,
  options: { readonly fetch?: typeof globalThis.fetch } = {},
): KnowledgeEmbedder | undefined {
  if (config.provider === 'none') return undefined;
  if (!config.model) {
    throw new AppError('invalid_config', {
      message: 'EMBEDDING_MODEL is required when an embedding provider is set',
    });
  }
  const baseName = config.model.split(':')[0] ?? config.model;
  const dimensions = config.dimensions ?? KNOWN_DIMENSIONS[baseName];
  if (dimensions === undefined) {
    throw new AppError('invalid_config', {
      message: `Unknown output size for embedding model ${config.model}: set EMBEDDING_DIMENSIONS`,
    });
  }
  const fetchOption = options.fetch ? { fetch: options.fetch } : {};
  if (config.provider === 'openai') {
    const provider = createOpenAI({
      ...(config.apiKey ? { apiKey: config.apiKey } : {}),
      ...(config.baseUrl ? { baseURL: config.baseUrl } : {}),
      ...fetchOption,
    });
    // Only text-embedding-3 models accept a shorter output size; others reject the parameter.
    const requestDimensions = config.dimensions !== undefined && config.model.startsWith('text-embedding-3');
    return createKnowledgeEmbedder({
      model: provider.embedding(config.model),
      dimensions,
      requestDimensions,
    });
  }
  if (!config.baseUrl) {
    throw new AppError('invalid_config', {
      message: 'EMBEDDING_BASE_URL is required for an OpenAI-compatible embedding provider',
    });
  }
  const provider = createOpenAICompatible({
    name: 'openai-compatible',
    baseURL: config.baseUrl,
    ...(config.apiKey ? { apiKey: config.apiKey } : {}),
    ...fetchOption,
  });
  return createKnowledgeEmbedder({ model: provider.embeddingModel(config.model), dimensions });
}
