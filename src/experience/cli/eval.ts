/**
 * `galley eval`: runs the golden suites (evals/<task>/cases.jsonl) through the real gateway — queue, worker,
 * providers, result store and audit — with the named prompt label or version and model, prints a table, writes
 * JSON + HTML reports, stores each run (ai_eval_runs) and exits 1 when any task misses its thresholds.
 *
 *   galley eval [--task <t>]… [--prompt-label <l> | --version <hash> | --prompt-dir <dir>] [--model <m>]
 *               [--out <dir>] [--evals <dir>] [--thresholds <file>] [--concurrency <n>] [--no-store] [--reuse]
 *   galley eval compare <A> <B> [--task <t>]…     A/B: run ids, prompt hashes (or ≥ 8-char prefixes) or models
 *   galley eval --update-manifest                 re-record the case files' hashes after a deliberate change
 *
 * `--version` names one prompt version, so it needs exactly one `--task`. `--prompt-dir` registers the prompt
 * sources of a folder (they become `candidate` where they differ from production, as on deploy) and evaluates
 * those versions, e.g. `--prompt-dir test/fixtures/prompts/degraded`. llm-rubric assertions need
 * GALLEY_AI_JUDGE_MODEL; without it they are reported as skipped. `--reuse` checks near-duplicate reuse: the tasks
 * that reuse answer each case with the output for the earliest version of its input that GALLEY_AI_REUSE_SIMILARITY
 * (or the task's own, stricter threshold) still accepts (evals/reuseCheck.ts), under the same thresholds; those runs are not stored. Exit codes: 0 all gates passed, 1 a gate failed
 * or a case file was refused, 2 bad usage.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Config } from '../../config/config.ts';
import type { DataPlane } from '../../data/dataPlane.ts';
import { migrateToLatest } from '../../data/migrations/migrator.ts';
import { openDataPlane } from '../../data/openDataPlane.ts';
import { openConfiguredStore } from '../../data/store/openStore.ts';
import type { Judge } from '../../intelligence/evals/assertions/assertion.ts';
import { EvalFixtureError } from '../../intelligence/evals/caseLoader.ts';
import { type EvalSessionResult, runEvalSession } from '../../intelligence/evals/evalSession.ts';
import { createJudge } from '../../intelligence/evals/judge.ts';
import { writeManifest } from '../../intelligence/evals/manifest.ts';
import { comparisonLines, runDetails, runsTable } from '../../intelligence/evals/report/table.ts';
import { reusingRunner } from '../../intelligence/evals/reuseCheck.ts';
import { compareRuns } from '../../intelligence/evals/runComparison.ts';
import { evalRunTask, findEvalRun } from '../../intelligence/evals/runs/evalRunQueries.ts';
import { loadThresholds, type Thresholds } from '../../intelligence/evals/thresholds.ts';
import { openGatewayTaskRunner } from '../../intelligence/gateway/taskRunner.ts';
import { registerPromptSources } from '../../intelligence/prompts/promptRegistrar.ts';
import { createLocalProvider } from '../../intelligence/providers/local/localProvider.ts';
import { openProviders } from '../../intelligence/providers/openProviders.ts';
import { isTaskName, reuseThreshold, TASK_NAMES, TASK_POLICIES, type TaskName } from '../../intelligence/tasks.ts';

/** The repository's golden sets. */
export const DEFAULT_EVALS_DIR = path.resolve(import.meta.dirname, '../../../evals');

const USAGE = [
  'usage: galley eval [--task <t>]… [--prompt-label <l> | --version <hash> | --prompt-dir <dir>] [--model <m>]',
  '                   [--out <dir>] [--evals <dir>] [--thresholds <file>] [--concurrency <n>] [--no-store] [--reuse]',
  '       galley eval compare <A> <B> [--task <t>]…   (run ids, prompt hashes or models)',
  '       galley eval --update-manifest [--evals <dir>]',
].join('\n');

const OPTIONS = {
  task: { type: 'string', multiple: true },
  'prompt-label': { type: 'string' },
  version: { type: 'string' },
  'prompt-dir': { type: 'string' },
  model: { type: 'string' },
  out: { type: 'string' },
  evals: { type: 'string' },
  thresholds: { type: 'string' },
  concurrency: { type: 'string' },
  'no-store': { type: 'boolean' },
  reuse: { type: 'boolean' },
  'update-manifest': { type: 'boolean' },
} as const;

