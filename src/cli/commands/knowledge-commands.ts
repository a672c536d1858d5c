import { statSync } from 'node:fs';
import path from 'node:path';

import type { Command } from 'commander';

import type { Config } from '../../config/config.ts';
import type { Database } from '../../db/database.ts';
import { runRetrievalEval } from '../../knowledge/eval/run-retrieval-eval.ts';
import { ingestSampleKnowledgeBase } from '../../knowledge/eval/ingest-sample-knowledge-base.ts';
import { createEmbedderFromConfig } from '../../knowledge/embed/create-embedder-from-config.ts';
import { reembedAll } from '../../knowledge/embed/reembed-all.ts';
import { createSafeFetch } from '../../knowledge/fetch/create-safe-fetch.ts';
import { createKnowledgeSearch } from '../../knowledge/search/create-knowledge-search.ts';
import { sourceOptionsSchema } from '../../knowledge/sources/load-source-documents.ts';
import { parseSyncInterval } from '../../knowledge/sources/parse-sync-interval.ts';
import { syncKnowledgeSource } from '../../knowledge/sources/sync-knowledge-source.ts';
import type { IngestProgress } from '../../knowledge/store/ingest-documents.ts';
import { createKnowledgeSourceRepository } from '../../knowledge/store/knowledge-source-repository.ts';
import type { KnowledgeSourceKind } from '../../db/schema/knowledge.ts';
import { createLogger } from '../../logging/create-logger.ts';
import { parseInteger, withCliDatabase } from '../open-cli-database.ts';

const print = (line = '') => process.stdout.write(`${line}\n`);

function knowledgeDeps(config: Config, db: Database) {
  const logger = createLogger({ level: config.log.level === 'info' ? 'warn' : config.log.level });
  const embedder = createEmbedderFromConfig(config.embedding);
  const userToken = config.connections.find((connection) => connection.name === 'default')?.userToken;
  return {
    db,
    logger,
    ...(embedder ? { embedder } : {}),
    fetch: createSafeFetch({ allowPrivateNetwork: config.network.allowPrivate }),
    ...(userToken ? { chatwootUserToken: userToken } : {}),
    // Progress only on a terminal: logs and CI get the summary lines alone.
    ...(process.stderr.isTTY
      ? { onProgress: (message: string) => process.stderr.write(`\r${message}   `) }
      : {}),
  };
}

async function syncAndReport(config: Config, db: Database, sourceId: number): Promise<boolean> {
  const { result, loadErrors } = await syncKnowledgeSource(knowledgeDeps(config, db), {
    sourceId,
    ...(process.stderr.isTTY
      ? {
          onProgress: (progress: IngestProgress) =>
            process.stderr.write(
              `\r${progress.phase}: ${progress.done}${progress.total ? `/${progress.total}` : ''}   `,
            ),
        }
      : {}),
  });
  if (process.stderr.isTTY) process.stderr.write('\n');
  print(
    `source ${sourceId}: ${result.added} added, ${result.updated} updated, ${result.unchanged} unchanged, ${result.removed} removed — ${result.documentCount} documents, ${result.chunksInserted} passages written${result.chunksEmbedded ? `, ${result.chunksEmbedded} embedded` : ''}`,
  );
  for (const failure of [
    ...loadErrors.map((error) => `${error.item}: ${error.message}`),
    ...result.failed.map((failure) => `${failure.sourceUri}: ${failure.error.message}`),
  ]) {
    print(`  ! ${failure}`);
  }
  if (loadErrors.length > 0) print('  (some items could not be read: nothing was deleted on this sync)');
  return loadErrors.length === 0 && result.failed.length === 0;
}

