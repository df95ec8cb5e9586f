/**
 * Sets a flag's definition: validates it, writes it with its audit row under the next flag-set version, then
 * announces the version through the kv so every process reloads its snapshot (within a second on both backends;
 * processes that miss the message catch up on their next poll of the store).
 */
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Kv } from '../../data/kv/port.ts';
import type { Database } from '../../data/store/schema.ts';
import { GalleyError } from '../../experience/errors/errors.ts';
import { validateFlagDefinition } from './definitionValidator.ts';
import { type FlagRecord, getFlag, toRecord } from './flagQueries.ts';
import { announceFlagVersion } from './flagVersionKv.ts';
import { flagDb } from './tables.ts';

/** Input of setFlag. */
export interface FlagSetterProps {
  /** The store, not a transaction: the change commits and is announced here. */
  readonly db: Kysely<Database>;
  /** Where the new version is announced. */
  readonly kv: Kv;
  /** The new definition (validated here: a FlagDefinition in shape). */
  readonly definition: unknown;
  /** Who changes it: `user:<id>`, `service:<id>` or `system`. */
  readonly actor: string;
  /**
   * Optimistic concurrency: the version the caller read (FlagRecord.version, 0 for a built-in definition); the
   * change is refused with GALLEY_CONFLICT when the flag has changed since. Absent = last writer wins.
   */
  readonly expectedVersion?: number;
  /** GALLEY_AI_DEFAULT_MODEL, for the record returned when nothing changed on a built-in flag. */
  readonly defaultModel: string;
}

/** What setFlag did. */
export interface FlagSetResult {
  readonly record: FlagRecord;
  /** False when the definition equalled the stored one (nothing written, no new version). */
  readonly changed: boolean;
  /**
   * False when the change is stored but the kv could not announce it; processes then see it on their next poll.
   */
  readonly announced: boolean;
}

/** Thrown inside the transaction to roll back the head bump when the definition is unchanged. */
class Unchanged extends Error {}

/** Sets the flag. GALLEY_VALIDATION_FAILED for a bad definition; GALLEY_CONFLICT when `expectedVersion` is stale. */
export async function setFlag(props: FlagSetterProps): Promise<FlagSetResult> {
  const definition = validateFlagDefinition(props.definition);
  const json = JSON.stringify(definition);
  let record: FlagRecord;
  try {
    record = await props.db.transaction().execute(async (trx) => {
      const db = flagDb(trx);
      // The head row's lock comes first, so the read below sees every change committed before ours.
      const head = await db
        .insertInto('feature_flag_head')
        .values({ name: 'flags', version: 1 })
        .onConflict((oc) => oc.column('name').doUpdateSet({ version: sql<number>`feature_flag_head.version + 1` }))
        .returning('version')
        .executeTakeFirstOrThrow();
      const current = await db
        .selectFrom('feature_flags')
        .selectAll()
        .where('key', '=', definition.key)
        .executeTakeFirst();
      const currentVersion = current?.version ?? 0;
      if (props.expectedVersion !== undefined && props.expectedVersion !== currentVersion) {
        throw new GalleyError(
          'GALLEY_CONFLICT',
          `flag ${definition.key} is at version ${currentVersion}, not ${props.expectedVersion}; read it again`,
        );
      }
      if (current?.definition === json) throw new Unchanged();
      const at = new Date().toISOString();
      await db
        .insertInto('feature_flag_events')
        .values({
          version: head.version,
          key: definition.key,
          from_definition: current?.definition ?? null,
          to_definition: json,
          actor: props.actor,
          at,
        })
        .execute();
      const row = {
        key: definition.key,
        definition: json,
        version: head.version,
        updated_at: at,
        updated_by: props.actor,
      };
      await db
        .insertInto('feature_flags')
        .values(row)
        .onConflict((oc) =>
          oc
            .column('key')
            .doUpdateSet({ definition: json, version: head.version, updated_at: at, updated_by: props.actor }),
        )
        .execute();
      return toRecord(row);
    });
  } catch (error) {
    if (!(error instanceof Unchanged)) throw error;
    return { record: await getFlag(props.db, definition.key, props.defaultModel), changed: false, announced: true };
  }
  const announced = await announceFlagVersion(props.kv, record.version).then(
    () => true,
    () => false,
  );
  return { record, changed: true, announced };
}