type Out = (line: string) => void;

interface Parsed {
  readonly values: {
    task?: string[];
    'prompt-label'?: string;
    version?: string;
    'prompt-dir'?: string;
    model?: string;
    out?: string;
    evals?: string;
    thresholds?: string;
    concurrency?: string;
    'no-store'?: boolean;
    reuse?: boolean;
    'update-manifest'?: boolean;
  };
  readonly positionals: string[];
}

/** Thrown for bad usage: exit 2. */
class UsageError extends Error {}

function tasksOf(values: Parsed['values']): TaskName[] {
  const named = values.task ?? [];
  for (const t of named)
    if (!isTaskName(t)) throw new UsageError(`unknown task "${t}" (tasks: ${TASK_NAMES.join(', ')})`);
  const all = values.reuse === true ? TASK_NAMES.filter((t) => TASK_POLICIES[t].reuseSimilarity < 1) : TASK_NAMES;
  return named.length === 0 ? [...all] : all.filter((t) => named.includes(t));
}

function judgeOf(config: Config, out: Out): Judge | undefined {
  if (config.aiJudgeModel === undefined) {
    out(
      'notice: GALLEY_AI_JUDGE_MODEL is not set: llm-rubric assertions are skipped (reported, never counted as passed)',
    );
    return undefined;
  }
  return createJudge(openProviders(config, { local: createLocalProvider() }), config.aiJudgeModel);
}

async function compare(config: Config, values: Parsed['values'], refs: string[], out: Out): Promise<number> {
  const [a, b] = refs;
  if (a === undefined || b === undefined || refs.length !== 2) throw new UsageError('compare needs two references');
  const store = openConfiguredStore(config, 2);
  try {
    await migrateToLatest(store);
    const byId = (await evalRunTask(store.db, a)) ?? (await evalRunTask(store.db, b));
    const tasks = values.task === undefined && byId !== undefined ? [byId] : tasksOf(values);
    let compared = 0;
    for (const task of tasks) {
      const [runA, runB] = await Promise.all([findEvalRun(store.db, task, a), findEvalRun(store.db, task, b)]);
      if (runA === undefined || runB === undefined) continue;
      for (const line of comparisonLines(compareRuns(runA, runB))) out(line);
      compared += 1;
    }
    if (compared === 0) {
      out(`galley eval compare: no task has stored runs for both "${a}" and "${b}"`);
      return 1;
    }
    return 0;
  } finally {
    await store.close();
  }
}

/** What an evaluation runs, from the options (validated before anything opens). */
interface Plan {
  readonly evalsDir: string;
  readonly tasks: TaskName[];
  readonly concurrency: number;
  readonly thresholds: Thresholds;
}

function planOf(values: Parsed['values']): Plan {
  const evalsDir = path.resolve(values.evals ?? DEFAULT_EVALS_DIR);
  const picks = [values['prompt-label'], values.version, values['prompt-dir']].filter((v) => v !== undefined);
  if (picks.length > 1) throw new UsageError('use one of --prompt-label, --version and --prompt-dir');
  const tasks = tasksOf(values);
  if (values.version !== undefined && tasks.length !== 1) throw new UsageError('--version needs exactly one --task');
  const concurrency = values.concurrency === undefined ? 4 : Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 32) {
    throw new UsageError('--concurrency must be 1–32');
  }
  const thresholds = loadThresholds(values.thresholds ?? path.join(evalsDir, 'thresholds.yaml'));
  return { evalsDir, tasks, concurrency, thresholds };
}

/**
 * The prompt versions named explicitly, by task: `--version` for its one task, or the versions `--prompt-dir`
 * registers (then, without `--task`, only the tasks that folder has).
 */
async function pinnedVersions(
  plane: DataPlane,
  values: Parsed['values'],
  planned: readonly TaskName[],
): Promise<{ tasks: TaskName[]; hashes: Map<TaskName, string> }> {
  const hashes = new Map<TaskName, string>();
  const dir = values['prompt-dir'];
  if (values.version !== undefined) for (const t of planned) hashes.set(t, values.version);
  if (dir === undefined) return { tasks: [...planned], hashes };
  const registered = await registerPromptSources({ store: plane.store, dir, actor: 'cli:eval', kv: plane.kv });
  for (const r of registered) hashes.set(r.task, r.hash);
  const tasks = values.task === undefined ? planned.filter((t) => hashes.has(t)) : [...planned];
  const missing = tasks.filter((t) => !hashes.has(t));
  if (missing.length > 0 || tasks.length === 0)
    throw new UsageError(`${dir} has no prompt for ${missing.join(', ') || 'any task'}`);
  return { tasks, hashes };
}

