import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { loadConfig } from '../../src/config/load-config.ts';
import { isAppError } from '../../src/errors/app-error.ts';

function problemsOf(env: Record<string, string>, configFile?: string): string[] {
  try {
    loadConfig({ env, configFile });
  } catch (error) {
    if (isAppError(error, 'invalid_config')) return (error.details?.problems as string[]) ?? [];
    throw error;
  }
  return [];
}

describe('loadConfig', () => {
  it('defaults to the embedded database, port 3000 and a frozen result', () => {
    const config = loadConfig({ env: {} });
    expect(config.database.kind).toBe('pglite');
    expect(config.http.port).toBe(3000);
    expect(config.llm.provider).toBe('none');
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.connections[0])).toBe(true);
  });

  it('reports every bad key at once with what was expected, hiding secret values', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      LOG_LEVEL: 'loud',
      DATABASE_URL: 'mysql://nope',
      CHATWOOT_BASE_URL: 'not a url',
      CHATWOOT_ALLOW_UNSIGNED: 'maybe',
      ADMIN_TOKEN: 'short-secret',
      REPLY_DEBOUNCE_MS: '-5',
    });
    const keys = problems.map((problem) => problem.split(':')[0]);
    expect(keys).toEqual(
      expect.arrayContaining([
        'PORT',
        'LOG_LEVEL',
        'DATABASE_URL',
        'CHATWOOT_BASE_URL',
        'CHATWOOT_ALLOW_UNSIGNED',
        'ADMIN_TOKEN',
        'REPLY_DEBOUNCE_MS',
      ]),
    );
    expect(problems).toHaveLength(7);
    expect(problems.join('\n')).not.toContain('short-secret');
    expect(problems.find((problem) => problem.startsWith('LOG_LEVEL'))).toMatch(/expected one of/i);
  });

  it('builds a server URL from the seed deployment DATABASE_* parts', () => {
    const config = loadConfig({
      env: {
        DATABASE_HOST: 'db.internal',
        DATABASE_PORT: '6543',
        DATABASE_NAME: 'agent',
        DATABASE_USER: 'bot',
        DATABASE_PASSWORD: 'p@ss',
      },
    });
    expect(config.database).toMatchObject({
      kind: 'postgres',
      url: 'postgres://bot:p%40ss@db.internal:6543/agent',
    });
  });

  it('reads model prices as JSON (LLM_PRICES) and reports a malformed or wrongly shaped one', () => {
    const config = loadConfig({
      env: { LLM_PRICES: '{"my-llama-70b": {"inputPerMillionUsd": 0.2, "outputPerMillionUsd": 0.6}}' },
    });
    expect(config.llm.prices).toEqual({
      'my-llama-70b': { inputPerMillionUsd: 0.2, outputPerMillionUsd: 0.6 },
    });
    expect(loadConfig({ env: {} }).llm.prices).toEqual({});
    expect(problemsOf({ LLM_PRICES: '{not json' })).toEqual([
      expect.stringMatching(/^LLM_PRICES: expected JSON/),
    ]);
    expect(
      problemsOf({ LLM_PRICES: '{"gpt-4.1": {"inputPerMillionUsd": -1, "outputPerMillionUsd": 8}}' }),
    ).toEqual([expect.stringMatching(/^LLM_PRICES/)]);
  });

  it('OPENAI_API_KEY alone selects OpenAI with a default model', () => {
    const config = loadConfig({ env: { OPENAI_API_KEY: 'sk-test' } });
    expect(config.llm).toMatchObject({ provider: 'openai', apiKey: 'sk-test' });
    expect(config.llm.model).toBeTruthy();
  });

  it('reads a YAML config file, lets the environment win, and reports unknown keys there too', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cwa-config-'));
    const file = path.join(dir, 'agent.yaml');
    writeFileSync(
      file,
      'PORT: 4000\nLOG_LEVEL: warn\nCONNECTIONS:\n  - name: acme\n    webhookSecret: s3cret\n',
    );
    const config = loadConfig({ env: { LOG_LEVEL: 'error' }, configFile: file });
    expect(config.http.port).toBe(4000);
    expect(config.log.level).toBe('error');
    expect(config.connections.map((connection) => connection.name)).toEqual(['default', 'acme']);

    writeFileSync(file, 'PORTT: 4000\nCONNECTIONS:\n  - name: default\n');
    const problems = problemsOf({}, file);
    expect(problems.some((problem) => problem.startsWith('PORTT'))).toBe(true);
    expect(problems.some((problem) => problem.includes('"default" is used twice'))).toBe(true);
  });
});
