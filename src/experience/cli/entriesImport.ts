/**
 * `galley entries import <file.ndjson|->`: creates one entry per NDJSON line (`{"type": …, "fields": {…}}`, the
 * body of `POST /entries`) through the management API, in batches whose requests run concurrently (bounded).
 *
 * - Never duplicates: each line is sent with `Idempotency-Key: galley-import-<file sha256>-<line>`, so a line sent
 *   again (a resumed import, a retry after a lost answer) gets the stored answer instead of a second entry.
 * - Resumable: after each batch, `<file>.galley-import` records the last line up to which every line is settled
 *   (created or rejected); `--resume` continues after it, and refuses when the file changed since. The checkpoint
 *   is removed when the import completes. (Standard input has no checkpoint; its keys still come from its hash.)
 * - Never silently drops a line: a line that is not a JSON object with `type` and `fields`, or that the server
 *   refuses (4xx), is reported with its number and the problem, and copied as it is to `<file>.rejected.ndjson`.
 *   Server failures (5xx, network) are retried, then stop the import without moving the checkpoint past them.
 */
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { type ApiAnswer, type ManagementClient, problemText } from './managementClient.ts';

/** Options of importEntries. */
export interface ImportOptions {
  readonly client: ManagementClient;
  /** The NDJSON file, or `-` for standard input. */
  readonly file: string;
  /** Lines per batch (checkpoint granularity). */
  readonly batchSize: number;
  /** Requests in flight at once. */
  readonly concurrency: number;
  /** Continue after the checkpoint instead of refusing to start over it. */
  readonly resume: boolean;
  /** Attempts per line on 5xx or network failure. Default 4. */
  readonly attempts?: number;
  /** Reads standard input (tests pass text). */
  readonly readStdin?: () => Promise<string>;
  readonly out: (line: string) => void;
}

/** What an import did. */
export interface ImportSummary {
  readonly created: number;
  /** Lines answered from an earlier run's stored answer (Idempotent-Replayed). */
  readonly replayed: number;
  readonly rejected: number;
  /** Last settled line; equals the line count when the import finished. */
  readonly lastLine: number;
  readonly finished: boolean;
}

/** Contents of `<file>.galley-import`. */
interface Checkpoint {
  readonly version: 1;
  readonly sha256: string;
  /** Every line up to and including this one is settled. */
  readonly line: number;
  readonly updatedAt: string;
}

/** Raised when the import cannot start or must stop (bad checkpoint, server failing). */
export class ImportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportError';
  }
}

type Outcome = { kind: 'created' | 'replayed' } | { kind: 'rejected'; problem: string };

/** Checks a line locally: the problem, or null when it is a plausible create body. */
export function lineProblem(text: string): string | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return `not JSON (${error instanceof Error ? error.message : String(error)})`;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
  const record = value as Record<string, unknown>;
  if (typeof record.type !== 'string' || record.type.length === 0) return 'missing "type" (a content type name)';
  if (typeof record.fields !== 'object' || record.fields === null || Array.isArray(record.fields))
    return 'missing "fields" (an object)';
  return null;
}

function readCheckpoint(path: string, sha256: string): Checkpoint | null {
  if (!existsSync(path)) return null;
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    throw new ImportError(`${path} is not a Galley import checkpoint`);
  }
  const c = value as Partial<Checkpoint>;
  if (c.version !== 1 || typeof c.sha256 !== 'string' || typeof c.line !== 'number') {
    throw new ImportError(`${path} is not a Galley import checkpoint`);
  }
  if (c.sha256 !== sha256) {
    throw new ImportError(`the file changed since ${path} was written: delete the checkpoint to start over`);
  }
  return { version: 1, sha256: c.sha256, line: c.line, updatedAt: String(c.updatedAt) };
}

