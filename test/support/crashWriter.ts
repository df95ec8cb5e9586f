/**
 * Child process for the crash test: inserts tenants one at a time and prints each id on stdout only after the
 * insert's promise resolved (the moment a client would receive its acknowledgement). The parent kill -9s it
 * mid-stream and checks that every printed id survived.
 *
 * argv: <sqlite|postgres> <sqlite file | postgres URL> [postgres schema]
 */
import { openPostgresStore } from '../../src/data/store/postgres/postgresStore.ts';
import { openSqliteStore } from '../../src/data/store/sqlite/sqliteStore.ts';

const [dialect, target, schema] = process.argv.slice(2);
if (dialect === undefined || target === undefined) throw new Error('usage: crashWriter <dialect> <target> [schema]');
const store =
  dialect === 'sqlite'
    ? openSqliteStore({ filename: target })
    : openPostgresStore({ connectionString: target, max: 4, ...(schema === undefined ? {} : { schema }) });

let i = 0;
// Runs until killed; acknowledgements go out strictly after the write resolved.
for (;;) {
  const id = `crash-${process.pid}-${i}`;
  await store.db
    .insertInto('tenants')
    .values({ id, slug: id, name: 'crash test', created_at: new Date().toISOString() })
    .execute();
  process.stdout.write(`${id}\n`);
  i += 1;
}
