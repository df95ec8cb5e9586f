/**
 * Group commit for the embedded kv's writes. A SQLite write costs mostly its commit, so writes that arrive
 * while an earlier one is executing are run together in one transaction: throughput under concurrency (budget
 * reservations, rate-limit counters) rises several-fold while a lone write still commits on its own, with no
 * added wait.
 *
 * Each write's promise settles only after the commit that holds it, so a resolved write is as durable as an
 * unbatched one. A write whose own statement fails or whose logic throws fails alone (SQLite rolls back just
 * that statement); if the transaction itself cannot commit, every write in it fails.
 */
import type { Kysely } from 'kysely';

/** Runs one write's statements on the given executor (the store, or the batch's transaction). */
export type BatchedWrite<DB, T> = (executor: Kysely<DB>) => Promise<T>;

interface Pending<DB> {
  readonly write: BatchedWrite<DB, unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

type Outcome = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };

/** Serializes writes on one database, committing those that queue up behind each other together. */
export class WriteBatcher<DB> {
  readonly #db: Kysely<DB>;
  #queue: Pending<DB>[] = [];
  #draining = false;

  constructor(db: Kysely<DB>) {
    this.#db = db;
  }

  /** Queues a write; resolves with its result once it is committed. */
  submit<T>(write: BatchedWrite<DB, T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ write, resolve: (value) => resolve(value as T), reject });
      if (!this.#draining) void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#draining = true;
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue;
        this.#queue = [];
        await this.#runBatch(batch);
      }
    } finally {
      this.#draining = false;
    }
  }

  async #runBatch(batch: readonly Pending<DB>[]): Promise<void> {
    const [only] = batch;
    if (batch.length === 1 && only !== undefined) {
      await settle(only.write, this.#db).then((outcome) => report(only, outcome));
      return;
    }
    let outcomes: Outcome[];
    try {
      outcomes = await this.#db.transaction().execute(async (trx) => {
        const results: Outcome[] = [];
        for (const pending of batch) results.push(await settle(pending.write, trx));
        return results;
      });
    } catch (error) {
      for (const pending of batch) pending.reject(error);
      return;
    }
    batch.forEach((pending, i) => {
      const outcome = outcomes[i];
      if (outcome !== undefined) report(pending, outcome);
    });
  }
}

async function settle<DB>(write: BatchedWrite<DB, unknown>, executor: Kysely<DB>): Promise<Outcome> {
  try {
    return { ok: true, value: await write(executor) };
  } catch (error) {
    return { ok: false, error };
  }
}

function report<DB>(pending: Pending<DB>, outcome: Outcome): void {
  if (outcome.ok) pending.resolve(outcome.value);
  else pending.reject(outcome.error);
}
