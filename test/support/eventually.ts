/** Polling with generous deadlines, instead of timed assertions that flake on a loaded machine. */
import assert from 'node:assert/strict';

/** Polls `check` until it holds or `timeoutMs` passes; resolves with the milliseconds it took. */
export async function eventually(check: () => Promise<boolean> | boolean, timeoutMs = 5000): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) assert.fail(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return Date.now() - started;
}
