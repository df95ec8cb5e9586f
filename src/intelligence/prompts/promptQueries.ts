/**
 * Reading prompt versions, labels and the label audit trail. Versions never change, so a version read once can be
 * kept forever; labels move (promptLabeler.ts), so hot paths read them through promptCatalog.ts.
 */
import { GalleyError } from '../../experience/errors/errors.ts';
import type { TaskName } from '../tasks.ts';
import { type PromptVersion, versionOfRow } from './promptVersion.ts';
import { type PromptStore, promptDb } from './tables.ts';

/** A version with the labels that point at it. */
export interface ListedPromptVersion {
  readonly version: PromptVersion;
  /** Label names pointing at this version, sorted. */
  readonly labels: readonly string[];
}

/** One label move. */
export interface LabelEvent {
  readonly id: string;
  readonly task: string;
  readonly label: string;
  /** Null when the move created the label. */
  readonly fromHash: string | null;
  readonly toHash: string;
  readonly actor: string;
  readonly reason: string;
  /** Epoch ms. */
  readonly at: number;
}

/** Shortest hash prefix accepted where a full hash is expected. */
export const MIN_HASH_PREFIX = 8;

/** The version with this exact hash, or undefined. */
export async function findPromptVersion(store: PromptStore, hash: string): Promise<PromptVersion | undefined> {
  const row = await promptDb(store.db)
    .selectFrom('ai_prompt_versions')
    .selectAll()
    .where('hash', '=', hash)
    .executeTakeFirst();
  return row === undefined ? undefined : versionOfRow(row);
}

/** The version with this exact hash; GALLEY_NOT_FOUND when absent. */
export async function getPromptVersion(store: PromptStore, hash: string): Promise<PromptVersion> {
  const version = await findPromptVersion(store, hash);
  if (version === undefined) throw new GalleyError('GALLEY_NOT_FOUND', `no prompt version ${hash}`);
  return version;
}

/** The hash a label points at, or undefined when the task has no such label. */
export async function findLabelHash(store: PromptStore, task: TaskName, label: string): Promise<string | undefined> {
  const row = await promptDb(store.db)
    .selectFrom('ai_prompt_labels')
    .select('hash')
    .where('task', '=', task)
    .where('label', '=', label)
    .executeTakeFirst();
  return row?.hash;
}

/** The version a label points at; GALLEY_NOT_FOUND when the task has no such label. */
export async function resolvePromptLabel(store: PromptStore, task: TaskName, label: string): Promise<PromptVersion> {
  const hash = await findLabelHash(store, task, label);
  if (hash === undefined) throw new GalleyError('GALLEY_NOT_FOUND', `task "${task}" has no prompt label "${label}"`);
  return getPromptVersion(store, hash);
}

/** Versions (of one task, or all), by task then newest first, each with its labels. */
export async function listPromptVersions(store: PromptStore, task?: TaskName): Promise<readonly ListedPromptVersion[]> {
  const db = promptDb(store.db);
  let versions = db.selectFrom('ai_prompt_versions').selectAll();
  let labels = db.selectFrom('ai_prompt_labels').select(['hash', 'label']);
  if (task !== undefined) {
    versions = versions.where('task', '=', task);
    labels = labels.where('task', '=', task);
  }
  const [rows, labelRows] = await Promise.all([
    versions.orderBy('task').orderBy('created_at', 'desc').orderBy('hash').execute(),
    labels.execute(),
  ]);
  return rows.map((row) => ({
    version: versionOfRow(row),
    labels: Object.freeze(
      labelRows
        .filter((l) => l.hash === row.hash)
        .map((l) => l.label)
        .sort(),
    ),
  }));
}

/** Full hashes starting with `prefix` (lowercase hex, at least MIN_HASH_PREFIX characters). */
export async function findHashesByPrefix(store: PromptStore, prefix: string): Promise<readonly string[]> {
  if (!/^[0-9a-f]+$/.test(prefix) || prefix.length < MIN_HASH_PREFIX || prefix.length > 64) {
    throw new GalleyError(
      'GALLEY_BAD_REQUEST',
      `"${prefix}" is not a hash or a hash prefix of ${MIN_HASH_PREFIX}+ hex digits`,
    );
  }
  const rows = await promptDb(store.db)
    .selectFrom('ai_prompt_versions')
    .select('hash')
    // Safe as a LIKE pattern: the prefix was checked to be hex digits only.
    .where('hash', 'like', `${prefix}%`)
    .orderBy('hash')
    .limit(10)
    .execute();
  return rows.map((r) => r.hash);
}

/** A task's label moves, oldest first. */
export async function labelHistory(store: PromptStore, task: TaskName): Promise<readonly LabelEvent[]> {
  const rows = await promptDb(store.db)
    .selectFrom('ai_prompt_label_events')
    .selectAll()
    .where('task', '=', task)
    .orderBy('at')
    .orderBy('id')
    .execute();
  return rows.map((row) =>
    Object.freeze({
      id: row.id,
      task: row.task,
      label: row.label,
      fromHash: row.from_hash,
      toHash: row.to_hash,
      actor: row.actor,
      reason: row.reason,
      at: Number(row.at),
    }),
  );
}
