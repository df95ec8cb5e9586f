/** Event log and projection contract: the same cases on every backend. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Kysely, sql } from 'kysely';
import { BACKENDS, openTestStore, type TestStore } from '../../../test/support/backends.ts';
import { appendEvent, createEventLog, type EventLog } from './eventLog.ts';
import type { NewEvent, Projection, StoredEvent } from './port.ts';
import { createProjectionRunner, ProjectionRunError } from './projections.ts';

function event(tenantId: string, name = 'entry.created', data: unknown = {}): NewEvent {
  return { tenantId, name, subjectId: 'e1', actor: 'user:u1', data };
}

/** Read-model tables of the test projections. */
type ReadModel = {
  proj_seen: { projection: string; tenant_id: string; seq: number };
  proj_counts: { tenant_id: string; name: string; n: number };
};

function model(trx: Kysely<unknown>): Kysely<ReadModel> {
  return trx.withTables<ReadModel>();
}

/** Records every (tenant, seq) it applies; the primary key turns a second application into an error. */
function seenProjection(name: string, events: readonly string[], fail?: (e: StoredEvent) => boolean): Projection {
  return {
    name,
    events,
    async handle(trx, e) {
      await model(trx)
        .insertInto('proj_seen')
        .values({ projection: name, tenant_id: e.tenantId, seq: e.seq })
        .execute();
      if (fail?.(e) === true) throw new Error(`poison ${e.tenantId}/${e.seq}`);
    },
  };
}

const countsProjection: Projection = {
  name: 'counts',
  events: ['entry.created', 'entry.published'],
  async handle(trx, e) {
    await model(trx)
      .insertInto('proj_counts')
      .values({ tenant_id: e.tenantId, name: e.name, n: 1 })
      .onConflict((oc) => oc.columns(['tenant_id', 'name']).doUpdateSet({ n: sql<number>`proj_counts.n + 1` }))
      .execute();
  },
};

