/**
 * Moving one label, with its audit record, safely under concurrency. A move is a conditional write — insert when
 * the label is absent, update only while it still points where we read it — plus the event row, in one
 * transaction. A lost race re-reads and tries again, so every event's `from_hash` is the hash that was really
 * replaced, on both dialects, without locks.
 */
import type { Kysely } from 'kysely';
import { newId } from '../../content/identity/ids.ts';
import type { Database } from '../../data/store/schema.ts';
import { GalleyError } from '../../experience/errors/errors.ts';
import type { TaskName } from '../tasks.ts';
import { promptDb } from './tables.ts';

/** Label names: lowercase, starting with a letter, at most 32 characters. */
export const LABEL_NAME = /^[a-z][a-z0-9-]{0,31}$/;

/** Throws GALLEY_VALIDATION_FAILED unless `label` is a valid label name. */
export function assertLabelName(label: string): void {
  if (!LABEL_NAME.test(label)) {
    throw new GalleyError('GALLEY_VALIDATION_FAILED', `label "${label}" must match ${LABEL_NAME.source}`);
  }
}

/** One requested move. */
export interface LabelMove {
  readonly task: TaskName;
  readonly label: string;
  /** The version the label should point at (must exist and be of `task`; the caller checks). */
  readonly hash: string;
  readonly actor: string;
  readonly reason: string;
  /** `absent`: create the label only if it does not exist yet; `any`: create or move it. */
  readonly when: 'absent' | 'any';
}

/** What a move did. */
export interface LabelMoveResult {
  /** True when the label changed (and an event was recorded). */
  readonly moved: boolean;
  /** Where the label pointed before (null: it did not exist). */
  readonly from: string | null;
  /** Where it points now. */
  readonly current: string;
}

const MAX_ATTEMPTS = 20;

async function attempt(db: Kysely<Database>, move: LabelMove): Promise<LabelMoveResult | undefined> {
  return db.transaction().execute(async (trx) => {
    const t = promptDb(trx);
    const row = await t
      .selectFrom('ai_prompt_labels')
      .select(['hash', 'updated_at'])
      .where('task', '=', move.task)
      .where('label', '=', move.label)
      .executeTakeFirst();
    const from = row?.hash ?? null;
    if (from === move.hash || (from !== null && move.when === 'absent')) {
      return { moved: false, from, current: from ?? move.hash };
    }
    // Strictly after the move being replaced, so history sorts by `at` even when moves share a millisecond.
    const at = Math.max(Date.now(), Number(row?.updated_at ?? 0) + 1);
    const written =
      from === null
        ? await t
            .insertInto('ai_prompt_labels')
            .values({ task: move.task, label: move.label, hash: move.hash, updated_at: at, updated_by: move.actor })
            .onConflict((oc) => oc.columns(['task', 'label']).doNothing())
            .executeTakeFirst()
            .then((r) => Number(r.numInsertedOrUpdatedRows ?? 0n))
        : await t
            .updateTable('ai_prompt_labels')
            .set({ hash: move.hash, updated_at: at, updated_by: move.actor })
            .where('task', '=', move.task)
            .where('label', '=', move.label)
            .where('hash', '=', from)
            // updated_at grows with every move, so it versions the row: an A→B→A in between is caught too.
            .where('updated_at', '=', Number(row?.updated_at))
            .executeTakeFirst()
            .then((r) => Number(r.numUpdatedRows));
    if (written === 0) return undefined; // another writer got there first: read again
    await t
      .insertInto('ai_prompt_label_events')
      .values({
        id: newId(),
        task: move.task,
        label: move.label,
        from_hash: from,
        to_hash: move.hash,
        actor: move.actor,
        reason: move.reason,
        at,
      })
      .execute();
    return { moved: true, from, current: move.hash };
  });
}

/** Applies one move (see LabelMove.when); records an event exactly when the label changed. */
export async function moveLabel(db: Kysely<Database>, move: LabelMove): Promise<LabelMoveResult> {
  for (let i = 0; i < MAX_ATTEMPTS; i += 1) {
    const result = await attempt(db, move);
    if (result !== undefined) return result;
  }
  throw new GalleyError('GALLEY_CONFLICT', `label "${move.label}" of task "${move.task}" kept changing; try again`);
}
