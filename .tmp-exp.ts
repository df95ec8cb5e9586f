import { CompiledQuery, sql } from 'kysely';
import { openSqliteStore } from './src/data/store/sqlite/sqliteStore.ts';
import { migrateToLatest } from './src/data/migrations/migrator.ts';
const store = openSqliteStore({ filename: '/tmp/exp/x.db' });
await migrateToLatest(store);
const now = new Date().toISOString();
await store.db.deleteFrom('tenants').execute();
for (let i = 0; i < 10000; i += 500) await store.db.insertInto('tenants').values(Array.from({length:500},(_, k)=>({id:`r${i+k}`,slug:`r${i+k}`,name:'n',created_at:now}))).execute();
async function time(name: string, fn: (i: number) => Promise<unknown> | unknown) {
  const N = 200000; const t = performance.now();
  for (let i = 0; i < N; i++) await fn(i);
  console.log(name, Math.round(N / ((performance.now() - t) / 1000)), 'ops/s');
}
await time('build+compile only', (i) => store.db.selectFrom('tenants').select(['id','slug','name']).where('id','=',`r${i%10000}`).compile());
const compiled = store.db.selectFrom('tenants').select(['id','slug','name']).where('id','=','x').compile();
await time('executeQuery precompiled', (i) => store.db.executeQuery(CompiledQuery.raw(compiled.sql, [`r${i%10000}`])));
await time('full kysely', (i) => store.db.selectFrom('tenants').select(['id','slug','name']).where('id','=',`r${i%10000}`).executeTakeFirst());
import { DatabaseSync } from 'node:sqlite';
const raw = new DatabaseSync('/tmp/exp/x.db');
const st = raw.prepare(compiled.sql);
await time('raw get awaited', async (i) => st.get(`r${i%10000}`));
await time('raw all + spread', async (i) => st.all(`r${i%10000}`).map((r) => ({ ...r })));
await time('raw all', async (i) => st.all(`r${i%10000}`));
await time('raw get + spread', async (i) => ({ ...st.get(`r${i%10000}`) }));
await time('raw get sync loop', (i) => st.get(`r${i%10000}`));
