/**
 * The flag service on every backend: built-in defaults, targeting through OpenFeature, propagation to a second
 * service (< 1 s, measured), the store poll as safety net, validation, audit and optimistic concurrency.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { OpenFeature } from '@openfeature/server-sdk';
import { buildTenant } from '../../../test/factories.ts';
import { BACKENDS, openTestStore, TEST_REDIS_URL, type TestStore, uniqueName } from '../../../test/support/backends.ts';
import { eventually } from '../../../test/support/eventually.ts';
import { deleteRedisKeys } from '../../../test/support/redisKeys.ts';
import { type Config, loadConfig } from '../../config/config.ts';
import type { Kv } from '../../data/kv/port.ts';
import { createRedisKv } from '../../data/kv/redis/redisKv.ts';
import { createSqliteKv } from '../../data/kv/sqlite/sqliteKv.ts';
import type { TenantsTable } from '../../data/store/schema.ts';
import { isGalleyError } from '../../experience/errors/errors.ts';
import { TASK_NAMES } from '../tasks.ts';
import { flagHistory } from './flagQueries.ts';
import { type FlagService, openFlagService } from './flagService.ts';
import { setFlag } from './flagSetter.ts';
import { FLAGS_VERSION_KEY, readAnnouncedFlagVersion } from './flagVersionKv.ts';

const DEFAULT_MODEL = 'test-default-model';
const config: Config = loadConfig({}, { logLevel: 'silent', aiDefaultModel: DEFAULT_MODEL });
const BASE = { mode: 'on', label: 'production', model: 'm-main', fallbackModel: 'galley-local-1' } as const;
const caller = (tenantId: string, role = 'editor', userId = 'user-1') => ({ tenantId, role, userId });

for (const backend of BACKENDS) {
  describe(`flag service (${backend})`, () => {
    let t: TestStore;
    let other: TestStore;
    let prefix: string;
    let tenantA: TenantsTable;
    let tenantB: TenantsTable;
    const kvs: Kv[] = [];
    const services: FlagService[] = [];

    /** A kv on the test's namespace (a new Redis connection each time on distributed). */
    const openKv = (on: TestStore = t, namespace = prefix): Kv => {
      const kv =
        backend === 'embedded' ? createSqliteKv(on.store) : createRedisKv({ url: TEST_REDIS_URL, prefix: namespace });
      kvs.push(kv);
      return kv;
    };
    const open = async (pollIntervalMs = 60_000, on: TestStore = t): Promise<FlagService> => {
      const service = await openFlagService({ store: on.store, kv: openKv(on), config, pollIntervalMs });
      services.push(service);
      return service;
    };

    before(async () => {
      t = await openTestStore(backend);
      other = await openTestStore(backend);
      prefix = uniqueName('flags');
      tenantA = await buildTenant(t.store.db);
      tenantB = await buildTenant(t.store.db);
    });
    after(async () => {
      for (const service of services) await service.close();
      for (const kv of kvs) await kv.close();
      await t.cleanup();
      await other.cleanup();
      if (backend === 'distributed') await deleteRedisKeys(`${prefix}*`);
    });

    test('every task has its built-in flag until it is set', async () => {
      const service = await open();
      assert.equal(service.snapshotVersion(), 0);
      for (const task of TASK_NAMES) {
        const evaluation = await service.evaluateAiTask(task, caller(tenantA.id));
        assert.deepEqual(evaluation, {
          value: {
            mode: 'on',
            label: 'production',
            model: DEFAULT_MODEL,
            fallbackModel: 'galley-local-1',
            candidateLabel: 'candidate',
            shadowSampleRate: 0.1,
          },
          variant: 'default',
          reason: 'STATIC',
          snapshotVersion: 0,
        });
        assert.ok(Object.isFrozen(evaluation.value));
      }
      const listed = await service.listFlags();
      assert.deepEqual(
        listed.map((f) => [f.key, f.builtIn, f.version]),
        TASK_NAMES.map((task) => [`ai.${task}`, true, 0]),
      );
    });

    test('targeting by tenant, role and sticky percentage, through OpenFeature', async () => {
      const service = await open();
      const result = await service.setFlag(
        {
          key: 'ai.titles',
          default: BASE,
          rules: [
            { id: 'tenant-b-off', tenants: [tenantB.id], value: { mode: 'off' } },
            {
              id: 'owners-shadow',
              roles: ['owner'],
              value: { mode: 'shadow', candidateLabel: 'v2', shadowSampleRate: 1 },
            },
            { id: 'half', percentage: 50, value: { model: 'm-new' } },
          ],
        },
        'user:admin',
      );
      assert.ok(result.changed && result.announced);
      assert.equal(service.snapshotVersion(), result.record.version, 'the writer sees its own change at once');
      const a = await service.evaluateAiTask('titles', caller(tenantB.id, 'owner'));
      assert.deepEqual(
        [a.variant, a.reason, a.value.mode, a.snapshotVersion],
        ['tenant-b-off', 'TARGETING_MATCH', 'off', result.record.version],
      );
      const owner = await service.evaluateAiTask('titles', caller(tenantA.id, 'owner'));
      assert.deepEqual(
        [owner.variant, owner.value.mode, owner.value.candidateLabel, owner.value.shadowSampleRate],
        ['owners-shadow', 'shadow', 'v2', 1],
      );
      const variants = new Map<string, string>();
      for (let i = 0; i < 400; i += 1) {
        const userId = `user-${i}`;
        const first = await service.evaluateAiTask('titles', caller(tenantA.id, 'editor', userId));
        const again = await service.evaluateAiTask('titles', caller(tenantA.id, 'viewer', userId));
        assert.equal(first.variant, again.variant, 'a user keeps their percentage bucket');
        assert.equal(first.value.model, first.variant === 'half' ? 'm-new' : 'm-main');
        variants.set(userId, first.variant);
      }
      const inHalf = [...variants.values()].filter((v) => v === 'half').length;
      assert.ok(inHalf > 140 && inHalf < 260, `50 % of 400 users took ${inHalf}`);
      const summary = await service.evaluateAiTask('summary', caller(tenantB.id, 'owner'));
      assert.equal(summary.reason, 'STATIC', 'other tasks keep their built-in flag');
    });

    test('a change through one service reaches a second one in under a second', async () => {
      const writer = await open();
      // The reader's poll is far off: only the kv message can bring the change in time.
      const reader = await open(60_000);
      assert.notEqual(OpenFeature.getProvider(writer.domain), OpenFeature.getProvider(reader.domain));
      assert.equal((await reader.evaluateAiTask('seo', caller(tenantA.id))).value.mode, 'on');
      const started = performance.now();
      const { record } = await writer.setFlag(
        { key: 'ai.seo', default: { ...BASE, mode: 'off' }, rules: [] },
        'system',
      );
      let seenAt = 0;
      await eventually(async () => {
        const evaluation = await reader.evaluateAiTask('seo', caller(tenantA.id));
        if (evaluation.value.mode !== 'off') return false;
        seenAt = performance.now();
        assert.equal(evaluation.snapshotVersion, record.version);
        return true;
      }, 5000);
      const elapsed = seenAt - started;
      console.log(`# ${backend}: change visible in the second service after ${elapsed.toFixed(1)} ms`);
      assert.ok(elapsed < 1000, `propagation took ${elapsed.toFixed(0)} ms`);
      assert.equal(await readAnnouncedFlagVersion(openKv()), record.version);
    });

    test('the store poll catches a change whose announcement was lost, and repairs flags:version', async () => {
      const service = await open(100);
      // Announced into another kv namespace: like a Redis that dropped the message, or an embedded CLI process.
      const elsewhere = backend === 'embedded' ? openKv(other) : openKv(t, uniqueName('elsewhere'));
      const { record } = await setFlag({
        db: t.store.db,
        kv: elsewhere,
        definition: { key: 'ai.pii', default: { ...BASE, label: 'v7' }, rules: [] },
        actor: 'system',
        defaultModel: DEFAULT_MODEL,
      });
      await eventually(
        async () => (await service.evaluateAiTask('pii', caller(tenantA.id))).value.label === 'v7',
        5000,
      );
      const kv = openKv();
      await eventually(async () => (await readAnnouncedFlagVersion(kv)) === record.version, 5000);
      // A kv that lost the key (Redis restart) gets it back from the store.
      await kv.delete(FLAGS_VERSION_KEY);
      await eventually(async () => (await readAnnouncedFlagVersion(kv)) === record.version, 5000);
    });

    test('services on different stores keep their own snapshots (one OpenFeature domain each)', async () => {
      const here = await open();
      const there = await open(60_000, other);
      await here.setFlag({ key: 'ai.related', default: { ...BASE, mode: 'off' }, rules: [] }, 'system');
      assert.equal((await here.evaluateAiTask('related', caller(tenantA.id))).value.mode, 'off');
      assert.equal((await there.evaluateAiTask('related', caller(tenantA.id))).reason, 'STATIC');
    });

    test('invalid definitions are refused and change nothing', async () => {
      const service = await open();
      const before = service.snapshotVersion();
      const invalid: unknown[] = [
        { key: 'ai.summary', default: { ...BASE, mode: 'sometimes' }, rules: [] },
        { key: 'ai.nothing', default: BASE, rules: [] },
        { key: 'ai.summary', default: BASE, rules: [{ id: 'r', percentage: 150, value: { mode: 'off' } }] },
        { key: 'ai.summary', default: BASE, rules: [{ id: 'r', roles: ['superuser'], value: { mode: 'off' } }] },
      ];
      for (const definition of invalid) {
        await assert.rejects(service.setFlag(definition, 'system'), (e: unknown) =>
          isGalleyError(e, 'GALLEY_VALIDATION_FAILED'),
        );
      }
      assert.equal(service.snapshotVersion(), before);
      assert.equal((await service.getFlag('ai.summary')).builtIn, true);
      await assert.rejects(service.getFlag('ai.nothing'), (e: unknown) => isGalleyError(e, 'GALLEY_NOT_FOUND'));
    });

    test('every change is audited; an unchanged definition writes nothing; a stale expectedVersion conflicts', async () => {
      const service = await open();
      const first = await service.setFlag({ key: 'ai.tags', default: BASE, rules: [] }, 'user:alice');
      const second = await service.setFlag(
        { key: 'ai.tags', default: BASE, rules: [{ id: 'b', tenants: [tenantB.id], value: { mode: 'off' } }] },
        'user:bob',
        { expectedVersion: first.record.version },
      );
      const again = await service.setFlag(second.record.definition, 'user:carol');
      assert.deepEqual([again.changed, again.record.version], [false, second.record.version]);
      await assert.rejects(
        service.setFlag({ key: 'ai.tags', default: { ...BASE, mode: 'off' }, rules: [] }, 'user:dave', {
          expectedVersion: first.record.version,
        }),
        (e: unknown) => isGalleyError(e, 'GALLEY_CONFLICT'),
      );
      const history = await service.history('ai.tags');
      assert.deepEqual(
        history.map((h) => [h.version, h.actor]),
        [
          [second.record.version, 'user:bob'],
          [first.record.version, 'user:alice'],
        ],
      );
      assert.equal(history[1]?.from, null);
      assert.deepEqual(history[1]?.to, first.record.definition);
      assert.deepEqual(history[0]?.from, first.record.definition);
      assert.deepEqual(history[0]?.to, second.record.definition);
      assert.deepEqual(await flagHistory(t.store.db, 'ai.tags', 1), history.slice(0, 1));
      const stored = await service.getFlag('ai.tags');
      assert.deepEqual([stored.version, stored.updatedBy, stored.builtIn], [second.record.version, 'user:bob', false]);
    });

    test('concurrent changes get distinct, gap-free versions', async () => {
      const service = await open();
      const start = service.snapshotVersion();
      const results = await Promise.all(
        TASK_NAMES.map((task, i) =>
          service.setFlag({ key: `ai.${task}`, default: { ...BASE, label: `c${i}` }, rules: [] }, 'system'),
        ),
      );
      const versions = results.map((r) => r.record.version).sort((x, y) => x - y);
      assert.deepEqual(
        versions,
        TASK_NAMES.map((_, i) => start + i + 1),
      );
      assert.equal(service.snapshotVersion(), start + TASK_NAMES.length);
    });
  });
}