function printSession(result: EvalSessionResult, out: Out): void {
  out('');
  for (const line of runsTable(result.runs)) out(line);
  out('');
  for (const run of result.runs) for (const line of runDetails(run)) out(line);
  if (result.reports !== undefined) out(`reports: ${result.reports.html} and ${result.reports.json}`);
  out(result.passed ? 'eval gate: passed' : 'eval gate: FAILED');
}

async function evaluate(config: Config, values: Parsed['values'], out: Out): Promise<number> {
  const plan = planOf(values);
  const judge = judgeOf(config, out);
  const plane = await openDataPlane(config);
  try {
    await migrateToLatest(plane.store);
    // The runner registers the installed prompt sources first, so a --prompt-dir folder registered after it
    // becomes a candidate and never production, even on a fresh store.
    const gateway = await openGatewayTaskRunner(config, { plane });
    const { tasks, hashes } = await pinnedVersions(plane, values, plan.tasks);
    const model = values.model === undefined ? {} : { model: values.model };
    const label = values['prompt-label'] ?? 'production';
    const reuse = values.reuse === true;
    let staleCases = 0;
    let removedWords = 0;
    if (reuse) {
      const at = tasks.map((t) => `${t} ${reuseThreshold(t, config.aiReuseSimilarity)}`).join(', ');
      out(`reuse check: each case is answered for its earliest input still reused at similarity ≥ (${at})`);
    }
    try {
      const result = await runEvalSession({
        ...plan,
        tasks,
        runner: reuse
          ? reusingRunner(gateway.run, config.aiReuseSimilarity, (removed) => {
              staleCases += removed > 0 ? 1 : 0;
              removedWords += removed;
            })
          : gateway.run,
        selection: (task) => {
          const hash = hashes.get(task);
          return hash === undefined ? { label, ...model } : { promptHash: hash, ...model };
        },
        ...(judge === undefined ? {} : { judge }),
        ...(values['no-store'] === true || reuse ? {} : { db: plane.store.db }),
        outDir: path.resolve(values.out ?? (reuse ? 'data/evals/reuse' : 'data/evals')),
        onRun: (run) =>
          out(
            `ran ${run.task}: ${run.figures.passed}/${run.figures.cases} passed, gate ${run.gate.pass ? 'pass' : 'FAIL'}`,
          ),
      });
      printSession(result, out);
      if (reuse)
        out(
          `reuse check: ${staleCases} answers computed on an earlier input (${removedWords} trailing words fewer in all)`,
        );
      return result.passed ? 0 : 1;
    } finally {
      await gateway.close();
    }
  } finally {
    await plane.close();
  }
}

/** Runs `galley eval`; resolves with the exit code. */
export async function runEval(args: readonly string[], config: Config, out: Out): Promise<number> {
  let parsed: Parsed;
  try {
    parsed = parseArgs({ args: [...args], options: OPTIONS, strict: true, allowPositionals: true }) as Parsed;
  } catch (error) {
    out(`galley eval: ${error instanceof Error ? error.message : String(error)}`);
    out(USAGE);
    return 2;
  }
  const { values, positionals } = parsed;
  try {
    if (values['update-manifest'] === true) {
      for (const line of writeManifest(path.resolve(values.evals ?? DEFAULT_EVALS_DIR))) out(line);
      out('manifest updated: review the case changes and commit them together');
      return 0;
    }
    const [sub, ...refs] = positionals;
    if (sub === 'compare') return await compare(config, values, refs, out);
    if (sub !== undefined) throw new UsageError(`unknown subcommand "${sub}"`);
    return await evaluate(config, values, out);
  } catch (error) {
    if (error instanceof UsageError) {
      out(`galley eval: ${error.message}`);
      out(USAGE);
      return 2;
    }
    if (error instanceof EvalFixtureError) {
      out(`galley eval: ${error.message}`);
      return 1;
    }
    throw error;
  }
}
