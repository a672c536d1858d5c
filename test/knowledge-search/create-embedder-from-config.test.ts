import { describe, expect, it } from 'vitest';

import type { EmbeddingConfig } from '../../src/config/config.ts';
import { isAppError } from '../../src/errors/app-error.ts';
import { createEmbedderFromConfig } from '../../src/knowledge/embed/create-embedder-from-config.ts';

const base: EmbeddingConfig = {
  provider: 'none',
  model: undefined,
  baseUrl: undefined,
  apiKey: undefined,
  dimensions: undefined,
};

function recordingFetch(dimensions: number) {
  const requests: { url: string; body: Record<string, unknown> }[] = [];
  const fetch = ((input: string | URL | Request, init?: RequestInit) => {
    const body = JSON.parse(init?.body as string) as { input: string[] };
    requests.push({ url: input instanceof Request ? input.url : input.toString(), body });
    const data = body.input.map((_, index) => ({
      object: 'embedding',
      index,
      embedding: Array.from({ length: dimensions }, () => 0.5),
    }));
    const payload = { object: 'list', data, model: 'm', usage: { prompt_tokens: 1, total_tokens: 1 } };
    return Promise.resolve(
      new Response(JSON.stringify(payload), { status: 200, headers: { 'content-type': 'application/json' } }),
    );
  }) as typeof globalThis.fetch;
  return { fetch, requests };
}

describe('createEmbedderFromConfig', () => {
  it('is absent without a provider', () => {
    expect(createEmbedderFromConfig(base)).toBeUndefined();
  });

  it('talks to an OpenAI-compatible server (Ollama) at /embeddings with the model and dimension in its key', async () => {
    const { fetch, requests } = recordingFetch(768);
    const embedder = createEmbedderFromConfig(
      {
        ...base,
        provider: 'openai-compatible',
        model: 'nomic-embed-text',
        baseUrl: 'http://127.0.0.1:11434/v1',
      },
      { fetch },
    )!;
    expect(embedder.key).toBe('openai-compatible.embedding:nomic-embed-text:768');
    const vectors = await embedder.embed(['one', 'two']);
    expect(vectors).toHaveLength(2);
    expect(requests[0]).toMatchObject({
      url: 'http://127.0.0.1:11434/v1/embeddings',
      body: { model: 'nomic-embed-text', input: ['one', 'two'] },
    });
  });

  it('asks OpenAI text-embedding-3 models for the configured, shorter dimension', async () => {
    const { fetch, requests } = recordingFetch(256);
    const embedder = createEmbedderFromConfig(
      { ...base, provider: 'openai', model: 'text-embedding-3-small', apiKey: 'sk-test', dimensions: 256 },
      { fetch },
    )!;
    await embedder.embed(['hello']);
    expect(requests[0]?.body).toMatchObject({ model: 'text-embedding-3-small', dimensions: 256 });
    expect(embedder.dimensions).toBe(256);
  });

  it('refuses vectors of another size than configured', async () => {
    const { fetch } = recordingFetch(384);
    const embedder = createEmbedderFromConfig(
      {
        ...base,
        provider: 'openai-compatible',
        model: 'custom',
        baseUrl: 'http://127.0.0.1:1/v1',
        dimensions: 768,
      },
      { fetch },
    )!;
    await expect(embedder.embed(['x'])).rejects.toSatisfy((error) => isAppError(error, 'invalid_config'));
  });

  it('needs a dimension for models it does not know', () => {
    expect(() =>
      createEmbedderFromConfig({
        ...base,
        provider: 'openai-compatible',
        model: 'mystery',
        baseUrl: 'http://127.0.0.1:1/v1',
      }),
    ).toThrow(/EMBEDDING_DIMENSIONS/);
  });
});
