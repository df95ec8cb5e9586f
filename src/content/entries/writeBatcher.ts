/**
 * Group commit for entry writes on SQLite. A write transaction there costs mostly its COMMIT: every page it touched
 * (entry row and its indexes, revision, event, tags, stats, search row and FTS segment — some forty pages for an
 * autosave) goes to the WAL again, and checkpoints copy them once more, about 1–1.5 ms per write here. Writes that
 * arrive together therefore share one transaction: each runs in a savepoint of its own (a failing write rolls back
 * alone and rejects alone), pages touched by several writes are written once, and every promise resolves only after
 * the shared COMMIT, so an acknowledged write is durable.
 *
 * SQLite runs one writer at a time anyway, so nothing is lost by running the batch's writes one after another. On
 * PostgreSQL each write keeps its own transaction (the pool runs them concurrently).
 */
import { type Kysely, sql } from 'kysely';
import type { Store } from '../../data/store/port.ts';
import type { Database } from '../../data/store/schema.ts';

/** Writes per shared transaction at most (bounds how long one COMMIT makes the others wait). */
const MAX_BATCH = 64;

interface Pending {
  readonly fn: (trx: Kysely<Database>) => Promise<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

type Settled = { ok: true; value: unknown } | { ok: false; error: unknown };

/** Runs writes in shared transactions (see the module comment). */
export class WriteBatcher {
  readonly #db: Kysely<Database>;
  #queue: Pending[] = [];
  #running = false;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  /** Runs `fn` inside a shared transaction; resolves with its result after the COMMIT. */
  run<T>(fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ fn, resolve: resolve as (value: unknown) => void, reject });
      if (!this.#running) {
        this.#running = true;
        // Let the writes of this event-loop turn join the first batch.
        setImmediate(() => void this.#drain());
      }
    });
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, MAX_BATCH);
      let settled: Settled[];
      try {
        settled = await this.#db.transaction().execute(async (trx) => {
          const out: Settled[] = [];
          for (const job of batch) out.push(await runInSavepoint(trx, job.fn));
          return out;
        });
      } catch (error) {
        // The shared transaction failed (BEGIN, COMMIT or a savepoint statement): nothing of it committed.
        for (const job of batch) job.reject(error);
        continue;
      }
      batch.forEach((job, i) => {
        const outcome = settled[i];
        if (outcome?.ok === true) job.resolve(outcome.value);
        else job.reject(outcome?.error);
      });
    }
    this.#running = false;
  }
}

async function runInSavepoint(
  trx: Kysely<Database>,
  fn: (trx: Kysely<Database>) => Promise<unknown>,
): Promise<Settled> {
  await sql`savepoint galley_batched_write`.execute(trx);
  try {
    const value = await fn(trx);
    await sql`release savepoint galley_batched_write`.execute(trx);
    return { ok: true, value };
  } catch (error) {
    await sql`rollback to savepoint galley_batched_write`.execute(trx);
    await sql`release savepoint galley_batched_write`.execute(trx);
    return { ok: false, error };
  }
}

const batchers = new WeakMap<Store, WriteBatcher>();

/** The store's batcher (one per store, shared by every entry use case). */
export function writeBatcherOf(store: Store): WriteBatcher {
  let batcher = batchers.get(store);
  if (batcher === undefined) {
    batcher = new WriteBatcher(store.db);
    batchers.set(store, batcher);
  }
  return batcher;
}
