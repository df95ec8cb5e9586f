/**
 * Reading flags from the store: one flag, every task's flag (stored or built-in), a flag's change history and the
 * flag-set version. Definitions read back are validated again, so a hand-edited row fails loudly, naming its key.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../data/store/schema.ts';
import { GalleyError } from '../../experience/errors/errors.ts';
import { TASK_NAMES } from '../tasks.ts';
import { aiFlagKey, builtInFlagDefinition, deepFreeze, type FlagDefinition, taskOfFlagKey } from './definition.ts';
import { validateFlagDefinition } from './definitionValidator.ts';
import { type FeatureFlagsTable, flagDb } from './tables.ts';

/** One flag as stored, or its built-in definition when it was never set. */
export interface FlagRecord {
  readonly key: string;
  readonly definition: FlagDefinition;
  /** The flag-set version of the change that wrote it; 0 for a built-in definition. */
  readonly version: number;
  /** True when the flag was never set (its definition is the built-in one). */
  readonly builtIn: boolean;
  readonly updatedAt: string | null;
  readonly updatedBy: string | null;
}

/** One audited change of a flag. */
export interface FlagChange {
  /** The flag-set version the change produced (unique across all flags, ascending). */
  readonly version: number;
  readonly key: string;
  /** Null when the flag had its built-in definition before. */
  readonly from: FlagDefinition | null;
  readonly to: FlagDefinition;
  readonly actor: string;
  readonly at: string;
}

/** The latest flag-set version; 0 when no flag was ever set. */
export async function readFlagSetVersion(db: Kysely<Database>): Promise<number> {
  const row = await flagDb(db)
    .selectFrom('feature_flag_head')
    .select('version')
    .where('name', '=', 'flags')
    .executeTakeFirst();
  return row?.version ?? 0;
}

/** The flag `key` (stored or built-in). GALLEY_NOT_FOUND when the key names no AI task. */
export async function getFlag(db: Kysely<Database>, key: string, defaultModel: string): Promise<FlagRecord> {
  const task = taskOfFlagKey(key);
  if (task === undefined) throw new GalleyError('GALLEY_NOT_FOUND', `no flag "${key}" (flags are ai.<task>)`);
  const row = await flagDb(db).selectFrom('feature_flags').selectAll().where('key', '=', key).executeTakeFirst();
  return row === undefined ? builtInRecord(builtInFlagDefinition(task, defaultModel)) : toRecord(row);
}

/** Every task's flag in TASK_NAMES order, with the version of the newest change among them. */
export async function listFlags(
  db: Kysely<Database>,
  defaultModel: string,
): Promise<{ readonly version: number; readonly flags: readonly FlagRecord[] }> {
  const rows = await flagDb(db).selectFrom('feature_flags').selectAll().execute();
  const stored = new Map(rows.map((row) => [row.key, row]));
  const flags = TASK_NAMES.map((task) => {
    const row = stored.get(aiFlagKey(task));
    return row === undefined ? builtInRecord(builtInFlagDefinition(task, defaultModel)) : toRecord(row);
  });
  // The rows read are the snapshot: its version is theirs, whatever has committed since.
  const version = rows.reduce((max, row) => Math.max(max, row.version), 0);
  return { version, flags };
}

/** The changes of flag `key`, newest first (at most `limit`). */
export async function flagHistory(db: Kysely<Database>, key: string, limit = 50): Promise<readonly FlagChange[]> {
  if (taskOfFlagKey(key) === undefined) throw new GalleyError('GALLEY_NOT_FOUND', `no flag "${key}"`);
  const rows = await flagDb(db)
    .selectFrom('feature_flag_events')
    .selectAll()
    .where('key', '=', key)
    .orderBy('version', 'desc')
    .limit(limit)
    .execute();
  return rows.map((row) =>
    deepFreeze({
      version: row.version,
      key: row.key,
      from: row.from_definition === null ? null : parseStored(row.key, row.from_definition),
      to: parseStored(row.key, row.to_definition),
      actor: row.actor,
      at: row.at,
    }),
  );
}

/** The record of a stored row. */
export function toRecord(row: FeatureFlagsTable): FlagRecord {
  return Object.freeze({
    key: row.key,
    definition: parseStored(row.key, row.definition),
    version: row.version,
    builtIn: false,
    updatedAt: row.updated_at,
    updatedBy: row.updated_by,
  });
}

function builtInRecord(definition: FlagDefinition): FlagRecord {
  return Object.freeze({
    key: definition.key,
    definition,
    version: 0,
    builtIn: true,
    updatedAt: null,
    updatedBy: null,
  });
}

function parseStored(key: string, json: string): FlagDefinition {
  try {
    return validateFlagDefinition(JSON.parse(json));
  } catch (error) {
    throw new Error(`stored flag "${key}" is not a valid definition`, { cause: error });
  }
}
