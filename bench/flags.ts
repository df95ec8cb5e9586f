/**
 * `npm run bench:flags`: AI task flag figures.
 *
 * - evaluation throughput in one process (closed loop, so ops/s): through the OpenFeature client
 *   (FlagService.evaluateAiTask) and, for comparison, the bare snapshot walk (resolveFlag), for a flag never set
 *   and for a flag with 10 rules whose last is a percentage rule (the worst case: every rule tried, one SHA-256);
 * - propagation: time from the start of a change through one service until a second service (own kv connection,
 *   store poll disabled) evaluates the new value, over 30 changes, per backend.
 *
 * Usage: node bench/flags.ts [--backends embedded,distributed] [--seconds 2]
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config/config.ts';
import type { Kv } from '../src/data/kv/port.ts';
import { createRedisKv } from '../src/data/kv/redis/redisKv.ts';
import { createSqliteKv } from '../src/data/kv/sqlite/sqliteKv.ts';
import type { Store } from '../src/data/store/port.ts';
import { type FlagService, openFlagService } from '../src/intelligence/flags/flagService.ts';
import { resolveFlag } from '../src/intelligence/flags/snapshot.ts';
import { loadFlagSnapshot } from '../src/intelligence/flags/snapshotSync.ts';
import { type Backend, openTestStore, TEST_REDIS_URL, uniqueName } from '../test/support/backends.ts';
import { deleteRedisKeys } from '../test/support/redisKeys.ts';
import { machine } from './lib/openLoop.ts';

const { values } = parseArgs({
  options: { backends: { type: 'string', default: 'embedded,distributed' }, seconds: { type: 'string', default: '2' } },
});
const seconds = Number(values.seconds);
const backends = values.backends.split(',') as Backend[];
const config = loadConfig({}, { logLevel: 'silent' });
const BASE = { mode: 'on', label: 'production', model: 'm-main', fallbackModel: 'galley-local-1' } as const;

/** Ten rules no caller below matches except, for some users, the last (a percentage rule). */
const TEN_RULES = [
  ...Array.from({ length: 9 }, (_, i) => ({ id: `t${i}`, tenants: [`tenant-${i}`], value: { mode: 'off' } })),
  { id: 'rollout', roles: ['editor'], percentage: 50, value: { model: 'm-new' } },
];

async function rate(name: string, op: (i: number) => Promise<unknown> | unknown): Promise<void> {
  for (let i = 0; i < 20_000; i += 1) await op(i); // warm-up (JIT)
  const until = performance.now() + seconds * 1000;
  let n = 0;
  while (performance.now() < until) {
    for (let j = 0; j < 1000; j += 1) await op(n + j);
    n += 1000;
  }
  const perSecond = n / seconds;
  console.log(
    `${name}: ${Math.round(perSecond).toLocaleString('en')} evaluations/s (${(1e6 / perSecond).toFixed(2)} µs each)`,
  );
}

async function throughputFigures(store: Store, service: FlagService): Promise<void> {
  await service.setFlag({ key: 'ai.titles', default: BASE, rules: TEN_RULES }, 'system');
  const caller = (i: number) => ({ tenantId: 'tenant-x', role: 'editor', userId: `user-${i % 10_000}` });
  await rate('OpenFeature client, flag never set (ai.summary)', (i) => service.evaluateAiTask('summary', caller(i)));
  await rate('OpenFeature client, 10 rules, percentage last (ai.titles)', (i) =>
    service.evaluateAiTask('titles', caller(i)),
  );
  const snapshot = await loadFlagSnapshot(store.db, config.aiDefaultModel);
  await rate('bare snapshot walk, flag never set', (i) => resolveFlag(snapshot, 'ai.summary', caller(i)));
  await rate('bare snapshot walk, 10 rules, percentage last', (i) => resolveFlag(snapshot, 'ai.titles', caller(i)));
}

async function propagation(backend: Backend, store: Store, kvFor: () => Kv): Promise<void> {
  const writer = await openFlagService({ store, kv: kvFor(), config, pollIntervalMs: 600_000 });
  const reader = await openFlagService({ store, kv: kvFor(), config, pollIntervalMs: 600_000 });
  const samples: number[] = [];
  for (let i = 0; i < 30; i += 1) {
    const label = `v${i}`;
    const started = performance.now();
    await writer.setFlag({ key: 'ai.seo', default: { ...BASE, label }, rules: [] }, 'system');
    while ((await reader.evaluateAiTask('seo', { tenantId: 't', role: 'editor', userId: 'u' })).value.label !== label) {
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  const at = (q: number) => (samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] ?? 0).toFixed(1);
  console.log(`${backend} propagation over 30 changes: p50 ${at(0.5)} ms, p95 ${at(0.95)} ms, max ${at(1)} ms`);
  await writer.close();
  await reader.close();
}

console.log(JSON.stringify(machine()));
for (const backend of backends) {
  const t = await openTestStore(backend);
  const prefix = uniqueName('benchflags');
  const kvs: Kv[] = [];
  const kvFor = () => {
    const kv = backend === 'embedded' ? createSqliteKv(t.store) : createRedisKv({ url: TEST_REDIS_URL, prefix });
    kvs.push(kv);
    return kv;
  };
  try {
    if (backend === 'embedded') {
      const service = await openFlagService({ store: t.store, kv: kvFor(), config });
      await throughputFigures(t.store, service);
      await service.close();
    }
    await propagation(backend, t.store, kvFor);
  } finally {
    for (const kv of kvs) await kv.close();
    await t.cleanup();
    if (backend === 'distributed') await deleteRedisKeys(`${prefix}*`);
  }
}
