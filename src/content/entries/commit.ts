/**
 * The write step every entry use case ends with: one transaction that appends the event and applies the inline
 * projections (read models, then the search indexes) with the same handlers the rebuild uses.
 *
 * The caller has already read the entry (outside the transaction, on the read connection) and decided the event;
 * the transaction only writes. A write that committed in between is caught by the projection's versioned UPDATE
 * (ProjectionConflict) and reported as GALLEY_ENTRY_VERSION_CONFLICT, and a slug taken in between by the unique
 * index, reported as GALLEY_ENTRY_SLUG_TAKEN.
 *
 * Lock order on PostgreSQL (no two writers can wait for each other in a cycle): the entry row (versioned UPDATE),
 * then the tenant's statistics rows (one upsert, rows in key order), then the tenant's event sequence row (the
 * append, last, so the lock every writer of the tenant queues on is held only for the append and the COMMIT).
 * The projection takes its times from the event data (`at`), never from the append, so the order does not change
 * what a replay produces.
 */
import { type Kysely, sql } from 'kysely';
import { appendEvent } from '../../data/events/eventLog.ts';
import { untyped } from '../../data/events/tables.ts';
import type { Store } from '../../data/store/port.ts';
import type { Database } from '../../data/store/schema.ts';
import { inTransaction } from '../../data/store/transaction.ts';
import { GalleyError } from '../../experience/errors/errors.ts';
import { applyEntryEvent, ProjectionConflict } from '../projections/entryProjection.ts';
import { applyPublishedSearch, applySearch, searchIn } from '../projections/searchProjection.ts';
import type { ContentType } from '../types/types.ts';
import { entryReads } from './reads.ts';
import type { EntryRow } from './rows.ts';
import { type EntryEventDataMap, type EntryEventName, entryEtag } from './types.ts';
import { writeBatcherOf } from './writeBatcher.ts';

/** Input of commitEntryEvent. */
export interface CommitProps<N extends EntryEventName> {
  /** The store. */
  readonly store: Store;
  /** A transaction to join, if any. */
  readonly db?: Kysely<Database>;
  readonly tenantId: string;
  readonly name: N;
  readonly data: EntryEventDataMap[N];
  /** The row the event follows (null for entry.created). */
  readonly prior: EntryRow | null;
  /** The entry's content type, for the search document. */
  readonly type: ContentType | undefined;
  /** JSON pointer of the type's slug field, for a slug conflict error. */
  readonly slugField?: string;
}

/** GALLEY_ENTRY_VERSION_CONFLICT for entry `id` currently at `current` (in the problem extensions). */
export function versionConflict(id: string, current: number): GalleyError {
  return new GalleyError('GALLEY_ENTRY_VERSION_CONFLICT', `entry ${id} is at version ${current}`, {
    extensions: { currentVersion: current, currentEtag: entryEtag({ id, version: current }) },
  });
}

/** True for a unique violation of the live-slug index, on either dialect. */
function isSlugViolation(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const pg = error as Error & { code?: string; constraint?: string };
  if (pg.code === '23505') return pg.constraint === 'entries_slug_key';
  return /UNIQUE constraint failed: entries\.tenant_id, entries\.slug/.test(error.message);
}

/** GALLEY_ENTRY_SLUG_TAKEN naming the slug field. */
export function slugTaken(slug: string, field = '/fields/slug'): GalleyError {
  return new GalleyError('GALLEY_ENTRY_SLUG_TAKEN', `slug "${slug}" is used by another entry of this type`, {
    errors: [{ field, message: 'is already used by another entry of this type' }],
  });
}

/**
 * Runs `fn` in its own transaction (on SQLite, a share of a group-committed one: writeBatcher.ts), or inside the
 * caller's behind a savepoint: a write that fails half-way (a conflict found by the versioned UPDATE, a slug taken)
 * leaves the caller's transaction as it was and usable, so a batch can report the failure and carry on.
 */
async function atomically<T>(
  store: Store,
  db: Kysely<Database>,
  fn: (trx: Kysely<Database>) => Promise<T>,
): Promise<T> {
  if (!db.isTransaction) {
    return store.dialect === 'sqlite' ? writeBatcherOf(store).run(fn) : inTransaction(db, fn);
  }
  await sql`savepoint galley_entry_write`.execute(db);
  try {
    const result = await fn(db);
    await sql`release savepoint galley_entry_write`.execute(db);
    return result;
  } catch (error) {
    await sql`rollback to savepoint galley_entry_write`.execute(db);
    await sql`release savepoint galley_entry_write`.execute(db);
    throw error;
  }
}

/** Appends the event and applies the projections in one transaction; resolves with the entry row after it. */
export async function commitEntryEvent<N extends EntryEventName>(props: CommitProps<N>): Promise<EntryRow> {
  try {
    return await atomically(props.store, props.db ?? props.store.db, async (trx) => {
      const event = {
        tenantId: props.tenantId,
        name: props.name,
        subjectId: props.data.entry,
        actor: props.data.actor,
        data: props.data,
      };
      const row = await applyEntryEvent(untyped(trx), event, props.prior);
      await applySearch(searchIn(props.store, trx), row, props.type);
      await applyPublishedSearch(() => searchIn(props.store, trx, 'published'), props.name, row, props.type);
      // Last: on PostgreSQL the append holds the tenant's sequence lock until COMMIT, so it should be short.
      await appendEvent(trx, event);
      return row;
    });
  } catch (error) {
    if (error instanceof ProjectionConflict) {
      const current = await entryReads(props.store, props.db).byId(props.tenantId, error.entryId);
      if (current === undefined) throw new GalleyError('GALLEY_NOT_FOUND', `entry ${error.entryId} not found`);
      throw versionConflict(error.entryId, current.version);
    }
    if (isSlugViolation(error)) {
      const slug = 'slug' in props.data && typeof props.data.slug === 'string' ? props.data.slug : '';
      throw slugTaken(slug, props.slugField);
    }
    throw error;
  }
}
