/**
 * Reading stored eval runs: the latest run per task (the admin page, the shadow comparison) and the run a
 * reference names (`galley eval compare A B`: a run id, a prompt hash or a model id).
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../../data/store/schema.ts';
import { TASK_NAMES, type TaskName } from '../../tasks.ts';
import type { EvalRun } from '../suiteRunner.ts';
import { type AiEvalRunsTable, evalDb } from './tables.ts';

function toRun(row: Pick<AiEvalRunsTable, 'summary'>): EvalRun {
  return Object.freeze(JSON.parse(row.summary) as EvalRun);
}

/** The newest stored run of `task`, or undefined. */
export async function latestEvalRun(db: Kysely<Database>, task: TaskName): Promise<EvalRun | undefined> {
  const row = await evalDb(db)
    .selectFrom('ai_eval_runs')
    .select('summary')
    .where('task', '=', task)
    .orderBy('finished_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row === undefined ? undefined : toRun(row);
}

/** The newest run per task (of `task` only when given), in task order; tasks never run are left out. */
export async function latestEvalRuns(db: Kysely<Database>, task?: TaskName): Promise<EvalRun[]> {
  const tasks = task === undefined ? TASK_NAMES : [task];
  const runs = await Promise.all(tasks.map((t) => latestEvalRun(db, t)));
  return runs.filter((r): r is EvalRun => r !== undefined);
}

/**
 * The newest run of `task` that `reference` names: a run id, a prompt hash (or a unique prefix of at least 8
 * characters), or a model id. Undefined when nothing matches.
 */
export async function findEvalRun(
  db: Kysely<Database>,
  task: TaskName,
  reference: string,
): Promise<EvalRun | undefined> {
  const base = evalDb(db).selectFrom('ai_eval_runs').select('summary').where('task', '=', task);
  const byId = await base.where('id', '=', reference).executeTakeFirst();
  if (byId !== undefined) return toRun(byId);
  const byOther = await base
    .where((eb) =>
      eb.or([
        eb('model', '=', reference),
        eb('prompt_hash', '=', reference),
        ...(reference.length >= 8 ? [eb('prompt_hash', 'like', `${reference.replace(/[%_\\]/g, '')}%`)] : []),
      ]),
    )
    .orderBy('finished_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return byOther === undefined ? undefined : toRun(byOther);
}

/** The task a run id belongs to, or undefined. */
export async function evalRunTask(db: Kysely<Database>, id: string): Promise<TaskName | undefined> {
  const row = await evalDb(db).selectFrom('ai_eval_runs').select('task').where('id', '=', id).executeTakeFirst();
  return row === undefined ? undefined : (TASK_NAMES.find((t) => t === row.task) ?? undefined);
}
