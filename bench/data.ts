/**
 * `npm run bench:data`: data-plane figures for each adapter pair, printed and written to bench/results/.
 *
 * - store point read and point write ops/s (closed loop: these are throughput figures);
 * - queue enqueue→start latency when idle (open loop: jobs sent on a schedule, latency from the scheduled send);
 * - kv reserve (incrementWithLimit) ops/s;
 * - search query latency over 100k entries in one tenant (open loop), rare and common terms reported apart.
 *
 * Usage: node bench/data.ts [--backends embedded,distributed] [--docs 100000] [--seconds 5]
 * The distributed run needs PostgreSQL and Redis (DATABASE_URL / REDIS_URL or the local defaults).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Kv } from '../src/data/kv/port.ts';
import { createRedisKv } from '../src/data/kv/redis/redisKv.ts';
import { createSqliteKv } from '../src/data/kv/sqlite/sqliteKv.ts';
import { createBullmqQueue } from '../src/data/queue/bullmq/bullmqQueue.ts';
import type { Queue } from '../src/data/queue/port.ts';
import { createSqliteQueue } from '../src/data/queue/sqlite/sqliteQueue.ts';
import type { SearchDocument, SearchIndex } from '../src/data/search/port.ts';
import { createPostgresSearch } from '../src/data/search/postgres-fts/postgresSearch.ts';
import { createSqliteSearch } from '../src/data/search/sqlite-fts/sqliteSearch.ts';
import type { Store } from '../src/data/store/port.ts';
import { type Backend, openTestStore, TEST_REDIS_URL, uniqueName } from '../test/support/backends.ts';
import { prng, sentence, vocabulary, zipfSampler } from './lib/corpus.ts';
import { formatResult, machine, type OpenLoopResult, openLoop, throughput } from './lib/openLoop.ts';

const { values } = parseArgs({
  options: {
    backends: { type: 'string', default: 'embedded,distributed' },
    docs: { type: 'string', default: '100000' },
    seconds: { type: 'string', default: '5' },
  },
});
const backends = (values.backends ?? '')
  .split(',')
  .filter((b): b is Backend => b === 'embedded' || b === 'distributed');
const DOCS = Number(values.docs);
const SECONDS = Number(values.seconds);
const TENANT = 'bench-tenant';

async function storeFigures(
  store: Store,
): Promise<{ readOpsPerS: number; builderReadOpsPerS: number; writeOpsPerS: number; singleWriterOpsPerS: number }> {
  const now = new Date().toISOString();
  const ids = Array.from({ length: 10_000 }, (_, i) => `r${i}`);
  for (let i = 0; i < ids.length; i += 500) {
    const rows = ids.slice(i, i + 500).map((id) => ({ id, slug: id, name: `Tenant ${id}`, created_at: now }));
    await store.db.insertInto('tenants').values(rows).execute();
  }
  // SQLite reads are synchronous: more callers only add scheduling. PostgreSQL needs callers to fill its pool.
  const readers = store.dialect === 'sqlite' ? 1 : 16;
  const byId = store.prepare(store.db.selectFrom('tenants').select(['id', 'slug', 'name']).where('id', '=', 'r0'));
  const readOpsPerS = await throughput(SECONDS, readers, async (i) => {
    if ((await byId.first([ids[i % ids.length]])) === undefined) throw new Error('missing row');
  });
  // The same read through the query builder on every call (what ad-hoc queries cost).
  const builderReadOpsPerS = await throughput(SECONDS, readers, async (i) => {
    const row = await store.db
      .selectFrom('tenants')
      .select(['id', 'slug', 'name'])
      .where('id', '=', ids[i % ids.length] ?? 'r0')
      .executeTakeFirst();
    if (row === undefined) throw new Error('missing row');
  });
  const run = uniqueName('w');
  const insert = (id: string) =>
    store.db.insertInto('tenants').values({ id, slug: id, name: 'w', created_at: now }).execute();
  // A server has many requests writing at once (16 here); every write is its own acknowledged statement.
  const writeOpsPerS = await throughput(SECONDS, 16, async (i) => {
    await insert(`${run}-c${i}`);
  });
  // One caller awaiting each write before the next: no commit can be shared.
  const singleWriterOpsPerS = await throughput(SECONDS, 1, async (i) => {
    await insert(`${run}-s${i}`);
  });
  return { readOpsPerS, builderReadOpsPerS, writeOpsPerS, singleWriterOpsPerS };
}

async function queueFigures(queue: Queue): Promise<OpenLoopResult> {
  const name = uniqueName('bench');
  const waiting = new Map<number, () => void>();
  const worker = queue.process<{ i: number }, null>(
    name,
    async (job) => {
      waiting.get(job.payload.i)?.();
      return null;
    },
    { concurrency: 8 },
  );
  // Warm-up so connection set-up is not counted.
  await new Promise<void>((resolve) => {
    waiting.set(-1, resolve);
    void queue.enqueue(name, { i: -1 });
  });
  const result = await openLoop({
    name: 'queue enqueue→start (idle, 100/s)',
    rate: 100,
    durationS: SECONDS * 2,
    op: (i) =>
      new Promise<void>((resolve, reject) => {
        waiting.set(i, resolve);
        queue.enqueue(name, { i }).catch(reject);
      }),
  });
  await worker.close(1000);
  return result;
}

async function kvFigures(kv: Kv): Promise<number> {
  const key = uniqueName('budget');
  return throughput(SECONDS, 16, async () => {
    await kv.incrementWithLimit(key, 1, Number.MAX_SAFE_INTEGER);
  });
}

async function searchFigures(
  search: SearchIndex,
): Promise<{ indexS: number; rare: OpenLoopResult; common: OpenLoopResult }> {
  const random = prng(42);
  const vocab = vocabulary(20_000, random);
  const sample = zipfSampler(vocab.length, random);
  const started = performance.now();
  const batch: SearchDocument[] = [];
  for (let i = 0; i < DOCS; i += 1) {
    batch.push({
      tenantId: TENANT,
      id: `doc-${String(i).padStart(7, '0')}`,
      type: 'article',
      status: i % 3 === 0 ? 'draft' : 'published',
      title: sentence(6, vocab, sample),
      body: sentence(120, vocab, sample),
      tags: [vocab[sample()] ?? 'x'],
      updatedAt: new Date(1_700_000_000_000 + i * 1000).toISOString(),
    });
    if (batch.length === 1000) {
      await search.upsertMany(batch.splice(0));
    }
  }
  if (batch.length > 0) await search.upsertMany(batch);
  const indexS = Math.round((performance.now() - started) / 100) / 10;
  const q = prng(7);
  // Rare: ranks 2000..20000 (each in well under 1 % of documents). Common: the 20 most frequent terms.
  const rareTerm = () => vocab[2000 + Math.floor(q() * 18_000)] ?? 'x';
  const commonTerm = () => vocab[Math.floor(q() * 20)] ?? 'x';
  const rare = await openLoop({
    name: `search rare terms (${DOCS} docs, 100/s)`,
    rate: 100,
    durationS: SECONDS * 2,
    op: async () => {
      await search.query({ tenantId: TENANT, q: rareTerm(), limit: 20 });
    },
  });
  const common = await openLoop({
    name: `search common terms (${DOCS} docs, 100/s)`,
    rate: 100,
    durationS: SECONDS * 2,
    op: async () => {
      await search.query({ tenantId: TENANT, q: commonTerm(), limit: 20 });
    },
  });
  return { indexS, rare, common };
}

async function benchBackend(backend: Backend): Promise<Record<string, unknown>> {
  const t = await openTestStore(backend);
  const prefix = uniqueName('bench');
  const kv = backend === 'embedded' ? createSqliteKv(t.store) : createRedisKv({ url: TEST_REDIS_URL, prefix });
  const queue =
    backend === 'embedded' ? createSqliteQueue(t.store) : createBullmqQueue({ url: TEST_REDIS_URL, prefix });
  const search = backend === 'embedded' ? createSqliteSearch(t.store) : createPostgresSearch(t.store);
  try {
    console.log(`\n== ${backend} ==`);
    const store = await storeFigures(t.store);
    console.log(
      `store point read   ${store.readOpsPerS} ops/s (prepared), ${store.builderReadOpsPerS} ops/s (query builder)`,
    );
    console.log(
      `store point write  ${store.writeOpsPerS} ops/s (16 concurrent writers), ${store.singleWriterOpsPerS} ops/s (1 writer)`,
    );
    const kvOps = await kvFigures(kv);
    console.log(`kv reserve         ${kvOps} ops/s`);
    const q = await queueFigures(queue);
    console.log(formatResult(q));
    const s = await searchFigures(search);
    console.log(`search index build ${s.indexS}s for ${DOCS} docs`);
    console.log(formatResult(s.rare));
    console.log(formatResult(s.common));
    return { backend, store, kvReserveOpsPerS: kvOps, queue: q, search: s };
  } finally {
    await queue.close(1000);
    await kv.close();
    await t.cleanup();
  }
}

const report = { machine: machine(), results: [] as Record<string, unknown>[] };
console.log('machine', JSON.stringify(report.machine));
for (const backend of backends) report.results.push(await benchBackend(backend));
const dir = path.join(import.meta.dirname, 'results');
mkdirSync(dir, { recursive: true });
const file = path.join(dir, `data-${report.machine.date.replace(/[:.]/g, '-')}.json`);
writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
console.log(`\nwrote ${file}`);
