/**
 * `npm run bench:scale`: one tenant with N entries (issue 4: "a tenant with 1,000,000 entries keeps list p95 and
 * search p95 (queries whose terms match up to 1 % of entries) under 20 ms, and common-term queries bounded by a
 * top-k strategy rather than ranking every match").
 *
 * Loading takes the fast path, not the use cases: rows go straight into the `entries` and `entry_tags` read
 * models (one transaction per 1,000 entries) and into the search index through `SearchIndex.upsertMany` (its
 * own transaction per batch). On PostgreSQL the secondary indexes of those tables are dropped first and rebuilt
 * from their own definitions after the load (one GIN build instead of a million incremental inserts). `tenant_content_stats` is not filled (only `estimateCount` reads it). Then the
 * planner statistics are refreshed (ANALYZE; VACUUM ANALYZE on PostgreSQL), as autovacuum would do.
 *
 * Measured in process, open loop (bench/lib/openLoop.ts), through the real read paths (`listEntries` and the
 * search port): list newest 20 (no filter, type, status, tag; page 1 and a deep cursor page), search for terms
 * found in 0.1–1 % of entries, and search for the 20 most common terms (found in 30–100 % of entries).
 *
 * Usage: node bench/scale.ts [--entries 100000] [--backend embedded|distributed] [--seconds 10] [--rate 100]
 * [--rank-window N] [--keep] (leave the store behind for EXPLAIN; prints where) [--reuse <schema | sqlite file>]
 * (measure a kept store again, e.g. once its pages are in the OS cache as on a server that has been running; the
 * corpus statistics are regenerated, nothing is loaded). Results print and go to bench/results/scale-<date>.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { type Kysely, sql } from 'kysely';
import { encodeCursor } from '../src/content/entries/cursor.ts';
import { listEntries } from '../src/content/entries/entryLister.ts';
import type { EntriesTable, EntryTagsTable } from '../src/content/entries/tables.ts';
import type { SearchDocument, SearchIndex } from '../src/data/search/port.ts';
import { createPostgresSearch } from '../src/data/search/postgres-fts/postgresSearch.ts';
import { createSqliteSearch } from '../src/data/search/sqlite-fts/sqliteSearch.ts';
import type { Store } from '../src/data/store/port.ts';
import { openPostgresStore } from '../src/data/store/postgres/postgresStore.ts';
import { openSqliteStore } from '../src/data/store/sqlite/sqliteStore.ts';
import type { Principal } from '../src/experience/auth/principal.ts';
import { type Backend, openTestStore, TEST_DATABASE_URL, type TestStore } from '../test/support/backends.ts';
import { prng, sentence, vocabulary, zipfSampler } from './lib/corpus.ts';
import { formatResult, machine, type OpenLoopResult, openLoop } from './lib/openLoop.ts';

const { values } = parseArgs({
  options: {
    entries: { type: 'string', default: '100000' },
    backend: { type: 'string', default: 'embedded' },
    seconds: { type: 'string', default: '10' },
    rate: { type: 'string', default: '100' },
    'rank-window': { type: 'string' },
    keep: { type: 'boolean' },
    reuse: { type: 'string' },
  },
});
const ENTRIES = Number(values.entries);
const SECONDS = Number(values.seconds);
const RATE = Number(values.rate);
const BACKEND: Backend = values.backend === 'distributed' ? 'distributed' : 'embedded';
const RANK_WINDOW = values['rank-window'] === undefined ? undefined : Number(values['rank-window']);
const TENANT = 'scale-tenant';
const BATCH = 1000;
const TYPES = ['article', 'article', 'article', 'article', 'page'] as const;
const STATUSES = ['draft', 'published', 'published', 'changed'] as const;

const actor: Principal = {
  kind: 'user',
  subject: 'bench-owner',
  tenantId: TENANT,
  role: 'owner',
  scopes: ['api'],
  tokenId: 'bench',
  expiresAt: Math.floor(Date.now() / 1000) + 86_400,
};

type LoadTables = { entries: EntriesTable; entry_tags: EntryTagsTable };

/** Entry i's position in the newest-first order (entries are updated one second apart). */
function updatedAt(i: number): string {
  return new Date(1_700_000_000_000 + i * 1000).toISOString();
}

function entryId(i: number): string {
  return `e${String(i).padStart(8, '0')}`;
}

interface Corpus {
  /** Documents containing each word (title, body or tag). */
  readonly df: Map<string, number>;
  readonly tags: readonly string[];
}

const LOADED_TABLES = ['search_docs', 'entries', 'entry_tags'];

/**
 * PostgreSQL only: drops the secondary indexes of the loaded tables and returns what recreates them. Building a
 * GIN index once is far cheaper than growing it row by row; the rebuilt indexes are the migrations' own.
 */
