import assert from 'node:assert/strict';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { sql } from 'kysely';
import { BACKENDS, openEmptyTestStore, type TestStore } from '../../../test/support/backends.ts';
import { cliConfig, runCli } from '../../../test/support/cli.ts';
import { type Config, loadConfig } from '../../config/config.ts';
import { runMigrate } from './migrate.ts';

const FIXTURES = path.join(import.meta.dirname, '../../../test/fixtures/migrations');
/** Relative, as a person would type it from the repository root (and correct from any cwd). */
const dir = (name: string) => path.relative(process.cwd(), path.join(FIXTURES, name));

function invoke(args: readonly string[], config: Config) {
  return runCli(runMigrate, args, config);
}

/** A config whose store is the given empty test store's database (its file, or its schema). */
function configFor(t: TestStore): Config {
  return cliConfig(t);
}

describe('galley migrate --check', () => {
  const noDatabase = loadConfig({}, { databaseUrl: 'postgres://nobody@127.0.0.1:1/none' });

  test('fails with findings on the bad fixture, without a database', async () => {
    const { code, output } = await invoke(['--check', '--dir', dir('bad')], noDatabase);
    assert.equal(code, 1);
    assert.match(output, /0002_drop_widget_color: galley\/expand-contract/);
    assert.match(output, /squawk\/ban-drop-column/);
  });

  test('passes on the good fixture and on the real migrations', async () => {
    assert.equal((await invoke(['--check', '--dir', dir('good')], noDatabase)).code, 0);
    const real = await invoke(['--check'], noDatabase);
    assert.equal(real.code, 0, real.output);
    assert.match(real.output, /no findings/);
  });

  test('bad usage exits 2', async () => {
    assert.equal((await invoke(['--check', '--dry-run'], noDatabase)).code, 2);
    assert.equal((await invoke(['--frobnicate'], noDatabase)).code, 2);
  });
});

for (const backend of BACKENDS) {
  describe(`galley migrate (${backend})`, () => {
    const cleanups: (() => Promise<void>)[] = [];
    after(async () => {
      for (const c of cleanups) await c();
    });

    test('--dry-run prints pending SQL and keeps nothing; then a real run applies it once', async () => {
      const t = await openEmptyTestStore(backend);
      cleanups.push(t.cleanup);
      const config = configFor(t);
      const fixture = ['--dir', dir('good')];
      const rehearsal = await invoke(['--dry-run', ...fixture], config);
      assert.equal(rehearsal.code, 0, rehearsal.output);
      assert.match(rehearsal.output, /-- 0001_create_widgets \([\d.]+ ms\)/);
      assert.match(rehearsal.output, /alter table "widgets" drop column "color";/);
      assert.match(rehearsal.output, /nothing was kept/);
      const again = await invoke(['--dry-run', ...fixture], config);
      assert.match(again.output, /dry run: 3 pending/);

      const applied = await invoke(fixture, config);
      assert.equal(applied.code, 0, applied.output);
      assert.match(applied.output, /applied 0001_create_widgets \(\d+ ms\)/);
      assert.match(applied.output, /migrations: 3 applied, 0 already applied/);
      // It migrated the store under test (its file, or its schema), nothing else.
      const widgets = await sql<{ n: number }>`select count(*) as n from widgets`.execute(t.store.db);
      assert.equal(Number(widgets.rows[0]?.n), 0);
      const rerun = await invoke(fixture, config);
      assert.match(rerun.output, /migrations: 0 applied, 3 already applied/);
    });
  });
}
