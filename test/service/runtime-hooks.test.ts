import { execFileSync } from 'node:child_process';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');

/**
 * Runs a module in a fresh Node process (hooks are process-wide) and returns what it printed.
 * A hook registered first sits innermost: it sees only what the runtime hooks pass on to Node.
 */
function runWithHooks(register: boolean): { nodeResolved: number; relativeDrizzle: number; works: boolean } {
  const script = `
    import module from 'node:module';
    let nodeResolved = 0, relativeDrizzle = 0;
    module.registerHooks({ resolve(specifier, context, next) {
      nodeResolved += 1;
      if (context.parentURL?.includes('/drizzle-orm/') && specifier.startsWith('.')) relativeDrizzle += 1;
      return next(specifier, context);
    } });
    ${register ? "const { registerRuntimeHooks } = await import('./src/runtime/register-runtime-hooks.ts'); registerRuntimeHooks();" : ''}
    const { sql, is, SQL } = await import('drizzle-orm');
    const { PgDialect, integer, pgTable } = await import('drizzle-orm/pg-core');
    const table = pgTable('t', { id: integer('id') });
    const query = new PgDialect().sqlToQuery(sql\`select \${table.id} from \${table} where \${table.id} = \${7}\`);
    const works = is(sql\`x\`, SQL) && query.sql === 'select "t"."id" from "t" where "t"."id" = $1' && query.params[0] === 7;
    console.log(JSON.stringify({ nodeResolved, relativeDrizzle, works }));`;
  const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return JSON.parse(output.trim().split('\n').at(-1)!) as {
    nodeResolved: number;
    relativeDrizzle: number;
    works: boolean;
  };
}

describe.skipIf(!process.features.typescript)('runtime hooks (src/runtime/register-runtime-hooks.ts)', () => {
  it("resolve drizzle-orm's internal imports without Node's per-file package.json lookups, and drizzle works", () => {
    const without = runWithHooks(false);
    const withHooks = runWithHooks(true);
    expect(without.works).toBe(true);
    expect(without.relativeDrizzle).toBeGreaterThan(50);
    expect(withHooks.works).toBe(true);
    expect(withHooks.relativeDrizzle).toBe(0);
  });
});
