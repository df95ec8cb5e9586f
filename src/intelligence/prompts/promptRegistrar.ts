/**
 * Registering prompt sources at start-up or deploy: each source becomes an immutable version (inserted only when
 * its hash is new, so re-running and racing processes are harmless), and labels follow the files:
 *
 * - a task without a `production` label gets one, pointing at its file's version;
 * - a task whose file differs from `production` gets `candidate` pointed at the file's version — promotion to
 *   production is a deliberate `galley prompts label` (or an eval-gated rollout), never a side effect of deploy.
 *
 * Every label move is recorded in the audit trail and, when a kv is given, announced to running processes.
 */
import type { Kv } from '../../data/kv/port.ts';
import type { TaskName } from '../tasks.ts';
import { announceLabelMove } from './labelChannel.ts';
import { moveLabel } from './labelMoves.ts';
import { readPromptSources } from './promptFiles.ts';
import { canonicalPrompt, type PromptSource } from './promptSource.ts';
import { versionOfSource } from './promptVersion.ts';
import { type PromptStore, promptDb } from './tables.ts';

/** Input of registerPromptSources. */
export interface RegisterPromptSourcesProps {
  /** Where versions and labels live. */
  readonly store: PromptStore;
  /** Folder of prompt sources (`config.promptsDir`, or a fixtures folder). */
  readonly dir: string;
  /** Recorded as the actor of label moves (`system`, `cli`, a deploy id). */
  readonly actor: string;
  /** When given, label moves are announced to every process's label cache. */
  readonly kv?: Kv;
}

/** What registration did for one task. */
export interface TaskRegistration {
  readonly task: TaskName;
  readonly fileName: string;
  /** The file's version. */
  readonly hash: string;
  /** True when this call inserted the version (false: it was already registered). */
  readonly inserted: boolean;
  /**
   * `production`: the task had no production label and now points at the file;
   * `candidate`: the file differs from production and `candidate` now points at it;
   * `unchanged`: production (or candidate, for a differing file) already pointed at the file.
   */
  readonly outcome: 'production' | 'candidate' | 'unchanged';
  /** Where `production` points after the call. */
  readonly production: string;
}

async function insertVersion(store: PromptStore, source: PromptSource, createdAt: number): Promise<boolean> {
  const version = versionOfSource(source, createdAt);
  const result = await promptDb(store.db)
    .insertInto('ai_prompt_versions')
    .values({
      hash: version.hash,
      task: version.task,
      canonical: canonicalPrompt(source),
      description: version.description,
      created_at: version.createdAt,
    })
    .onConflict((oc) => oc.column('hash').doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
}

async function registerOne(props: RegisterPromptSourcesProps, source: PromptSource): Promise<TaskRegistration> {
  const { hash } = versionOfSource(source, 0);
  const inserted = await insertVersion(props.store, source, Date.now());
  const base = { task: source.task, label: 'production', hash, actor: props.actor } as const;
  const production = await moveLabel(props.store.db, {
    ...base,
    reason: `first registration from ${source.fileName}`,
    when: 'absent',
  });
  const common = { task: source.task, fileName: source.fileName, hash, inserted, production: production.current };
  if (production.moved) {
    await announceLabelMove(props.kv, { task: source.task, label: 'production', hash });
    return { ...common, outcome: 'production' };
  }
  if (production.current === hash) return { ...common, outcome: 'unchanged' };
  const candidate = await moveLabel(props.store.db, {
    ...base,
    label: 'candidate',
    reason: `${source.fileName} differs from production ${production.current.slice(0, 12)}`,
    when: 'any',
  });
  if (!candidate.moved) return { ...common, outcome: 'unchanged' };
  await announceLabelMove(props.kv, { task: source.task, label: 'candidate', hash });
  return { ...common, outcome: 'candidate' };
}

/**
 * Registers every source in `props.dir` (all parsed first: one bad file registers nothing) and returns what
 * happened per task, in file-name order.
 */
export async function registerPromptSources(props: RegisterPromptSourcesProps): Promise<readonly TaskRegistration[]> {
  const sources = await readPromptSources(props.dir);
  const results: TaskRegistration[] = [];
  for (const source of sources) results.push(Object.freeze(await registerOne(props, source)));
  return Object.freeze(results);
}
