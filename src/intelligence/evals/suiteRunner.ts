/**
 * Runs one task's golden cases through a TaskRunner (the real gateway in `galley eval`), evaluates each output,
 * and gates the figures against the task's thresholds. Cases run a few at a time so latency reflects the queue
 * under light load rather than a burst; the result is a plain, JSON-serializable EvalRun.
 */
import { randomUUID } from 'node:crypto';
import type { RunSelection, TaskRunner } from '../gateway/runner.ts';
import type { TaskInput, TaskName } from '../tasks.ts';
import type { Judge } from './assertions/assertion.ts';
import { type AssertionResult, evaluateCase } from './caseAssertions.ts';
import type { LoadedCases } from './caseLoader.ts';
import { caseVerdict, type GateCheck, gate, type RunFigures, runFigures } from './scoring.ts';
import type { TaskThresholds } from './thresholds.ts';

/** One case's result. */
export interface CaseResult {
  readonly id: string;
  readonly tags: readonly string[];
  readonly pass: boolean;
  readonly score: number;
  readonly latencyMs: number;
  readonly tokens: number;
  readonly costUsd: number;
  /** The output as the gateway returned it (undefined when the call failed). */
  readonly output: unknown;
  readonly error?: string;
  readonly assertions: readonly AssertionResult[];
}

/** One run of one task's suite. */
export interface EvalRun {
  readonly id: string;
  readonly task: TaskName;
  /** The prompt label asked for (undefined when a version was named). */
  readonly label?: string;
  readonly promptHash: string;
  readonly model: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly casesFile: string;
  readonly casesSha256: string;
  readonly figures: RunFigures;
  readonly thresholds: TaskThresholds;
  readonly gate: { readonly pass: boolean; readonly checks: readonly GateCheck[] };
  /** Assertions not evaluated (llm-rubric without a judge), with the notice. */
  readonly skipped: { readonly count: number; readonly notice?: string };
  readonly cases: readonly CaseResult[];
}

/** What runEvalSuite needs. */
export interface EvalSuiteProps {
  /** The loaded, manifest-checked cases. */
  readonly cases: LoadedCases;
  /** Runs the task through the gateway. */
  readonly runner: TaskRunner;
  /** Prompt label or version and model (default: production label, default model). */
  readonly selection?: RunSelection;
  readonly thresholds: TaskThresholds;
  /** The judge for llm-rubric assertions; absent = those are skipped with a notice. */
  readonly judge?: Judge;
  /** Cases in flight at once (default 4). */
  readonly concurrency?: number;
}

async function runCase(
  props: EvalSuiteProps,
  task: TaskName,
  index: number,
): Promise<CaseResult & { model: string; promptHash: string }> {
  const evalCase = props.cases.cases[index];
  if (evalCase === undefined) throw new Error(`no case ${index}`);
  const input = evalCase.input as TaskInput;
  const run = await props.runner(task, input, props.selection);
  const assertions = run.error === undefined ? await evaluateCase(task, evalCase, run.output, props.judge) : undefined;
  const verdict = caseVerdict(assertions);
  return {
    id: evalCase.id,
    tags: evalCase.tags,
    pass: verdict.pass,
    score: verdict.score,
    latencyMs: Math.round(run.latencyMs * 10) / 10,
    tokens: run.usage.inputTokens + run.usage.outputTokens,
    costUsd: run.costUsd,
    output: run.output,
    ...(run.error === undefined ? {} : { error: run.error }),
    assertions: assertions ?? [],
    model: run.model,
    promptHash: run.promptHash,
  };
}

/** Runs `props.cases` and gates the result. */
export async function runEvalSuite(props: EvalSuiteProps): Promise<EvalRun> {
  const task = props.cases.task;
  const startedAt = new Date().toISOString();
  const results: (CaseResult & { model: string; promptHash: string })[] = new Array(props.cases.cases.length);
  let next = 0;
  const worker = async () => {
    while (next < props.cases.cases.length) {
      const index = next;
      next += 1;
      results[index] = await runCase(props, task, index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, props.concurrency ?? 4) }, worker));
  const figures = runFigures(results);
  const skippedResults = results.flatMap((r) => r.assertions.filter((a) => a.skipped === true));
  const answered = results.find((r) => r.error === undefined) ?? results[0];
  return Object.freeze({
    id: randomUUID(),
    task,
    ...(props.selection?.promptHash === undefined ? { label: props.selection?.label ?? 'production' } : {}),
    promptHash: props.selection?.promptHash ?? answered?.promptHash ?? '',
    model: props.selection?.model ?? answered?.model ?? '',
    startedAt,
    finishedAt: new Date().toISOString(),
    casesFile: props.cases.file,
    casesSha256: props.cases.sha256,
    figures,
    thresholds: props.thresholds,
    gate: gate(figures, props.thresholds),
    skipped: {
      count: skippedResults.length,
      ...(skippedResults[0] === undefined ? {} : { notice: skippedResults[0].reason }),
    },
    cases: results.map(({ model: _model, promptHash: _hash, ...rest }) => rest),
  });
}
