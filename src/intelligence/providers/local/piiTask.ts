/**
 * `pii` for galley-local-1: personal data found by Galley's PII detector (safety/pii.ts), over the text
 * `title + "\n\n" + body` (the body as markdown, exactly as stored). Finding offsets (`start`, `end`, UTF-16
 * code units, end exclusive) refer to that text, and `redacted` is that text with every finding masked. The
 * local model adds nothing of its own here: the same detector guards prompts, so what it reports is what the
 * gateway would redact.
 */
import { redactPii } from '../../safety/pii.ts';
import type { TaskInput, TaskOutput } from '../../tasks.ts';

/** The text the `pii` task scans and its offsets refer to. */
export function piiText(input: Pick<TaskInput, 'title' | 'body'>): string {
  return `${input.title}\n\n${input.body}`;
}

/** The `pii` task: `{ findings, redacted }` for an entry. */
export function piiTask(input: TaskInput): TaskOutput<'pii'> {
  const { text: redacted, findings } = redactPii(piiText(input));
  return { findings: findings.map((f) => ({ kind: f.kind, text: f.text, start: f.start, end: f.end })), redacted };
}
