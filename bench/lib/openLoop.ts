/**
 * Open-loop load harness. Operations are started on a fixed schedule (rate × duration) whether or not earlier
 * ones finished, and each latency counts from the operation's *scheduled* start, so a stall shows up in the
 * tail instead of silently slowing the sender (no coordinated omission). Latencies go into an HDR histogram
 * (microsecond resolution).
 */
import os from 'node:os';
import hdr from 'hdr-histogram-js';

/** Summary of one open-loop run. */
export interface OpenLoopResult {
  readonly name: string;
  /** Target rate in operations per second. */
  readonly rate: number;
  readonly durationS: number;
  /** Operations scheduled. */
  readonly sent: number;
  readonly ok: number;
  readonly errors: number;
  /** Completed per second over the run. */
  readonly achievedRate: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** First few error messages, for diagnosis. */
  readonly sampleErrors: readonly string[];
}

/** Options of one run. */
export interface OpenLoopOptions {
  readonly name: string;
  readonly rate: number;
  readonly durationS: number;
  /** Cap on operations in flight; beyond it a send counts as an error (the server is not keeping up). */
  readonly maxInFlight?: number;
  /** The operation; `i` is its sequence number. Reject (or throw) to count an error. */
  readonly op: (i: number) => Promise<void>;
}

/** Runs one open-loop load and returns its figures. */
export async function openLoop(options: OpenLoopOptions): Promise<OpenLoopResult> {
  const { rate, durationS, op } = options;
  const maxInFlight = options.maxInFlight ?? 10_000;
  const total = Math.round(rate * durationS);
  const intervalMs = 1000 / rate;
  const histogram = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 120_000_000,
    numberOfSignificantValueDigits: 3,
  });
  let ok = 0;
  let errors = 0;
  let inFlight = 0;
  const sampleErrors: string[] = [];
  const pending = new Set<Promise<void>>();
  const start = performance.now();

  const fire = (i: number, scheduled: number) => {
    if (inFlight >= maxInFlight) {
      errors += 1;
      if (sampleErrors.length < 5) sampleErrors.push('too many in flight');
      return;
    }
    inFlight += 1;
    const p = (async () => {
      try {
        await op(i);
        ok += 1;
      } catch (error) {
        errors += 1;
        if (sampleErrors.length < 5) sampleErrors.push(error instanceof Error ? error.message : String(error));
      } finally {
        inFlight -= 1;
        histogram.recordValue(Math.max(1, Math.round((performance.now() - scheduled) * 1000)));
      }
    })();
    pending.add(p);
    void p.finally(() => pending.delete(p));
  };

  let next = 0;
  while (next < total) {
    const now = performance.now();
    // Send everything whose scheduled time has passed, each stamped with its own scheduled time.
    while (next < total && start + next * intervalMs <= now) {
      fire(next, start + next * intervalMs);
      next += 1;
    }
    // Sleep, never spin: waking through setImmediate until the next send was due kept a whole core busy (about
    // 1 ms of CPU per request at 1,000/s), CPU the server lacks when both share a small machine. Node's timers tick
    // in whole milliseconds, so a send may leave up to ~1 ms after its scheduled time; its latency still counts
    // from the scheduled time.
    const wait = start + next * intervalMs - performance.now();
    await new Promise<void>((resolve) => setTimeout(resolve, Math.max(1, Math.floor(wait))));
  }
  await Promise.all(pending);
  const elapsedS = (performance.now() - start) / 1000;
  const ms = (us: number) => Math.round(us) / 1000;
  const result: OpenLoopResult = {
    name: options.name,
    rate,
    durationS,
    sent: total,
    ok,
    errors,
    achievedRate: Math.round(ok / elapsedS),
    p50Ms: ms(histogram.getValueAtPercentile(50)),
    p95Ms: ms(histogram.getValueAtPercentile(95)),
    p99Ms: ms(histogram.getValueAtPercentile(99)),
    maxMs: ms(histogram.maxValue),
    sampleErrors,
  };
  histogram.destroy();
  return result;
}

/** Closed-loop throughput: runs `op` back to back with `concurrency` callers for `durationS`; ops per second. */
export async function throughput(
  durationS: number,
  concurrency: number,
  op: (i: number) => Promise<void>,
): Promise<number> {
  let count = 0;
  const end = performance.now() + durationS * 1000;
  const worker = async () => {
    while (performance.now() < end) {
      // Batches amortise the clock read without changing what is measured.
      for (let k = 0; k < 100; k += 1) await op(count++);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  return Math.round(count / ((performance.now() - started) / 1000));
}

/** The machine a benchmark ran on, printed and stored with every result. */
export function machine(): { cores: number; cpu: string; memGiB: number; node: string; date: string } {
  const cpus = os.cpus();
  return {
    cores: cpus.length,
    cpu: cpus[0]?.model ?? 'unknown',
    memGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    date: new Date().toISOString(),
  };
}

/** Prints one open-loop result as a table row. */
export function formatResult(r: OpenLoopResult): string {
  return `${r.name.padEnd(40)} rate=${r.rate}/s dur=${r.durationS}s ok=${r.ok} err=${r.errors} achieved=${r.achievedRate}/s p50=${r.p50Ms}ms p95=${r.p95Ms}ms p99=${r.p99Ms}ms max=${r.maxMs}ms`;
}