/** `ingest`, `sources list|sync|remove`, `search`, `eval retrieval`, `reembed`. */
export function registerKnowledgeCommands(program: Command, loadConfig: () => Config): void {
  program
    .command('ingest')
    .description(
      'add a file, folder, web page, sitemap, site crawl or Chatwoot help centre to the knowledge base and sync it',
    )
    .argument('<location>', 'a path or an http(s) URL')
    .option('--sitemap', 'the URL is a sitemap: ingest every page it lists')
    .option('--crawl', 'crawl the site from this URL (same host, robots.txt respected)')
    .option('--max-pages <n>', 'page limit for --crawl / --sitemap')
    .option('--max-depth <n>', 'link depth for --crawl')
    .option('--portal <slug>', 'the URL is a Chatwoot installation: ingest this help-centre portal')
    .option('--account <id>', 'Chatwoot account id (portal through the API with CHATWOOT_USER_TOKEN)')
    .option('--inbox <id...>', 'only these inbox ids may use the source (default: every inbox)')
    .option('--name <name>', 'a display name')
    .option('--every <interval>', 're-sync on a schedule while serve runs: 30m, 6h, 1d')
    .action(async (location: string, options: Record<string, string | string[] | boolean | undefined>) => {
      const config = loadConfig();
      const isUrl = /^https?:\/\//i.test(location);
      let kind: KnowledgeSourceKind;
      let resolved = location;
      if (!isUrl) {
        resolved = path.resolve(location);
        kind = statSync(resolved).isDirectory() ? 'directory' : 'file';
      } else {
        kind = options.portal
          ? 'chatwoot_portal'
          : options.sitemap
            ? 'sitemap'
            : options.crawl
              ? 'crawl'
              : 'url';
      }
      const sourceOptions = sourceOptionsSchema.parse({
        ...(options.maxPages ? { maxPages: parseInteger(String(options.maxPages), '--max-pages') } : {}),
        ...(options.maxDepth ? { maxDepth: parseInteger(String(options.maxDepth), '--max-depth') } : {}),
        ...(options.portal ? { portalSlug: String(options.portal) } : {}),
        ...(options.account ? { accountId: parseInteger(String(options.account), '--account') } : {}),
      });
      const schedule = typeof options.every === 'string' ? options.every : null;
      if (schedule !== null && parseSyncInterval(schedule) === null)
        throw new Error(`--every must look like 30m, 6h or 1d (at least 5m), got "${schedule}"`);
      const inboxIds = Array.isArray(options.inbox)
        ? options.inbox.map((id) => parseInteger(id, '--inbox'))
        : null;
      await withCliDatabase(config, async ({ db }) => {
        const sources = createKnowledgeSourceRepository(db);
        const existing = (await sources.list()).find(
          (source) => source.kind === kind && source.location === resolved,
        );
        const source =
          existing ??
          (await sources.create({
            kind,
            location: resolved,
            ...(typeof options.name === 'string' ? { name: options.name } : {}),
            inboxIds,
            options: sourceOptions,
            schedule,
          }));
        if (existing && schedule !== null) await sources.update(existing.id, { schedule });
        print(`${existing ? 'syncing existing' : 'added'} source ${source.id} (${kind}) ${resolved}`);
        if (!(await syncAndReport(config, db, source.id))) process.exitCode = 1;
      });
    });

  const sources = program.command('sources').description('list, re-sync or remove knowledge sources');
  sources
    .command('list')
    .description('every source with its status')
    .action(async () => {
      await withCliDatabase(loadConfig(), async ({ db }) => {
        const rows = await createKnowledgeSourceRepository(db).list();
        if (rows.length === 0) print('no knowledge sources yet: chatwoot-agent ingest <file|dir|url>');
        for (const source of rows) {
          print(
            `${source.id}\t${source.kind}\t${source.status}\t${source.documentCount} docs\t${source.lastSyncedAt?.toISOString() ?? 'never synced'}\t${source.inboxIds ? `inboxes ${source.inboxIds.join(',')}` : 'all inboxes'}\t${source.schedule ? `every ${source.schedule}` : 'on demand'}\t${source.location}${source.lastError ? `\n\t! ${source.lastError}` : ''}`,
          );
        }
      });
    });
  sources
    .command('sync')
    .description('re-read sources and ingest only what changed')
    .argument('[ids...]', 'source ids (default: all)')
    .action(async (ids: string[]) => {
      const config = loadConfig();
      await withCliDatabase(config, async ({ db }) => {
        const all = await createKnowledgeSourceRepository(db).list();
        const selected =
          ids.length > 0 ? ids.map((id) => parseInteger(id, 'source id')) : all.map((source) => source.id);
        for (const id of selected) if (!(await syncAndReport(config, db, id))) process.exitCode = 1;
      });
    });
  sources
    .command('schedule')
    .description('re-sync a source on a schedule while serve runs (30m, 6h, 1d), or "off"')
    .argument('<id>')
    .argument('<interval>')
    .action(async (id: string, interval: string) => {
      const schedule = interval === 'off' ? null : interval;
      if (schedule !== null && parseSyncInterval(schedule) === null)
        throw new Error(`interval must look like 30m, 6h or 1d (at least 5m), or "off"; got "${interval}"`);
      await withCliDatabase(loadConfig(), async ({ db }) => {
        const sourceId = parseInteger(id, 'source id');
        const repository = createKnowledgeSourceRepository(db);
        if (!(await repository.findById(sourceId))) throw new Error(`no source ${id}`);
        await repository.update(sourceId, { schedule });
        print(schedule ? `source ${id} re-syncs every ${schedule}` : `source ${id} syncs on demand only`);
      });
    });
  sources
    .command('remove')
    .description('delete a source and all its passages')
    .argument('<id>')
    .action(async (id: string) => {
      await withCliDatabase(loadConfig(), async ({ db }) => {
        const removed = await createKnowledgeSourceRepository(db).remove(parseInteger(id, 'source id'));
        print(removed ? `source ${id} removed` : `no source ${id}`);
        if (!removed) process.exitCode = 1;
      });
    });

  program
    .command('search')
    .description('search the knowledge base as the agent does')
    .argument('<query>')
    .option('--inbox <id>', 'only passages this inbox may use')
    .option('--lang <code>', 'the query language (ISO 639-1); detected otherwise')
    .option('--limit <n>', 'passages to show', '5')
    .action(async (query: string, options: { inbox?: string; lang?: string; limit: string }) => {
      const config = loadConfig();
      await withCliDatabase(config, async ({ db }) => {
        const deps = knowledgeDeps(config, db);
        const search = createKnowledgeSearch(deps);
        const started = performance.now();
        const passages = await search.search({
          query,
          limit: parseInteger(options.limit, '--limit'),
          ...(options.inbox ? { inboxId: parseInteger(options.inbox, '--inbox') } : {}),
          ...(options.lang ? { language: options.lang } : {}),
        });
        print(`${passages.length} passages in ${(performance.now() - started).toFixed(1)} ms`);
        for (const [index, passage] of passages.entries()) {
          const where = [passage.citation.title, ...passage.citation.headingPath].join(' › ');
          print(
            `\n[${index + 1}] ${where} — ${passage.citation.url ?? ''} (score ${passage.score.toFixed(4)}, ${passage.language}${passage.fullTextRank !== null ? `, text ${passage.fullTextRank.toFixed(3)}` : ''}${passage.vectorDistance !== null ? `, distance ${passage.vectorDistance.toFixed(3)}` : ''})`,
          );
          print(passage.content.length > 400 ? `${passage.content.slice(0, 400)}…` : passage.content);
        }
      });
    });

  program
    .command('eval')
    .description('evaluate retrieval: chatwoot-agent eval retrieval <dataset.jsonl>')
    .argument('<kind>', 'retrieval')
    .argument('<dataset>', 'JSONL: {question, language, expected_document} per line')
    .option('--ingest-sample', 'ingest the bundled ACME help centre first')
    .option('--inbox <id>')
    .option('-v, --verbose', 'print misses and late hits')
    .action(
      async (
        kind: string,
        dataset: string,
        options: { ingestSample?: boolean; inbox?: string; verbose?: boolean },
      ) => {
        if (kind !== 'retrieval') throw new Error(`unknown evaluation "${kind}" (supported: retrieval)`);
        const config = loadConfig();
        await withCliDatabase(config, async ({ db }) => {
          const deps = knowledgeDeps(config, db);
          if (options.ingestSample) await ingestSampleKnowledgeBase(deps);
          await runRetrievalEval({ search: createKnowledgeSearch(deps), print }, path.resolve(dataset), {
            ...(options.inbox ? { inboxId: parseInteger(options.inbox, '--inbox') } : {}),
            verbose: options.verbose === true,
          });
        });
      },
    );

  program
    .command('reembed')
    .description('re-embed every passage with the configured EMBEDDING_MODEL (after changing models)')
    .action(async () => {
      const config = loadConfig();
      await withCliDatabase(config, async ({ db }) => {
        const deps = knowledgeDeps(config, db);
        if (!deps.embedder)
          throw new Error('no embedding provider configured (EMBEDDING_PROVIDER / EMBEDDING_MODEL)');
        const result = await reembedAll({ db, embedder: deps.embedder, logger: deps.logger }, {});
        print(`re-embedded: ${JSON.stringify(result)}`);
      });
    });
}
