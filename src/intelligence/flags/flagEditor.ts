/**
 * Read-modify-write of one flag: reads its current definition, applies an edit (definitionEdits.ts) and sets the
 * result only if nobody changed the flag in between, re-reading and re-applying when someone did.
 */
import type { Kysely } from 'kysely';
import type { Kv } from '../../data/kv/port.ts';
import type { Database } from '../../data/store/schema.ts';
import { isGalleyError } from '../../experience/errors/errors.ts';
import type { FlagDefinition } from './definition.ts';
import { getFlag } from './flagQueries.ts';
import { type FlagSetResult, setFlag } from './flagSetter.ts';

/** Input of editFlag. */
export interface FlagEditorProps {
  /** The store (not a transaction). */
  readonly db: Kysely<Database>;
  readonly kv: Kv;
  /** `ai.<task>`; GALLEY_NOT_FOUND when it names no task. */
  readonly key: string;
  /** The change; may throw a GalleyError (e.g. a rule id that is taken), which is passed on. */
  readonly edit: (current: FlagDefinition) => FlagDefinition;
  /** Who changes it: `user:<id>`, `service:<id>` or `system`. */
  readonly actor: string;
  /** GALLEY_AI_DEFAULT_MODEL: the built-in definition's model, for a flag never set. */
  readonly defaultModel: string;
}

/** Attempts before a flag that keeps changing under the edit is reported as a conflict. */
const ATTEMPTS = 3;

/** Applies the edit. GALLEY_VALIDATION_FAILED when the result is invalid; GALLEY_CONFLICT after repeated races. */
export async function editFlag(props: FlagEditorProps): Promise<FlagSetResult> {
  for (let attempt = 1; ; attempt += 1) {
    const current = await getFlag(props.db, props.key, props.defaultModel);
    try {
      return await setFlag({
        db: props.db,
        kv: props.kv,
        definition: props.edit(current.definition),
        actor: props.actor,
        expectedVersion: current.version,
        defaultModel: props.defaultModel,
      });
    } catch (error) {
      if (
        attempt >= ATTEMPTS ||
        !isGalleyError(error, 'GALLEY_CONFLICT') ||
        !(await changedSince(props, current.version))
      ) {
        throw error;
      }
    }
  }
}

/** True when the flag's version moved (a race), false when the conflict came from the edit itself. */
async function changedSince(props: FlagEditorProps, version: number): Promise<boolean> {
  return (await getFlag(props.db, props.key, props.defaultModel)).version !== version;
}
