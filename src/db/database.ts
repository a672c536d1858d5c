import type { PGlite } from '@electric-sql/pglite';
import type { ExtractTablesWithRelations } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import type { Pool } from 'pg';

import type * as schema from './schema/index.ts';

export type Schema = typeof schema;

/** The query builder, on PGlite or node-postgres alike. */
export type Database = PgDatabase<PgQueryResultHKT, Schema>;
export type Transaction = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** What repositories accept: the database or a transaction the caller opened. */
export type Executor = Database | Transaction;

export type DatabaseHandle =
  | { readonly kind: 'pglite'; readonly db: Database; readonly pglite: PGlite; close(): Promise<void> }
  | {
      readonly kind: 'postgres';
      readonly db: Database;
      readonly pool: Pool;
      readonly url: string;
      close(): Promise<void>;
    };
