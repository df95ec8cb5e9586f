/**
 * One `galley eval` session as a use case: for each task, load its manifest-checked cases, run the suite through
 * the given TaskRunner, store the run (when a store is given) and write the JSON + HTML reports. The CLI opens
 * the gateway and prints; tests call this with a runner of their own.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../data/store/schema.ts';
import type { RunSelection, TaskRunner } from '../gateway/runner.ts';
import type { TaskName } from '../tasks.ts';
import type { Judge } from './assertions/assertion.ts';
import { loadCases } from './caseLoader.ts';
import { writeReports } from './report/reportWriter.ts';
import { recordEvalRun } from './runs/evalRunRecorder.ts';
import { type EvalRun, runEvalSuite } from './suiteRunner.ts';
import type { Thresholds } from './thresholds.ts';

/** What an eval session needs. */
export interface EvalSessionProps {
  readonly tasks: readonly TaskName[];
  /** The folder holding `<task>/cases.jsonl` and the manifest. */
  readonly evalsDir: string;
  readonly thresholds: Thresholds;
  readonly runner: TaskRunner;
  /** Label, or prompt hash per task (a hash belongs to one task), and model. */
  readonly selection: (task: TaskName) => RunSelection;
  readonly judge?: Judge;
  /** Where runs are stored (omit to keep them out of the database). */
  readonly db?: Kysely<Database>;
  /** Folder for `<name>.json` and `<name>.html` (omit for no files). */
  readonly outDir?: string;
  readonly concurrency?: number;
  /** Called as each task finishes (progress output). */
  readonly onRun?: (run: EvalRun) => void;
}

/** The session's runs and where its reports went. */
export interface EvalSessionResult {
  readonly runs: readonly EvalRun[];
  readonly reports?: { readonly json: string; readonly html: string };
  /** True when every run passed its gate. */
  readonly passed: boolean;
}

/** Runs the session. Throws EvalFixtureError before running anything when a case file is refused. */
export async function runEvalSession(props: EvalSessionProps): Promise<EvalSessionResult> {
  const loaded = props.tasks.map((task) => loadCases(props.evalsDir, task));
  const runs: EvalRun[] = [];
  for (const cases of loaded) {
    const run = await runEvalSuite({
      cases,
      runner: props.runner,
      selection: props.selection(cases.task),
      thresholds: props.thresholds[cases.task],
      ...(props.judge === undefined ? {} : { judge: props.judge }),
      ...(props.concurrency === undefined ? {} : { concurrency: props.concurrency }),
    });
    if (props.db !== undefined) await recordEvalRun({ db: props.db, run });
    runs.push(run);
    props.onRun?.(run);
  }
  const reports = props.outDir === undefined ? undefined : writeReports(props.outDir, runs);
  return { runs, ...(reports === undefined ? {} : { reports }), passed: runs.every((r) => r.gate.pass) };
}
