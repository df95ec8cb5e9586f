/**
 * Pointing a prompt label at a version (promotion, rollback, candidate selection). The version must exist and
 * belong to the task; every change is recorded in the audit trail with its actor and reason, and announced on the
 * kv channel so label caches in every process drop the old pointer.
 */
import type { Kv } from '../../data/kv/port.ts';
import { GalleyError } from '../../experience/errors/errors.ts';
import type { TaskName } from '../tasks.ts';
import { announceLabelMove } from './labelChannel.ts';
import { assertLabelName, moveLabel } from './labelMoves.ts';
import { getPromptVersion } from './promptQueries.ts';
import type { PromptStore } from './tables.ts';

/** Input of setPromptLabel. */
export interface SetPromptLabelProps {
  /** Where versions and labels live. */
  readonly store: PromptStore;
  /** The task whose label moves. */
  readonly task: TaskName;
  /** Label name (`production`, `candidate`, …; `[a-z][a-z0-9-]{0,31}`). */
  readonly label: string;
  /** Full hash of the version to point at. */
  readonly hash: string;
  /** Who moves it (user id, `cli`, `system`). */
  readonly actor: string;
  /** Why (kept in the audit trail). */
  readonly reason: string;
  /** When given, the move is announced to every process's label cache. */
  readonly kv?: Kv;
}

/** What setPromptLabel did. */
export interface PromptLabelChange {
  readonly task: TaskName;
  readonly label: string;
  /** Previous target (null: the label is new). */
  readonly from: string | null;
  readonly to: string;
  /** False when the label already pointed at `hash` (nothing recorded). */
  readonly changed: boolean;
}

/** Points `label` of `task` at version `hash`; GALLEY_NOT_FOUND / GALLEY_VALIDATION_FAILED on bad input. */
export async function setPromptLabel(props: SetPromptLabelProps): Promise<PromptLabelChange> {
  assertLabelName(props.label);
  const version = await getPromptVersion(props.store, props.hash);
  if (version.task !== props.task) {
    throw new GalleyError(
      'GALLEY_VALIDATION_FAILED',
      `prompt version ${props.hash} belongs to task "${version.task}", not "${props.task}"`,
    );
  }
  const result = await moveLabel(props.store.db, {
    task: props.task,
    label: props.label,
    hash: props.hash,
    actor: props.actor,
    reason: props.reason,
    when: 'any',
  });
  if (result.moved) await announceLabelMove(props.kv, { task: props.task, label: props.label, hash: props.hash });
  return Object.freeze({
    task: props.task,
    label: props.label,
    from: result.from,
    to: result.current,
    changed: result.moved,
  });
}
