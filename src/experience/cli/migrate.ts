/**
 * `galley migrate [--dry-run | --check] [--dir <path>]`.
 * - no flag: applies pending migrations to the configured store (safe with many processes starting at once);
 * - `--dry-run`: runs the pending migrations against the store, prints their SQL and durations, keeps nothing;
 * - `--check`: lints every migration's PostgreSQL SQL (Galley's expand/contract rule and squawk) without a
 *   database; exit 1 when anything is found;
 * - `--dir`: another migrations folder (files `NNNN_name.ts`), e.g. a fixture.
 * Exit codes: 0 success, 1 failure or findings, 2 bad usage.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Config } from '../../config/config.ts';
import { compatCheck } from '../../data/migrations/compatCheck.ts';
import { dryRun } from '../../data/migrations/dryRun.ts';
import type { LoadedMigration } from '../../data/migrations/migration.ts';
import { migrateToLatest } from '../../data/migrations/migrator.ts';
import { loadMigrations } from '../../data/migrations/registry.ts';
import { openConfiguredStore } from '../../data/store/openStore.ts';
import type { Store } from '../../data/store/port.ts';

const USAGE = 'usage: galley migrate [--dry-run | --check] [--dir <path>]';

type Out = (line: string) => void;

async function withStore(config: Config, fn: (store: Store) => Promise<number>): Promise<number> {
  const store = openConfiguredStore(config);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

async function check(migrations: readonly LoadedMigration[], out: Out): Promise<number> {
  const findings = await compatCheck(migrations, { all: true });
  for (const f of findings) {
    out(`${f.migrationId}: ${f.rule}: ${f.message}`);
    if (f.sql !== '') out(`    ${f.sql}`);
  }
  out(
    `checked ${migrations.length} migration(s): ${findings.length === 0 ? 'no findings' : `${findings.length} finding(s)`}`,
  );
  return findings.length === 0 ? 0 : 1;
}

async function rehearse(store: Store, migrations: readonly LoadedMigration[], out: Out): Promise<number> {
  const steps = await dryRun(store, migrations);
  for (const step of steps) {
    out(`-- ${step.id} (${step.durationMs} ms)`);
    for (const statement of step.statements) out(`${statement};`);
  }
  out(`dry run: ${steps.length} pending migration(s) rehearsed and rolled back; nothing was kept`);
  return 0;
}

async function apply(store: Store, migrations: readonly LoadedMigration[], out: Out): Promise<number> {
  const report = await migrateToLatest(store, migrations);
  for (const t of report.timings) out(`applied ${t.id} (${t.durationMs} ms)`);
  out(`migrations: ${report.applied.length} applied, ${report.skipped.length} already applied`);
  return 0;
}

/** Runs `galley migrate`; resolves with the process exit code. */
export async function runMigrate(args: readonly string[], config: Config, out: Out): Promise<number> {
  let values: { 'dry-run'?: boolean; check?: boolean; dir?: string };
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: { 'dry-run': { type: 'boolean' }, check: { type: 'boolean' }, dir: { type: 'string' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    out(`galley migrate: ${error instanceof Error ? error.message : String(error)}`);
    out(USAGE);
    return 2;
  }
  if (values['dry-run'] === true && values.check === true) {
    out('galley migrate: --dry-run and --check cannot be combined');
    out(USAGE);
    return 2;
  }
  try {
    const migrations = await loadMigrations(values.dir === undefined ? undefined : path.resolve(values.dir));
    if (values.check === true) return await check(migrations, out);
    if (values['dry-run'] === true) return await withStore(config, (store) => rehearse(store, migrations, out));
    return await withStore(config, (store) => apply(store, migrations, out));
  } catch (error) {
    out(`galley migrate: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}
