/**
 * Runs work in a transaction, joining the caller's when there is one. Use cases take a `Kysely` that may be the
 * store or a transaction, so a seeder or a command can compose several use cases atomically while each use case
 * still writes its rows and its event together when called alone.
 */
import type { Kysely, Transaction } from 'kysely';

/** Runs `fn` inside `db` when it is already a transaction, else inside a new one. */
export async function inTransaction<DB, T>(db: Kysely<DB>, fn: (trx: Kysely<DB>) => Promise<T>): Promise<T> {
  if (db.isTransaction) return fn(db);
  return db.transaction().execute((trx: Transaction<DB>) => fn(trx));
}
