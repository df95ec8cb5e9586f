/**
 * PII findings from a remote model carry offsets into the text the model saw, which is escaped (renderPrompt)
 * and possibly redacted, so they cannot be trusted against the entry. The gateway re-anchors each finding by
 * finding its text in the entry's own text (`title + "\n\n" + body`, as the local model reports offsets),
 * searching forward from the previous finding; findings whose text is not in the entry are dropped (a model
 * must not report PII the entry does not hold). The redacted text is rebuilt from the anchored findings.
 */
import type { TaskInput, TaskOutput } from '../tasks.ts';

/** The text PII offsets refer to. */
export function piiSourceText(input: TaskInput): string {
  return `${input.title}\n\n${input.body}`;
}

/** The output with offsets that point into the entry's text, and the redaction rebuilt from them. */
export function anchorPiiFindings(output: TaskOutput<'pii'>, input: TaskInput): TaskOutput<'pii'> {
  const source = piiSourceText(input);
  const anchored: TaskOutput<'pii'>['findings'] = [];
  let from = 0;
  for (const finding of output.findings) {
    if (finding.text === '') continue;
    let start = source.indexOf(finding.text, from);
    if (start < 0) start = source.indexOf(finding.text);
    if (start < 0) continue;
    const end = start + finding.text.length;
    if (anchored.some((f) => start < f.end && end > f.start)) continue;
    anchored.push({ kind: finding.kind, text: finding.text, start, end });
    from = end;
  }
  anchored.sort((a, b) => a.start - b.start);
  let redacted = '';
  let at = 0;
  for (const f of anchored) {
    redacted += `${source.slice(at, f.start)}[${f.kind.toUpperCase()}]`;
    at = f.end;
  }
  redacted += source.slice(at);
  return { findings: anchored, redacted };
}