for (const backend of BACKENDS) {
  describe(`event log contract (${backend})`, () => {
    let t: TestStore;
    let log: EventLog;
    let db: Kysely<ReadModel>;
    before(async () => {
      t = await openTestStore(backend);
      log = createEventLog(t.store);
      db = (t.store.db as unknown as Kysely<unknown>).withTables<ReadModel>();
      await sql`create table proj_seen (projection text not null, tenant_id text not null, seq bigint not null,
        primary key (projection, tenant_id, seq))`.execute(db);
      await sql`create table proj_counts (tenant_id text not null, name text not null, n bigint not null,
        primary key (tenant_id, name))`.execute(db);
    });
    after(async () => {
      await t.cleanup();
    });

    async function seqs(tenantId: string): Promise<number[]> {
      return (await log.readTenant(tenantId, 0, 1000)).map((e) => e.seq);
    }

    async function seen(projection: string, tenantId: string): Promise<number[]> {
      const rows = await db
        .selectFrom('proj_seen')
        .select('seq')
        .where('projection', '=', projection)
        .where('tenant_id', '=', tenantId)
        .orderBy('seq')
        .execute();
      return rows.map((r) => r.seq);
    }

    test('seq is gap-free per tenant and independent across tenants; position grows', async () => {
      const a1 = await log.append(undefined, event('seq-a', 'entry.created', { title: 'Hello', tags: ['x'] }));
      const b1 = await log.append(undefined, event('seq-b'));
      const [a2, b2, a3] = await log.appendMany(undefined, [event('seq-a'), event('seq-b'), event('seq-a')]);
      assert.deepEqual(
        [a1, b1, a2, b2, a3].map((e) => [e?.tenantId, e?.seq]),
        [
          ['seq-a', 1],
          ['seq-b', 1],
          ['seq-a', 2],
          ['seq-b', 2],
          ['seq-a', 3],
        ],
      );
      const positions = [a1, b1, a2, b2, a3].map((e) => e?.position ?? 0);
      assert.deepEqual(
        [...positions].sort((x, y) => x - y),
        positions,
      );
      assert.equal(await log.latestPosition(), a3?.position);
      const [readBack] = await log.readTenant('seq-a', 0, 1);
      assert.deepEqual(readBack, a1);
      assert.deepEqual(readBack?.data, { title: 'Hello', tags: ['x'] });
      assert.match(readBack?.occurredAt ?? '', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      assert.deepEqual(
        (await log.read({ afterPosition: a1.position, tenantId: 'seq-b', limit: 10 })).map((e) => e.seq),
        [1, 2],
      );
      assert.deepEqual(
        (await log.read({ limit: 100 })).map((e) => e.position),
        positions,
      );
      assert.equal(await log.head('seq-a'), 3);
      assert.equal(await log.head('nobody'), 0);
      assert.equal((await log.heads()).get('seq-b'), 2);
    });

    test('50 concurrent appends to one tenant take seq 1..50 exactly once', async () => {
      const stored = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          t.store.db.transaction().execute(async (trx) => {
            const e = await log.append(trx as unknown as Kysely<unknown>, event('conc', 'entry.created', { i }));
            // Keep the transaction open a little past the append so appends overlap on PostgreSQL.
            await sql`select 1`.execute(trx);
            return e;
          }),
        ),
      );
      assert.deepEqual(
        stored.map((e) => e.seq).sort((x, y) => x - y),
        Array.from({ length: 50 }, (_, i) => i + 1),
      );
      assert.deepEqual(
        await seqs('conc'),
        Array.from({ length: 50 }, (_, i) => i + 1),
      );
      // Per tenant, position order is seq order.
      const events = await log.readTenant('conc', 0, 100);
      assert.deepEqual(
        events.map((e) => e.position),
        [...events.map((e) => e.position)].sort((x, y) => x - y),
      );
    });

    test('a rolled-back transaction leaves no event and no seq gap', async () => {
      await log.append(undefined, event('rb'));
      await assert.rejects(
        t.store.db.transaction().execute(async (trx) => {
          await log.appendMany(trx as unknown as Kysely<unknown>, [event('rb'), event('rb')]);
          throw new Error('abort');
        }),
        /abort/,
      );
      assert.deepEqual(await seqs('rb'), [1]);
      assert.equal(await log.head('rb'), 1);
      const next = await log.append(undefined, event('rb'));
      assert.equal(next.seq, 2);
      await assert.rejects(log.append(undefined, { ...event('rb'), name: '' }), TypeError);
      await assert.rejects(log.append(undefined, event('rb', 'entry.created', 10n)), TypeError);
      assert.deepEqual(await seqs('rb'), [1, 2]);
    });

    test('appendEvent joins a use case’s transaction, or opens its own on the plain store', async () => {
      const own = await appendEvent(t.store.db, event('ae'));
      assert.equal(own.seq, 1);
      await assert.rejects(
        t.store.db.transaction().execute(async (trx) => {
          await trx
            .insertInto('tenants')
            .values({ id: 'ae', slug: 'ae', name: 'AE', created_at: own.occurredAt })
            .execute();
          await appendEvent(trx, event('ae'));
          throw new Error('use case failed');
        }),
        /use case failed/,
      );
      assert.deepEqual(await seqs('ae'), [1]);
      assert.equal(
        await t.store.db.selectFrom('tenants').select('id').where('id', '=', 'ae').executeTakeFirst(),
        undefined,
      );
    });

    test('projections apply each event exactly once across runs; reset rebuilds the same state', async () => {
      const seenAll = seenProjection('seen-all', ['entry.created', 'entry.published', 'entry.deleted']);
      const runner = createProjectionRunner(t.store, log, [countsProjection, seenAll]);
      await runner.runOnce();
      await log.appendMany(undefined, [
        event('p1', 'entry.created'),
        event('p1', 'entry.published'),
        event('p2', 'entry.created'),
        event('p1', 'entry.deleted'),
      ]);
      const tenants = ['seq-a', 'seq-b', 'conc', 'rb', 'p1', 'p2'];
      await runner.runOnce();
      assert.equal(await runner.runOnce(), 0);
      for (const tenantId of tenants) assert.deepEqual(await seen('seen-all', tenantId), await seqs(tenantId));
      await log.append(undefined, event('p2', 'entry.published'));
      assert.equal(await runner.runOnce(), 2);
      assert.equal(await runner.runOnce(), 0);
      const counts = async () =>
        (await db.selectFrom('proj_counts').selectAll().orderBy('tenant_id').orderBy('name').execute()).map((r) => ({
          ...r,
        }));
      const before = await counts();
      assert.deepEqual(
        before.filter((r) => r.tenant_id.startsWith('p')),
        [
          { tenant_id: 'p1', name: 'entry.created', n: 1 },
          { tenant_id: 'p1', name: 'entry.published', n: 1 },
          { tenant_id: 'p2', name: 'entry.created', n: 1 },
          { tenant_id: 'p2', name: 'entry.published', n: 1 },
        ],
      );
      assert.equal(before.find((r) => r.tenant_id === 'conc')?.n, 50);
      await runner.reset('counts', async (trx) => {
        await model(trx).deleteFrom('proj_counts').execute();
      });
      assert.deepEqual(await counts(), []);
      await runner.runOnce();
      assert.deepEqual(await counts(), before);
      await assert.rejects(runner.reset('nope'), /no projection/);
    });

    test('a failing handler rolls back its writes and its checkpoint; other projections carry on', async () => {
      let poisoned = true;
      const flaky = seenProjection('flaky', ['entry.created'], (e) => poisoned && e.tenantId === 'f1' && e.seq === 3);
      const steady = seenProjection('steady', ['entry.created']);
      const runner = createProjectionRunner(t.store, log, [flaky, steady]);
      await log.appendMany(undefined, [event('f1'), event('f1'), event('f1'), event('f1'), event('f2')]);
      const error = await runner.runOnce().then(
        () => assert.fail('runOnce should reject'),
        (e: unknown) => e,
      );
      assert.ok(error instanceof ProjectionRunError);
      assert.deepEqual(
        error.failures.map((f) => [f.projection, f.tenantId]),
        [['flaky', 'f1']],
      );
      // The batch holding f1/3 rolled back entirely: none of f1's events are recorded, f2's are.
      assert.deepEqual(await seen('flaky', 'f1'), []);
      assert.deepEqual(await seen('flaky', 'f2'), [1]);
      assert.deepEqual(await seen('steady', 'f1'), [1, 2, 3, 4]);
      poisoned = false;
      assert.equal(await runner.runOnce(), 4);
      assert.deepEqual(await seen('flaky', 'f1'), [1, 2, 3, 4]);
      assert.equal(await runner.runOnce(), 0);
    });

    if (backend === 'distributed') {
      test('PostgreSQL: a late commit is never skipped, and one tenant’s appends queue behind each other', async () => {
        const seenLate = seenProjection('late', ['entry.created']);
        const runner = createProjectionRunner(t.store, log, [seenLate]);
        await runner.runOnce();
        let release: () => void = () => {};
        const gate = new Promise<void>((resolve) => {
          release = resolve;
        });
        let firstAppended: () => void = () => {};
        const appended = new Promise<void>((resolve) => {
          firstAppended = resolve;
        });
        // T1 appends to tenant L and stays open; its position is allocated first.
        const slow = t.store.db.transaction().execute(async (trx) => {
          const e = await log.append(trx as unknown as Kysely<unknown>, event('late-l'));
          firstAppended();
          await gate;
          return e;
        });
        await appended;
        try {
          // T2 (tenant L) must wait for T1's counter lock; T3 (tenant M) commits with a higher position.
          let queuedSettled = false;
          const queued = log.append(undefined, event('late-l')).finally(() => {
            queuedSettled = true;
          });
          const other = await log.append(undefined, event('late-m'));
          await runner.runOnce();
          assert.deepEqual(await seen('late', 'late-m'), [1]);
          assert.deepEqual(await seen('late', 'late-l'), []);
          assert.equal(queuedSettled, false, 'the second append of tenant L waits for the first to commit');
          release();
          const first = await slow;
          const second = await queued;
          assert.ok(first.position < other.position, 'T1 allocated its position before T3');
          assert.deepEqual([first.seq, second.seq], [1, 2]);
        } finally {
          release();
          await slow.catch(() => undefined);
        }
        await runner.runOnce();
        assert.deepEqual(await seen('late', 'late-l'), [1, 2]);
      });
    }
  });
}
