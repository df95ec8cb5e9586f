/**
 * The quality check of near-duplicate reuse (memo/nearDuplicates.ts), run as `galley eval --reuse`: each case of
 * a task that reuses is answered with the output computed for the *earliest* version of its input that reuse
 * would still accept — the case's body with as many trailing words removed as the similarity threshold allows,
 * i.e. what an editor sees who kept writing after the last model call. Graded by the same assertions and
 * thresholds, the pass rate shows what reuse costs in quality (nothing, when it equals the fresh run's).
 */
import type { TaskRunner } from '../gateway/runner.ts';
import { similarity, sketchOf } from '../memo/nearDuplicates.ts';
import { reuseThreshold, type TaskInput } from '../tasks.ts';

/**
 * The input with the most trailing body words removed whose similarity to `input` is still ≥ `minSimilarity`
 * (the input itself when not even one word can go).
 */
export function earliestReusableVersion(input: TaskInput, minSimilarity: number): TaskInput {
  const current = sketchOf(input);
  const words = input.body.split(/(?<=\s)(?=\S)/);
  let best = input;
  // Similarity falls as words go; scan from one removed word until the threshold is crossed.
  for (let keep = words.length - 1; keep >= 0; keep -= 1) {
    const candidate = { ...input, body: words.slice(0, keep).join('').trimEnd() };
    if (similarity(sketchOf(candidate), current) < minSimilarity) break;
    best = candidate;
  }
  return best;
}

/**
 * Wraps a runner so that tasks which reuse are answered for their earliest reusable input at their threshold
 * (the task's own or the configured floor, whichever is stricter); other tasks run on their own input.
 * `onStale` is told how many words each case lost.
 */
export function reusingRunner(
  inner: TaskRunner,
  configuredSimilarity: number,
  onStale?: (removedWords: number) => void,
): TaskRunner {
  return (task, input, selection) => {
    const threshold = reuseThreshold(task, configuredSimilarity);
    if (threshold >= 1) return inner(task, input, selection);
    const earlier = earliestReusableVersion(input, threshold);
    const count = (text: string) => text.split(/\s+/).filter((w) => w.length > 0).length;
    onStale?.(count(input.body) - count(earlier.body));
    return inner(task, earlier, selection);
  };
}
