/**
 * Turns a model's raw text into a task output: the JSON object (models sometimes wrap it in a code fence or
 * prose, so the outermost object is taken), validated against the task's schema. Anything else is an invalid
 * output, which the gateway treats like a failed call: never stored, never memoized, fallback instead.
 */
import { Value } from 'typebox/value';
import { TASK_OUTPUT_SCHEMAS, type TaskName } from '../tasks.ts';

/** A model output that is not valid for its task. */
export class InvalidOutputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidOutputError';
  }
}

/** The parsed, schema-valid output of `task` in `text`; throws InvalidOutputError otherwise. */
export function parseTaskOutput(task: TaskName, text: string): unknown {
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  if (start < 0 || end <= start) throw new InvalidOutputError(`${task}: the output holds no JSON object`);
  let value: unknown;
  try {
    value = JSON.parse(text.slice(start, end + 1));
  } catch {
    throw new InvalidOutputError(`${task}: the output is not valid JSON`);
  }
  const schema = TASK_OUTPUT_SCHEMAS[task];
  if (!Value.Check(schema, value)) {
    const first = [...Value.Errors(schema, value)][0];
    throw new InvalidOutputError(
      `${task}: the output does not match the schema${first === undefined ? '' : ` (${first.instancePath || '/'} ${first.message})`}`,
    );
  }
  return value;
}
