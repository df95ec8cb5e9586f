/**
 * Line diffs between two prompt versions (system, user and params), in unified format with three lines of
 * context. A plain LCS table: prompts are tens of lines, so O(n·m) is nothing.
 */
import { canonicalJson } from './canonicalJson.ts';
import type { PromptVersion } from './promptVersion.ts';

/** One line of a diff: kept (' '), removed ('-') or added ('+'). */
export interface DiffLine {
  readonly op: ' ' | '-' | '+';
  readonly text: string;
  /** 1-based line numbers in the old and new text (of the line, or where it would be). */
  readonly oldLine: number;
  readonly newLine: number;
}

/** The edit script turning `a` into `b` (longest common subsequence; removals before additions). */
export function lineDiff(a: readonly string[], b: readonly string[]): readonly DiffLine[] {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const lcs = new Uint32Array(rows * cols);
  for (let i = a.length - 1; i >= 0; i -= 1) {
    for (let j = b.length - 1; j >= 0; j -= 1) {
      lcs[i * cols + j] =
        a[i] === b[j]
          ? (lcs[(i + 1) * cols + j + 1] ?? 0) + 1
          : Math.max(lcs[(i + 1) * cols + j] ?? 0, lcs[i * cols + j + 1] ?? 0);
    }
  }
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      out.push({ op: ' ', text: a[i] ?? '', oldLine: i + 1, newLine: j + 1 });
      i += 1;
      j += 1;
    } else if (j >= b.length || (i < a.length && (lcs[(i + 1) * cols + j] ?? 0) >= (lcs[i * cols + j + 1] ?? 0))) {
      out.push({ op: '-', text: a[i] ?? '', oldLine: i + 1, newLine: j + 1 });
      i += 1;
    } else {
      out.push({ op: '+', text: b[j] ?? '', oldLine: i + 1, newLine: j + 1 });
      j += 1;
    }
  }
  return out;
}

const CONTEXT = 3;

function range(start: number, count: number): string {
  return count === 1 ? `${start}` : `${count === 0 ? start - 1 : start},${count}`;
}

/** Unified-format hunks (`@@ -a,b +c,d @@` then lines); empty when the texts are equal. */
export function unifiedHunks(oldText: string, newText: string): readonly string[] {
  const diff = lineDiff(oldText.split('\n'), newText.split('\n'));
  const changed = diff.map((line, index) => (line.op === ' ' ? -1 : index)).filter((index) => index >= 0);
  const out: string[] = [];
  let k = 0;
  while (k < changed.length) {
    const first = changed[k] ?? 0;
    let last = first;
    // Extend the hunk while the next change is close enough for the contexts to touch.
    while (k + 1 < changed.length && (changed[k + 1] ?? 0) - last <= 2 * CONTEXT) {
      k += 1;
      last = changed[k] ?? last;
    }
    k += 1;
    const lines = diff.slice(Math.max(0, first - CONTEXT), Math.min(diff.length, last + CONTEXT + 1));
    const head = lines[0];
    if (head === undefined) continue;
    const oldCount = lines.filter((l) => l.op !== '+').length;
    const newCount = lines.filter((l) => l.op !== '-').length;
    out.push(`@@ -${range(head.oldLine, oldCount)} +${range(head.newLine, newCount)} @@`);
    for (const line of lines) out.push(`${line.op}${line.text}`);
  }
  return out;
}

/** The parts of a version the diff compares, as text. */
function parts(version: PromptVersion): ReadonlyArray<readonly [string, string]> {
  return [
    ['system', version.system],
    ['user', version.user],
    // Sorted keys, so versions read from sources and from rows print alike.
    ['params', JSON.stringify(JSON.parse(canonicalJson(version.params)), null, 2)],
  ];
}

/** A readable diff of two versions: a header, then each part's hunks or `(unchanged)`. */
export function diffPromptVersions(a: PromptVersion, b: PromptVersion): readonly string[] {
  const out = [`--- ${a.hash} (${a.task})`, `+++ ${b.hash} (${b.task})`];
  const newParts = parts(b);
  parts(a).forEach(([name, oldText], index) => {
    const hunks = unifiedHunks(oldText, newParts[index]?.[1] ?? '');
    out.push(`== ${name}`, ...(hunks.length === 0 ? ['(unchanged)'] : hunks));
  });
  return out;
}
