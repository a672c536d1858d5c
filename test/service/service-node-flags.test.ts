import { readFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { SERVICE_NODE_FLAGS } from '../../src/service/service-node-flags.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

describe('the Node flags the service runs with', () => {
  it('are in the launcher shebang and in npm start', () => {
    const shebang = readFileSync(path.join(ROOT, 'bin/chatwoot-agent.js'), 'utf8').split('\n')[0] ?? '';
    const start = (
      JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
        scripts: Record<string, string>;
      }
    ).scripts.start;
    expect(shebang.startsWith('#!/usr/bin/env -S node ')).toBe(true);
    for (const flag of SERVICE_NODE_FLAGS) {
      expect(shebang.split(' ')).toContain(flag);
      expect(start?.split(' ')).toContain(flag);
    }
  });
});
