/**
 * Presents a stored eval run for the API: figures, gate and per-case verdicts with their failing assertions;
 * model outputs stay in the stored run and the HTML report (they can be long, and hold entry text).
 */
import type { EvalRun } from '../../../intelligence/evals/suiteRunner.ts';
import type { EvalRunSummary } from './schemas.ts';

/** The API shape of a run. */
export function presentEvalRun(run: EvalRun): EvalRunSummary {
  return {
    id: run.id,
    task: run.task,
    ...(run.label === undefined ? {} : { label: run.label }),
    promptHash: run.promptHash,
    model: run.model,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    casesFile: run.casesFile,
    casesSha256: run.casesSha256,
    figures: { ...run.figures },
    gate: { pass: run.gate.pass, checks: run.gate.checks.map((c) => ({ ...c })) },
    skipped: { ...run.skipped },
    cases: run.cases.map((c) => ({
      id: c.id,
      tags: [...c.tags],
      pass: c.pass,
      score: c.score,
      latencyMs: c.latencyMs,
      ...(c.error === undefined ? {} : { error: c.error }),
      failures: c.assertions.filter((a) => !a.pass && a.skipped !== true).map((a) => `${a.type}: ${a.reason}`),
    })),
  };
}
