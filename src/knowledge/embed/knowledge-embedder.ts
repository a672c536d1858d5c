import type { EmbeddingModelV4 } from '@ai-sdk/provider';
import { embedMany } from 'ai';

import { AppError } from '../../errors/app-error.ts';

/**
 * An embedding model bound to one output dimension. `key` identifies its vectors in
 * `knowledge_chunk_embeddings.model`: provider, model id and dimension, so switching any of the
 * three never mixes incomparable vectors in one index.
 */
export interface KnowledgeEmbedder {
  readonly key: string;
  readonly dimensions: number;
  /** Texts per `embedMany` call (the provider may split further). */
  readonly batchSize: number;
  embed(values: readonly string[], signal?: AbortSignal): Promise<number[][]>;
}

export interface KnowledgeEmbedderOptions {
  readonly model: EmbeddingModelV4;
  readonly dimensions: number;
  /** Ask the provider for this many dimensions (OpenAI text-embedding-3 can shorten its vectors). */
  readonly requestDimensions?: boolean;
  readonly batchSize?: number;
  readonly maxParallelCalls?: number;
  readonly maxRetries?: number;
}

const DEFAULT_BATCH_SIZE = 64;

export function createKnowledgeEmbedder(options: KnowledgeEmbedderOptions): KnowledgeEmbedder {
  const { model, dimensions } = options;
  if (!Number.isInteger(dimensions) || dimensions < 1 || dimensions > 16_000) {
    throw new AppError('invalid_config', {
      message: `Embedding dimension must be an integer in 1..16000, got ${dimensions}`,
    });
  }
  return {
    key: `${model.provider}:${model.modelId}:${dimensions}`,
    dimensions,
    batchSize: options.batchSize ?? DEFAULT_BATCH_SIZE,
    async embed(values, signal) {
      if (values.length === 0) return [];
      const result = await embedMany({
        model,
        values: [...values],
        ...(options.requestDimensions ? { dimensions } : {}),
        maxParallelCalls: options.maxParallelCalls ?? 2,
        maxRetries: options.maxRetries ?? 2,
        ...(signal ? { abortSignal: signal } : {}),
      });
      for (const vector of result.embeddings) {
        if (vector.length !== dimensions) {
          throw new AppError('invalid_config', {
            message: `Embedding model ${model.modelId} returned ${vector.length} dimensions, configured ${dimensions}: set EMBEDDING_DIMENSIONS=${vector.length}`,
          });
        }
      }
      return result.embeddings;
    },
  };
}
