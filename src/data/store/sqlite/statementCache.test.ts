import assert from 'node:assert/strict';
import { DatabaseSync } from 'node:sqlite';
import { test } from 'node:test';
import { CompiledQuery } from 'kysely';
import { StatementCache } from './statementCache.ts';

function cacheWithTable(): StatementCache {
  const db = new DatabaseSync(':memory:');
  db.exec("create table t (id integer primary key, name text, data blob); insert into t values (1, 'a', x'01')");
  return new StatementCache(db);
}

test('rows are plain objects with the columns in statement order', async () => {
  const cache = cacheWithTable();
  const { rows } = await cache.execute<Record<string, unknown>>(CompiledQuery.raw('select id, name, data from t'));
  const [row] = rows;
  assert.ok(row !== undefined);
  assert.equal(Object.getPrototypeOf(row), Object.prototype);
  assert.deepEqual(Object.keys(row), ['id', 'name', 'data']);
  assert.deepEqual(row, { id: 1, name: 'a', data: new Uint8Array([1]) });
  assert.deepEqual(cache.first('select name from t where id = ?', [1]), { name: 'a' });
  assert.equal(cache.first('select name from t where id = ?', [2]), undefined);
});

test('duplicate column names keep the last value and __proto__ stays an own property, as node:sqlite does', () => {
  const cache = cacheWithTable();
  const row = cache.first<Record<string, unknown>>('select 1 as a, 2 as a, 3 as __proto__, 4 as "b""c"', []);
  assert.ok(row !== undefined);
  assert.equal(Object.getPrototypeOf(row), Object.prototype);
  assert.equal(row.a, 2);
  assert.equal(Object.getOwnPropertyDescriptor(row, '__proto__')?.value, 3);
  assert.equal(row['b"c'], 4);
});

test('writes report changes and the last rowid', async () => {
  const cache = cacheWithTable();
  const result = await cache.execute(CompiledQuery.raw("insert into t (name) values ('b')"));
  assert.deepEqual(result, { rows: [], numAffectedRows: 1n, insertId: 2n });
});
