import { readFileSync } from 'node:fs';
import path from 'node:path';

import { expect, it } from 'vitest';

it('the committed Chatwoot OpenAPI copy is identical to the shared contract when that is present', () => {
  const local = readFileSync(
    path.resolve(import.meta.dirname, '../../contracts/chatwoot-swagger.json'),
    'utf8',
  );
  let shared: string;
  try {
    shared = readFileSync(path.resolve(process.cwd(), '../shared/contracts/chatwoot-swagger.json'), 'utf8');
  } catch {
    console.warn(
      '../shared/contracts/chatwoot-swagger.json not found; comparison skipped (the copy is still used)',
    );
    return;
  }
  expect(local).toBe(shared);
});
