import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { compatCheck, postgresStatements } from './compatCheck.ts';
import { breakingChanges } from './contractRule.ts';
import type { LoadedMigration, Migration } from './migration.ts';
import { loadMigrations } from './registry.ts';

const FIXTURES = path.join(import.meta.dirname, '../../../test/fixtures/migrations');

function inline(id: string, migration: Migration): LoadedMigration {
  return { id, checksum: id, migration };
}

const createWidgets: Migration = {
  async up(db) {
    await db.schema
      .createTable('widgets')
      .ifNotExists()
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('color', 'text')
      .execute();
  },
};

const renameColor: Migration = {
  async up(db) {
    await db.schema.alterTable('widgets').renameColumn('color', 'colour').execute();
  },
};

describe('compatCheck', () => {
  test('the bad fixture fails: Galley expand/contract rule and squawk ban-drop-column', async () => {
    const findings = await compatCheck(await loadMigrations(path.join(FIXTURES, 'bad')));
    assert.ok(findings.length > 0);
    for (const f of findings) assert.equal(f.migrationId, '0002_drop_widget_color');
    const galley = findings.find((f) => f.rule === 'galley/expand-contract');
    assert.ok(galley);
    assert.match(galley.sql, /alter table "widgets" drop column "color"/);
    assert.match(galley.message, /drop column/);
    const squawk = findings.find((f) => f.rule === 'squawk/ban-drop-column');
    assert.ok(squawk, JSON.stringify(findings));
    assert.match(squawk.sql, /drop column "color"/);
  });

  test('the good expand/contract fixture passes', async () => {
    assert.deepEqual(await compatCheck(await loadMigrations(path.join(FIXTURES, 'good'))), []);
  });

  test("the repository's migrations pass", async () => {
    const findings = await compatCheck(await loadMigrations(), { all: true });
    assert.deepEqual(findings, []);
  });

  test('captured PostgreSQL starts with the runner timeouts, without any database', async () => {
    const [first] = await loadMigrations(path.join(FIXTURES, 'bad'));
    assert.ok(first);
    const statements = await postgresStatements(first);
    assert.deepEqual(statements.slice(0, 2), ["SET LOCAL lock_timeout = '5s'", "SET LOCAL statement_timeout = '60s'"]);
    assert.match(statements[2] ?? '', /^create table if not exists "widgets"/);
  });

  test('only pending migrations are checked unless all is asked for', async () => {
    const bad = await loadMigrations(path.join(FIXTURES, 'bad'));
    assert.deepEqual(await compatCheck(bad, { applied: ['0001_create_widgets', '0002_drop_widget_color'] }), []);
    assert.ok((await compatCheck(bad, { applied: ['0002_drop_widget_color'], all: true })).length > 0);
  });

  test('contractOf must name an existing, earlier migration', async () => {
    const later = await compatCheck([
      inline('0001_widgets', createWidgets),
      inline('0002_rename', { ...renameColor, contractOf: '0003_expand' }),
      inline('0003_expand', createWidgets),
    ]);
    assert.deepEqual(
      later.filter((f) => f.rule.startsWith('galley/')).map((f) => f.rule),
      ['galley/contract-of', 'galley/expand-contract'],
    );
    assert.match(later[0]?.message ?? '', /does not precede/);
    const missing = await compatCheck([
      inline('0001_widgets', createWidgets),
      inline('0002_rename', { ...renameColor, contractOf: '0000_nope' }),
    ]);
    assert.match(missing.find((f) => f.rule === 'galley/contract-of')?.message ?? '', /does not exist/);
    assert.ok(missing.some((f) => f.rule === 'squawk/renaming-column'));
    const valid = await compatCheck([
      inline('0001_widgets', createWidgets),
      inline('0002_rename', { ...renameColor, contractOf: '0001_widgets' }),
    ]);
    assert.deepEqual(valid, []);
  });
});

describe('breakingChanges', () => {
  const cases: [string, readonly string[]][] = [
    ['drop table "widgets"', ['drop table']],
    ['DROP TABLE IF EXISTS widgets CASCADE', ['drop table']],
    ['alter table "widgets" drop column "color"', ['drop column']],
    ['ALTER TABLE ONLY widgets DROP color, DROP CONSTRAINT widgets_pk', ['drop column']],
    ['alter table "widgets" rename to "gadgets"', ['rename table']],
    ['alter table "widgets" rename column "color" to "colour"', ['rename column']],
    ['alter table widgets rename color to colour', ['rename column']],
    ['alter table "widgets" alter column "n" type bigint using ("n"::bigint)', ['change column type']],
    ['ALTER TABLE widgets ALTER n SET DATA TYPE text, ADD COLUMN m text', ['change column type']],
    ['alter table "widgets" drop constraint "widgets_color_check"', []],
    ['alter table "widgets" rename constraint "a" to "b"', []],
    ['alter table "widgets" alter column "color" drop not null, alter column "color" drop default', []],
    ['alter table "widgets" add column "drop column" text default \'drop table x\'', []],
    ['create table "widgets" ("id" text, "type" text)', []],
    ["update widgets set color = 'x'; drop table old_widgets", ['drop table']],
    ['-- drop table widgets\nselect 1', []],
  ];
  for (const [statement, expected] of cases) {
    test(statement.replace(/\s+/g, ' '), () => {
      assert.deepEqual(breakingChanges(statement), expected);
    });
  }
});
