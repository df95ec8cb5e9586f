import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { openSqliteStore } from './sqliteStore.ts';
import { WalCheckpointer } from './walCheckpointer.ts';

function autocheckpoint(db: DatabaseSync): number {
  const row = db.prepare('PRAGMA wal_autocheckpoint').get();
  return Number(row?.wal_autocheckpoint);
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

test('the worker takes over checkpoints after the threshold', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'galley-wal-'));
  const filename = path.join(dir, 'x.db');
  const db = new DatabaseSync(filename);
  const checkpointer = new WalCheckpointer({ filename, writeDb: db, startAfterCommits: 3, intervalMs: 5 });
  try {
    db.exec('PRAGMA journal_mode = WAL');
    db.exec('PRAGMA synchronous = NORMAL');
    db.exec('create table t (v blob)');
    checkpointer.committed();
    checkpointer.committed();
    assert.equal(checkpointer.running, false, 'not before the threshold');
    checkpointer.committed();
    assert.equal(checkpointer.running, true);
    await until(() => autocheckpoint(db) === 0, 'automatic checkpoints off');

    // 3,000 commits of 3 kB each. Automatic checkpoints are off, so only the worker can copy them from the WAL into
    // the database file, which otherwise stays at its two pages of schema.
    const insert = db.prepare('insert into t (v) values (?)');
    const blob = new Uint8Array(3000);
    for (let i = 0; i < 3000; i++) {
      insert.run(blob);
      if (i % 50 === 0) await sleep(1);
    }
    await until(() => statSync(filename).size > 3000 * 3000, 'the database file to receive the checkpointed pages');
    const count = db.prepare('select count(*) as n from t').get();
    assert.equal(Number(count?.n), 3000);
  } finally {
    await checkpointer.close();
    assert.equal(checkpointer.running, false);
    assert.equal(autocheckpoint(db), 1000, 'automatic checkpoints back after close');
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a busy store checkpoints in the background and stops the worker on close', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'galley-wal-'));
  const store = openSqliteStore({ filename: path.join(dir, 'galley.db') });
  try {
    await store.db.schema.createTable('t').addColumn('v', 'integer').execute();
    // Sequential autocommit writes: one COMMIT each, past the default threshold of 128.
    for (let i = 0; i < 300; i++)
      await store.db
        .insertInto('t' as never)
        .values({ v: i } as never)
        .execute();
  } finally {
    // close() must stop the worker (its connection) so the files can go.
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
