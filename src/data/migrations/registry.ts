/**
 * Finds the migration files next to this module (`NNNN_name.ts`) and loads them in order.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { LoadedMigration, Migration } from './migration.ts';

const MIGRATION_FILE = /^\d{4}_[a-z0-9_]+\.ts$/;

/** Loads every migration in `dir` (default: this folder), sorted by id. */
export async function loadMigrations(dir: string = import.meta.dirname): Promise<readonly LoadedMigration[]> {
  const files = readdirSync(dir)
    .filter((f) => MIGRATION_FILE.test(f))
    .sort();
  const loaded: LoadedMigration[] = [];
  for (const file of files) {
    const full = path.join(dir, file);
    const mod: { migration?: Migration } = await import(pathToFileURL(full).href);
    if (mod.migration === undefined) throw new Error(`${file} does not export "migration"`);
    const checksum = createHash('sha256').update(readFileSync(full)).digest('hex');
    loaded.push(Object.freeze({ id: file.replace(/\.ts$/, ''), checksum, migration: mod.migration }));
  }
  return Object.freeze(loaded);
}