async function dropSecondaryIndexes(store: Store): Promise<string[]> {
  const rows = await sql<{ name: string; def: string }>`
    select i.indexname as name, i.indexdef as def from pg_indexes i
    where i.schemaname = current_schema() and i.tablename in (${sql.join(LOADED_TABLES)})
      and not exists (select 1 from pg_constraint c where c.conname = i.indexname)`.execute(store.db);
  for (const row of rows.rows) await sql`drop index ${sql.id(row.name)}`.execute(store.db);
  return rows.rows.map((r) => r.def);
}

async function load(store: Store, search: SearchIndex, insert: boolean): Promise<Corpus> {
  const db = (store.db as unknown as Kysely<unknown>).withTables<LoadTables>();
  const rebuild = insert && store.dialect === 'postgres' ? await dropSecondaryIndexes(store) : [];
  const random = prng(42);
  const vocab = vocabulary(20_000, random);
  const sample = zipfSampler(vocab.length, random);
  const tagVocab = vocabulary(60, prng(9)).map((w) => `t-${w}`);
  const tagSample = zipfSampler(tagVocab.length, random);
  const df = new Map<string, number>();
  for (let start = 0; start < ENTRIES; start += BATCH) {
    const entries: EntriesTable[] = [];
    const tags: EntryTagsTable[] = [];
    const docs: SearchDocument[] = [];
    for (let i = start; i < Math.min(ENTRIES, start + BATCH); i += 1) {
      const title = sentence(6, vocab, sample);
      const body = sentence(120, vocab, sample);
      const entryTags = [...new Set([tagVocab[tagSample()] ?? 't-x', tagVocab[tagSample()] ?? 't-x'])].sort();
      const type = TYPES[i % TYPES.length] ?? 'article';
      const status = STATUSES[i % STATUSES.length] ?? 'draft';
      const u = updatedAt(i);
      const id = entryId(i);
      for (const w of new Set(`${title} ${body}`.split(' '))) df.set(w, (df.get(w) ?? 0) + 1);
      entries.push({
        tenant_id: TENANT,
        id,
        type,
        slug: null,
        title,
        tags: JSON.stringify(entryTags),
        fields: JSON.stringify({ body, tags: entryTags, title }),
        content_hash: `h${i}`,
        status,
        version: 1,
        author_id: `author-${i % 25}`,
        created_at: u,
        updated_at: u,
        published_at: status === 'draft' ? null : u,
        published_version: status === 'draft' ? null : 1,
        scheduled_publish_at: null,
        deleted_at: null,
      });
      for (const tag of entryTags) tags.push({ tenant_id: TENANT, entry_id: id, tag, updated_at: u });
      docs.push({ tenantId: TENANT, id, type, status, title, body, tags: entryTags, updatedAt: u });
    }
    if (!insert) continue;
    await db.transaction().execute(async (trx) => {
      // 500 rows × 18 columns stays under both dialects' bound-parameter limits.
      for (let i = 0; i < entries.length; i += 500)
        await trx
          .insertInto('entries')
          .values(entries.slice(i, i + 500))
          .execute();
      for (let i = 0; i < tags.length; i += 2000)
        await trx
          .insertInto('entry_tags')
          .values(tags.slice(i, i + 2000))
          .execute();
    });
    await search.upsertMany(docs);
    if ((start / BATCH) % 50 === 49) console.log(`  loaded ${start + BATCH} entries`);
  }
  if (rebuild.length > 0) {
    const started = performance.now();
    for (const def of rebuild) {
      // One transaction per index, so the memory setting applies on the connection that builds it.
      await store.db.transaction().execute(async (trx) => {
        await sql`set local maintenance_work_mem = '512MB'`.execute(trx);
        await sql.raw(def).execute(trx);
      });
    }
    console.log(`  rebuilt ${rebuild.length} indexes in ${Math.round((performance.now() - started) / 1000)}s`);
  }
  if (!insert) return { df, tags: tagVocab };
  if (store.dialect === 'postgres') await sql`vacuum analyze`.execute(store.db);
  else await sql`analyze`.execute(store.db);
  return { df, tags: tagVocab };
}

function pick<T>(list: readonly T[], random: () => number): T {
  const value = list[Math.floor(random() * list.length)];
  if (value === undefined) throw new Error('empty list');
  return value;
}

