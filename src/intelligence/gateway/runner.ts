/**
 * The contract between evals (and shadow comparisons) and the gateway: run one task on one input with a named
 * prompt version or label and model, through the real gateway (queue, provider wrapper, result store), with the
 * task's flag bypassed only because the version is named explicitly. Implemented by `taskRunner.ts`.
 */
import type { ModelUsage } from '../providers/port.ts';
import type { TaskInput, TaskName } from '../tasks.ts';

/** Which prompt and model one run uses. */
export interface RunSelection {
  /** Prompt label to resolve (default `production`); ignored when `promptHash` is given. */
  readonly label?: string;
  /** An exact prompt version. */
  readonly promptHash?: string;
  /** Model id from the registry (default: the configured default model). */
  readonly model?: string;
}

/** The outcome of one run. */
export interface TaskRun {
  /** Parsed output, validated against the task's schema; undefined when the call failed. */
  readonly output: unknown;
  /** The model that answered (after any fallback). */
  readonly model: string;
  readonly promptHash: string;
  readonly usage: ModelUsage;
  readonly costUsd: number;
  /** From enqueue to result. */
  readonly latencyMs: number;
  /** Set when the call failed (timeout, provider error, invalid output). */
  readonly error?: string;
}

/** Runs a task through the gateway. */
export type TaskRunner = (task: TaskName, input: TaskInput, selection?: RunSelection) => Promise<TaskRun>;
