/**
 * Search benchmark: `npm run bench:search [-- --passages 50000 --backend both|server|pglite --queries 200]`.
 *
 * For each backend (the PostgreSQL server at BENCH_DATABASE_URL, default
 * postgres://postgres@127.0.0.1:5432/postgres, in a database it creates and drops; and an embedded
 * PGlite in a temporary data directory) it ingests a deterministic synthetic help centre through the
 * production path (chunk → tsvector → vectors → HNSW), then measures ingest throughput, HNSW build
 * time, HNSW recall@10 against exact search for several ef_search values, hybrid and full-text
 * query latency, sizes and the process's peak RSS. Prints the figures and the method.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { unaccent } from '@electric-sql/pglite/contrib/unaccent';
import { vector } from '@electric-sql/pglite-pgvector';
import pg from 'pg';

import { createDatabase, wrapPglite } from '../../src/db/create-database.ts';
import type { DatabaseHandle } from '../../src/db/database.ts';
import { migrateDatabase } from '../../src/db/migrate-database.ts';
import { SECTIONS_PER_DOCUMENT } from './bench-corpus.ts';
import { createBenchEmbedder } from './bench-embedder.ts';
import { formatReport, type BackendReport } from './format-bench-report.ts';
import { measureBackend } from './measure-backend.ts';

const { values: args } = parseArgs({
  options: {
    passages: { type: 'string', default: '50000' },
    queries: { type: 'string', default: '200' },
    backend: { type: 'string', default: 'both' },
  },
});
const passages = Number(args.passages);
const documents = Math.ceil(passages / SECTIONS_PER_DOCUMENT);
const queries = Number(args.queries);
const serverUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const embedder = createBenchEmbedder(768);
const reports: BackendReport[] = [];

if (args.backend === 'both' || args.backend === 'server') {
  reports.push(
    await withServerDatabase(serverUrl, (handle) =>
      measureBackend(handle, { documents, queries, embedder, label: 'PostgreSQL server' }),
    ),
  );
  console.log(formatReport(reports.at(-1)!));
}
if (args.backend === 'both' || args.backend === 'pglite') {
  reports.push(
    await withPgliteDatabase((handle) =>
      measureBackend(handle, { documents, queries, embedder, label: 'PGlite' }),
    ),
  );
  console.log(formatReport(reports.at(-1)!));
}
console.log(JSON.stringify({ machine: machineDescription(), passagesRequested: passages, reports }, null, 2));

async function withServerDatabase<T>(
  adminUrl: string,
  run: (handle: DatabaseHandle) => Promise<T>,
): Promise<T> {
  const name = `cwa_bench_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`create database "${name}"`);
    // Session defaults for the bench database: room for the HNSW graph, one parallel build worker.
    await admin.query(`alter database "${name}" set max_parallel_maintenance_workers = 1`);
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    const handle = await createDatabase({ kind: 'postgres', url: url.toString(), poolMax: 4 });
    try {
      await migrateDatabase(handle);
      return await run(handle);
    } finally {
      await handle.close();
    }
  } finally {
    await admin.query(`drop database if exists "${name}" with (force)`).catch(() => undefined);
    await admin.end();
  }
}

async function withPgliteDatabase<T>(run: (handle: DatabaseHandle) => Promise<T>): Promise<T> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cwa-bench-pglite-'));
  const pglite = await PGlite.create({ dataDir, extensions: { vector, unaccent, pg_trgm } });
  const handle = wrapPglite(pglite);
  try {
    await migrateDatabase(handle);
    return await run(handle);
  } finally {
    await handle.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function machineDescription(): string {
  const cpus = os.cpus();
  return `${cpus.length} × ${cpus[0]?.model ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${os.type()} ${os.release()}, Node ${process.version}`;
}