async function sendLine(client: ManagementClient, key: string, text: string, attempts: number): Promise<Outcome> {
  let last = '';
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    let answer: ApiAnswer | null = null;
    try {
      answer = await client.send({
        method: 'POST',
        path: 'entries',
        body: JSON.parse(text) as unknown,
        headers: { 'idempotency-key': key },
      });
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    if (answer !== null) {
      if (answer.status === 201) {
        return { kind: answer.headers.get('idempotent-replayed') === 'true' ? 'replayed' : 'created' };
      }
      // 409 GALLEY_IDEMPOTENCY_IN_PROGRESS: the same line is still running elsewhere; wait and ask again.
      if (answer.status < 500 && answer.status !== 409 && answer.status !== 429) {
        return { kind: 'rejected', problem: problemText(answer) };
      }
      last = problemText(answer);
    }
    if (attempt < attempts) await sleep(100 * 2 ** attempt);
  }
  throw new ImportError(`the server keeps failing (${last})`);
}

/** Runs `tasks` with at most `limit` at once; rejects with the first failure after the others settle. */
async function bounded<T>(tasks: readonly (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  let failure: unknown = null;
  const worker = async () => {
    while (next < tasks.length && failure === null) {
      const i = next;
      next += 1;
      const task = tasks[i];
      if (task === undefined) continue;
      try {
        results[i] = await task();
      } catch (error) {
        failure ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  if (failure !== null) throw failure;
  return results;
}

/** Imports the file; see the module comment. */
export async function importEntries(options: ImportOptions): Promise<ImportSummary> {
  const { client, out } = options;
  const fromStdin = options.file === '-';
  const content = fromStdin
    ? await (options.readStdin ?? (() => new Response(process.stdin as unknown as ReadableStream).text()))()
    : readFileSync(options.file, 'utf8');
  const sha256 = createHash('sha256').update(content).digest('hex');
  const checkpointPath = `${options.file}.galley-import`;
  const rejectedPath = fromStdin ? 'stdin.rejected.ndjson' : `${options.file}.rejected.ndjson`;
  const lines = content.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();

  let start = 0;
  if (!fromStdin) {
    const checkpoint = readCheckpoint(checkpointPath, sha256);
    if (checkpoint !== null && !options.resume) {
      throw new ImportError(`${checkpointPath} exists (line ${checkpoint.line}): pass --resume, or delete it`);
    }
    if (checkpoint !== null) {
      start = checkpoint.line;
      out(`resuming after line ${start}`);
    }
  }
  if (start === 0) writeFileSync(rejectedPath, '');
  const attempts = options.attempts ?? 4;
  const keyPrefix = `galley-import-${sha256.slice(0, 32)}`;
  let created = 0;
  let replayed = 0;
  let rejected = 0;

  for (let from = start; from < lines.length; from += options.batchSize) {
    const batch = lines.slice(from, from + options.batchSize);
    const outcomes = await bounded(
      batch.map((text, j) => async (): Promise<Outcome | null> => {
        const lineNo = from + j + 1;
        if (text.trim().length === 0) return null;
        const problem = lineProblem(text);
        if (problem !== null) return { kind: 'rejected', problem };
        return sendLine(client, `${keyPrefix}-${lineNo}`, text, attempts);
      }),
      options.concurrency,
    );
    outcomes.forEach((outcome, j) => {
      if (outcome === null) return;
      if (outcome.kind === 'rejected') {
        rejected += 1;
        out(`line ${from + j + 1}: ${outcome.problem}`);
        appendFileSync(rejectedPath, `${batch[j]}\n`);
      } else if (outcome.kind === 'created') created += 1;
      else replayed += 1;
    });
    const settled = Math.min(lines.length, from + options.batchSize);
    if (!fromStdin) {
      const checkpoint: Checkpoint = { version: 1, sha256, line: settled, updatedAt: new Date().toISOString() };
      writeFileSync(checkpointPath, `${JSON.stringify(checkpoint)}\n`);
    }
  }
  if (!fromStdin) rmSync(checkpointPath, { force: true });
  if (rejected === 0 && start === 0) rmSync(rejectedPath, { force: true });
  return { created, replayed, rejected, lastLine: lines.length, finished: true };
}
