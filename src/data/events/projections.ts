/**
 * Runs projections over the event log. Each projection keeps one checkpoint per tenant in
 * `projection_checkpoints` (the last seq applied) and is fed that tenant's events in seq order — never by global
 * position, which can skip a late commit on PostgreSQL (see eventLog.ts). A batch of one tenant's events, the
 * projection's writes for them and the checkpoint move commit in one transaction, so each event is applied
 * exactly once per projection: a handler that throws rolls back its writes and the checkpoint together.
 *
 * Several runners may share a database (worker processes): a batch locks its checkpoint row (FOR UPDATE on
 * PostgreSQL; SQLite allows one writer at a time), and re-reads it inside the lock, so two runners never apply
 * the same events. `reset` takes an exclusive per-projection advisory lock that batches share, so a rebuild never
 * interleaves with a batch in flight.
 */
import { type Kysely, sql } from 'kysely';
import type { Store } from '../store/port.ts';
import type { EventLog } from './eventLog.ts';
import type { Projection } from './port.ts';
import { type EventTables, eventDb, untyped } from './tables.ts';

/** Events per transaction. */
const BATCH = 200;

/** One projection that could not catch up with one tenant. */
export interface ProjectionFailure {
  readonly projection: string;
  readonly tenantId: string;
  readonly cause: unknown;
}

/** Raised by runOnce after it has run everything it could, when some projection failed for some tenant. */
export class ProjectionRunError extends Error {
  /** What failed; the failing batches were rolled back. */
  readonly failures: readonly ProjectionFailure[];
  /** Events applied (and committed) by the rest of the run. */
  readonly applied: number;
  constructor(failures: readonly ProjectionFailure[], applied: number) {
    super(
      `${failures.length} projection batch(es) failed: ${failures.map((f) => `${f.projection}/${f.tenantId}`).join(', ')}`,
    );
    this.name = 'ProjectionRunError';
    this.failures = failures;
    this.applied = applied;
  }
}

/** Drives a set of projections. */
export interface ProjectionRunner {
  /**
   * Applies every pending event to every projection. Resolves with the number of handler calls committed; when a
   * handler throws, that projection stops for that tenant (its batch rolled back), the others carry on, and the
   * call rejects with ProjectionRunError at the end.
   */
  runOnce(): Promise<number>;
  /**
   * Moves a projection's checkpoints back to zero so the next runOnce rebuilds it. `clear` (e.g. deleting the
   * read model's rows) runs in the same transaction, so no run can see a cleared model with old checkpoints.
   */
  reset(name: string, clear?: (trx: Kysely<unknown>) => Promise<void>): Promise<void>;
}

/** A runner for `projections` over `log` (migration 0002 must have run). */
export function createProjectionRunner(
  store: Store,
  log: EventLog,
  projections: readonly Projection[],
): ProjectionRunner {
  const byName = new Map<string, Projection>();
  for (const p of projections) {
    if (byName.has(p.name)) throw new Error(`projection "${p.name}" is registered twice`);
    byName.set(p.name, p);
  }
  const db = eventDb(store.db);

  /** On PostgreSQL: batches of a projection share its lock; reset takes it exclusively. */
  async function projectionLock(trx: Kysely<EventTables>, name: string, exclusive: boolean): Promise<void> {
    if (store.dialect !== 'postgres') return;
    const key = sql`hashtextextended(${`galley.projection:${name}`}, 0)`;
    if (exclusive) await sql`select pg_advisory_xact_lock(${key})`.execute(trx);
    else await sql`select pg_advisory_xact_lock_shared(${key})`.execute(trx);
  }

  /** Locks and returns the checkpoint of (projection, tenant), creating it at 0. */
  async function lockCheckpoint(trx: Kysely<EventTables>, name: string, tenantId: string): Promise<number> {
    await trx
      .insertInto('projection_checkpoints')
      .values({ name, tenant_id: tenantId, seq: 0, updated_at: new Date().toISOString() })
      .onConflict((oc) => oc.columns(['name', 'tenant_id']).doNothing())
      .execute();
    let query = trx
      .selectFrom('projection_checkpoints')
      .select('seq')
      .where('name', '=', name)
      .where('tenant_id', '=', tenantId);
    if (store.dialect === 'postgres') query = query.forUpdate();
    return (await query.executeTakeFirstOrThrow()).seq;
  }

  /** Applies one batch; resolves with the handler calls made and whether more events may be pending. */
  async function applyBatch(p: Projection, tenantId: string): Promise<{ handled: number; more: boolean }> {
    return db.transaction().execute(async (trx) => {
      const handle = untyped(trx);
      await projectionLock(trx, p.name, false);
      const from = await lockCheckpoint(trx, p.name, tenantId);
      const head = await log.head(tenantId, handle);
      if (head <= from) return { handled: 0, more: false };
      const events = await log.readTenant(tenantId, from, BATCH, { trx: handle, names: p.events, throughSeq: head });
      for (const event of events) await p.handle(handle, event);
      const last = events[events.length - 1];
      // A short batch means every event through head was read (those of other names are skipped untouched).
      const full = events.length === BATCH && last !== undefined;
      await trx
        .updateTable('projection_checkpoints')
        .set({ seq: full ? last.seq : head, updated_at: new Date().toISOString() })
        .where('name', '=', p.name)
        .where('tenant_id', '=', tenantId)
        .execute();
      return { handled: events.length, more: full };
    });
  }

  async function checkpoints(name: string): Promise<Map<string, number>> {
    const rows = await db
      .selectFrom('projection_checkpoints')
      .select(['tenant_id', 'seq'])
      .where('name', '=', name)
      .execute();
    return new Map(rows.map((r) => [r.tenant_id, r.seq]));
  }

  return {
    async runOnce() {
      let applied = 0;
      const failures: ProjectionFailure[] = [];
      const heads = await log.heads();
      for (const p of byName.values()) {
        const done = await checkpoints(p.name);
        for (const [tenantId, head] of heads) {
          if ((done.get(tenantId) ?? 0) >= head) continue;
          try {
            for (let more = true; more; ) {
              const batch = await applyBatch(p, tenantId);
              applied += batch.handled;
              more = batch.more;
            }
          } catch (cause) {
            failures.push({ projection: p.name, tenantId, cause });
          }
        }
      }
      if (failures.length > 0) throw new ProjectionRunError(failures, applied);
      return applied;
    },

    async reset(name, clear) {
      if (!byName.has(name)) throw new Error(`no projection named "${name}"`);
      await db.transaction().execute(async (trx) => {
        await projectionLock(trx, name, true);
        await trx.deleteFrom('projection_checkpoints').where('name', '=', name).execute();
        await clear?.(untyped(trx));
      });
    },
  };
}