async function scenarios(store: Store, search: SearchIndex, corpus: Corpus): Promise<OpenLoopResult[]> {
  const random = prng(7);
  const byDf = [...corpus.df.entries()].sort((a, b) => b[1] - a[1]);
  const common = byDf.slice(0, 20).map(([w]) => w);
  const rare = byDf.filter(([, n]) => n <= ENTRIES * 0.01 && n >= ENTRIES * 0.001).map(([w]) => w);
  if (rare.length === 0) throw new Error('no term found in 0.1–1 % of entries');
  const commonDf = byDf.slice(0, 20).map(([, n]) => n);
  console.log(
    `terms: ${rare.length} rare (0.1–1 %), common df ${Math.min(...commonDf)}–${Math.max(...commonDf)} of ${ENTRIES}`,
  );
  const deepCursor = () => {
    const i = Math.floor(random() * ENTRIES * 0.9);
    return encodeCursor([updatedAt(i), entryId(i)]);
  };
  const list = (filters: Parameters<typeof listEntries>[0]['filters'], deep: boolean) => async () => {
    const page = await listEntries({
      store,
      actor,
      tenantId: TENANT,
      filters,
      limit: 20,
      cursor: deep ? deepCursor() : null,
    });
    if (page.items.length === 0) throw new Error('empty list page');
  };
  const cases: Array<[string, () => Promise<void>]> = [
    ['list newest 20, no filter, page 1', list(undefined, false)],
    ['list newest 20, no filter, deep cursor', list(undefined, true)],
    ['list newest 20, type=page, page 1', list({ type: 'page' }, false)],
    ['list newest 20, status=draft, deep cursor', list({ status: 'draft' }, true)],
    [
      'list newest 20, tag (random), page 1',
      async () => {
        await listEntries({ store, actor, tenantId: TENANT, filters: { tag: pick(corpus.tags, random) }, limit: 20 });
      },
    ],
    ['list newest 20, tag (most common), deep cursor', list({ tag: corpus.tags[0] ?? 't-x' }, true)],
    [
      'search, terms in 0.1–1 % of entries',
      async () => {
        await search.query({ tenantId: TENANT, q: pick(rare, random), limit: 20 });
      },
    ],
    [
      'search, 20 most common terms (top-k windows)',
      async () => {
        await search.query({ tenantId: TENANT, q: pick(common, random), limit: 20 });
      },
    ],
    [
      'search, two common terms (AND)',
      async () => {
        await search.query({ tenantId: TENANT, q: `${pick(common, random)} ${pick(common, random)}`, limit: 20 });
      },
    ],
  ];
  const results: OpenLoopResult[] = [];
  for (const [name, op] of cases) {
    for (let i = 0; i < 20; i += 1) await op(); // warm-up
    const result = await openLoop({ name: `${name} (${RATE}/s)`, rate: RATE, durationS: SECONDS, op: () => op() });
    console.log(formatResult(result));
    results.push(result);
  }
  return results;
}

function reusedStore(kept: string): TestStore {
  if (BACKEND === 'embedded') {
    return { store: openSqliteStore({ filename: kept }), location: kept, schema: undefined, cleanup: async () => {} };
  }
  return {
    store: openPostgresStore({ connectionString: TEST_DATABASE_URL, max: 5, schema: kept }),
    location: TEST_DATABASE_URL,
    schema: kept,
    cleanup: async () => {},
  };
}

const t: TestStore = values.reuse === undefined ? await openTestStore(BACKEND) : reusedStore(values.reuse);
try {
  const options = RANK_WINDOW === undefined ? {} : { rankWindow: RANK_WINDOW };
  const search = BACKEND === 'embedded' ? createSqliteSearch(t.store, options) : createPostgresSearch(t.store, options);
  const report = {
    machine: machine(),
    backend: BACKEND,
    entries: ENTRIES,
    loadPath: 'bulk insert',
    results: [] as OpenLoopResult[],
  };
  console.log(
    'machine',
    JSON.stringify(report.machine),
    'load average at start',
    os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' '),
  );
  console.log(
    `backend ${BACKEND}, ${ENTRIES} entries in one tenant; load path: ${values.reuse === undefined ? 'bulk insert into read models + search' : `reused schema ${values.reuse}`}`,
  );
  const started = performance.now();
  const corpus = await load(t.store, search, values.reuse === undefined);
  console.log(`loaded in ${Math.round((performance.now() - started) / 100) / 10}s`);
  console.log(
    `load average before measuring ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  report.results = await scenarios(t.store, search, corpus);
  console.log(
    `load average after measuring ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const dir = path.join(import.meta.dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `scale-${BACKEND}-${ENTRIES}-${report.machine.date.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`wrote ${file}`);
} finally {
  if (values.keep === true || values.reuse !== undefined) {
    await t.store.close();
    console.log(`kept the store: ${t.location}${t.schema === undefined ? '' : ` schema ${t.schema}`}`);
  } else await t.cleanup();
}
