import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createAgentResponder } from '../../src/agent/create-agent-responder.ts';
import type { DatabaseHandle } from '../../src/db/database.ts';
import { createTestDatabase } from '../setup/test-database.ts';
import {
  buildAgentDeps,
  customerMessage,
  llmConfig,
  responderInput,
  seedConversation,
} from './support/agent-test-deps.ts';
import { createFakeKnowledgeSearch } from './support/fake-knowledge-search.ts';

interface ChatRequest {
  readonly path: string;
  readonly authorization: string | undefined;
  readonly body: {
    model?: unknown;
    stream?: unknown;
    messages?: {
      role: string;
      content?: unknown;
      tool_calls?: { id: string; type: string; function: { name: string; arguments: string } }[];
      tool_call_id?: string;
    }[];
    tools?: {
      type: string;
      function: {
        name: string;
        description?: string;
        parameters: { type: string; properties: Record<string, unknown>; required?: string[] };
      };
    }[];
  };
}

/**
 * A tiny OpenAI-compatible server: it checks each request against the chat-completions shape
 * (what Ollama, vLLM and LM Studio accept) and answers like OpenAI — first a tool call, then,
 * once the tool result comes back, a final answer.
 */
function startFakeOpenAiServer(): Promise<{
  server: Server;
  url: string;
  requests: ChatRequest[];
  problems: string[];
}> {
  const requests: ChatRequest[] = [];
  const problems: string[] = [];
  const server = createServer((request, response) => {
    void readBody(request).then((raw) => {
      const body = JSON.parse(raw) as ChatRequest['body'];
      const entry = { path: request.url ?? '', authorization: request.headers.authorization, body };
      requests.push(entry);
      const check = (condition: boolean, problem: string) => {
        if (!condition) problems.push(`request ${requests.length}: ${problem}`);
      };
      check(
        request.method === 'POST' && entry.path === '/v1/chat/completions',
        `expected POST /v1/chat/completions, got ${request.method} ${entry.path}`,
      );
      check(entry.authorization === 'Bearer local-key', 'expected the bearer API key');
      check(body.model === 'local-model', `expected model local-model, got ${String(body.model)}`);
      check(body.stream === undefined || body.stream === false, 'expected a non-streaming request');
      check(
        Array.isArray(body.messages) && body.messages[0]?.role === 'system',
        'expected the system prompt first',
      );
      check(
        body.messages?.some(
          (message) => message.role === 'user' && JSON.stringify(message.content).includes('Lisbon'),
        ) === true,
        'expected the customer message',
      );
      const search = body.tools?.find((tool) => tool.function.name === 'search_knowledge');
      check(
        search?.type === 'function' &&
          search.function.parameters.type === 'object' &&
          'query' in search.function.parameters.properties,
        'expected search_knowledge as a function tool with a JSON schema',
      );
      check(
        Boolean(
          (search?.function.parameters.properties.query as { description?: string } | undefined)?.description,
        ),
        'expected described parameters',
      );

      const toolMessage = body.messages?.find((message) => message.role === 'tool');
      response.setHeader('content-type', 'application/json');
      if (!toolMessage) {
        response.end(
          JSON.stringify(
            completion(
              {
                role: 'assistant',
                content: null,
                tool_calls: [
                  {
                    id: 'call_abc',
                    type: 'function',
                    function: { name: 'search_knowledge', arguments: '{"query":"delivery time Lisbon"}' },
                  },
                ],
              },
              'tool_calls',
            ),
          ),
        );
        return;
      }
      const assistant = body.messages?.find((message) => message.role === 'assistant' && message.tool_calls);
      check(
        assistant?.tool_calls?.[0]?.id === 'call_abc' &&
          assistant.tool_calls[0].function.name === 'search_knowledge',
        'expected the assistant tool call echoed back',
      );
      check(toolMessage.tool_call_id === 'call_abc', 'expected the tool result to reference call_abc');
      check(
        String(toolMessage.content).includes('2 business days'),
        'expected the passage in the tool result',
      );
      response.end(
        JSON.stringify(
          completion({ role: 'assistant', content: 'Delivery to Lisbon takes 2 business days [1].' }, 'stop'),
        ),
      );
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ server, url: `http://127.0.0.1:${port}/v1`, requests, problems });
    });
  });
}

function completion(message: Record<string, unknown>, finishReason: string) {
  return {
    id: `chatcmpl-${Math.random().toString(36).slice(2)}`,
    object: 'chat.completion',
    created: 1_700_000_000,
    model: 'local-model',
    choices: [{ index: 0, message, finish_reason: finishReason }],
    usage: { prompt_tokens: 321, completion_tokens: 12, total_tokens: 333 },
  };
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

describe.each(['openai-compatible', 'openai'] as const)(
  '%s provider against a chat-completions server',
  (provider) => {
    let handle: DatabaseHandle;
    let fake: Awaited<ReturnType<typeof startFakeOpenAiServer>>;
    beforeAll(async () => {
      handle = await createTestDatabase();
      fake = await startFakeOpenAiServer();
    });
    afterAll(async () => {
      await new Promise((resolve) => fake.server.close(resolve));
      await handle.close();
    });

    it('sends model, messages and JSON-schema tools, round-trips the tool result, and parses the answer', async () => {
      const deps = buildAgentDeps({
        db: handle.db,
        knowledge: createFakeKnowledgeSearch([
          {
            title: 'Delivery',
            url: 'https://help.example.com/delivery',
            content: 'Delivery to Lisbon takes 2 business days.',
          },
        ]),
        llm: llmConfig({
          provider,
          model: 'local-model',
          baseUrl: fake.url,
          apiKey: 'local-key',
          timeoutMs: 5_000,
        }),
      });
      const conversation = await seedConversation(handle.db);
      const decision = await createAgentResponder(deps).respond(
        responderInput(conversation, [customerMessage('How long is delivery to Lisbon?')]),
      );

      expect(fake.problems).toEqual([]);
      expect(fake.requests).toHaveLength(2);
      expect(decision).toMatchObject({
        kind: 'reply',
        messages: [
          'Delivery to Lisbon takes 2 business days.\n\n🔗 Delivery: https://help.example.com/delivery',
        ],
        usage: { model: 'local-model', inputTokens: 642, outputTokens: 24 },
      });
    });
  },
);
