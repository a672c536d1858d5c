#!/usr/bin/env node
// The README's test command (`npm test`). Runs the suite on the embedded PGlite, then the
// database-backed suites again on a real PostgreSQL with pgvector when one is reachable, and ends
// with one plain line `N passed, N failed` (CI reads it). Extra arguments go to vitest.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import pg from 'pg';

const root = path.resolve(import.meta.dirname, '..');
const extraArgs = process.argv.slice(2);
const serverUrl = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
// Suites that talk to the database run again on the real server; pure unit suites need not.
const SERVER_TIER_PATHS = [
  'test/db',
  'test/ingress',
  'test/pipeline',
  'test/knowledge-search',
  'test/knowledge-sources',
  'test/agent',
];

const totals = { passed: 0, failed: 0, skipped: 0 };

function runVitest(label, args, env) {
  const outputFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'cwa-vitest-')), 'results.json');
  console.log(`\n=== ${label} ===`);
  const result = spawnSync(
    process.execPath,
    [
      path.join(root, 'node_modules/vitest/vitest.mjs'),
      'run',
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${outputFile}`,
      ...args,
    ],
    { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } },
  );
  let report;
  try {
    report = JSON.parse(readFileSync(outputFile, 'utf8'));
  } catch {
    console.log(`${label}: vitest produced no report (exit ${result.status})`);
    totals.failed += 1;
    return;
  }
  const passed = report.numPassedTests ?? 0;
  const failed =
    (report.numFailedTests ?? 0) +
    (report.numFailedTestSuites && !report.numFailedTests ? report.numFailedTestSuites : 0);
  const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  totals.passed += passed;
  totals.failed += failed;
  totals.skipped += skipped;
  if (result.status !== 0 && failed === 0) totals.failed += 1;
  console.log(`${label}: ${passed} passed, ${failed} failed, ${skipped} skipped`);
}

async function serverStatus() {
  const client = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    const { rows } = await client.query(
      "select exists (select 1 from pg_available_extensions where name = 'vector') as vector",
    );
    return rows[0]?.vector
      ? { ok: true }
      : { ok: false, reason: 'the server has no pgvector extension (see .ci/run for the build recipe)' };
  } catch (error) {
    return { ok: false, reason: `cannot connect (${error.message})` };
  } finally {
    await client.end().catch(() => undefined);
  }
}

const pgliteEnv = { TEST_DATABASE_URL: '' };
runVitest('tier 1: embedded PGlite', extraArgs, pgliteEnv);

if (process.env.SKIP_SERVER_TIER === '1') {
  console.log('\nreal-server tier: skipped (SKIP_SERVER_TIER=1)');
} else {
  const status = await serverStatus();
  const selected = extraArgs.length > 0 ? extraArgs : SERVER_TIER_PATHS;
  if (status.ok) {
    runVitest(`tier 2: real PostgreSQL (${new URL(serverUrl).host})`, selected, {
      TEST_DATABASE_URL: serverUrl,
    });
  } else {
    console.log(`\nreal-server tier SKIPPED: PostgreSQL at ${new URL(serverUrl).host}: ${status.reason}.`);
    console.log(
      `  Not run against a real server: ${selected.join(', ')} (they ran on PGlite above; tests marked real-server-only were skipped there).`,
    );
  }
}

console.log(
  `\n${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ''}`,
);
process.exit(totals.failed > 0 ? 1 : 0);
