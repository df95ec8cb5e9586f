/**
 * CPU per request of the editor mix, measured in-process: the same seeded store as bench/content.ts, the app built
 * as `galley serve --roles web` builds it (tracing, metrics, sampled logging), every request through `app.inject`
 * with a real JWT. Each request type runs in rounds of `count` requests one after another, the types alternating
 * round by round; the figure per type is the median over rounds of process CPU time (user + system, from
 * `process.cpuUsage`) divided by the requests in the round. This leaves out HTTP parsing and socket work (about
 * 150–200 µs of a real request) but is far steadier than latency on a shared machine. Writes run one at a time, so
 * each pays a COMMIT of its own that group commit would share under load.
 *
 * Run: node bench/lib/requestCpu.ts [--entries 1000 --count 200 --rounds 5 --only get,search --cpu-prof out.cpuprofile]
 * (or npm run bench:content -- --in-process).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { buildApp, configuredLogging } from '../../src/app.ts';
import { loadConfig } from '../../src/config/config.ts';
import { openDataPlane } from '../../src/data/openDataPlane.ts';
import { GALLEY_API_AUDIENCE, issuerOf } from '../../src/experience/auth/tokenContract.ts';
import { createMetrics } from '../../src/ops/metrics/registry.ts';
import { startTracing } from '../../src/ops/tracing/tracing.ts';
import { prng, vocabulary } from './corpus.ts';
import { mintTokens, seed, type TenantState } from './editorMix.ts';

/** Request types of the mix with their share. */
export const REQUEST_TYPES = [
  { name: 'get', label: 'GET entry', share: 0.45 },
  { name: 'list', label: 'list newest 20', share: 0.15 },
  { name: 'search', label: 'search', share: 0.1 },
  { name: 'patch', label: 'PATCH autosave', share: 0.25 },
  { name: 'create', label: 'create', share: 0.05 },
] as const;

type RequestType = (typeof REQUEST_TYPES)[number]['name'];

/** Median CPU µs per request of each type measured, and the mix's weighted mean (when every type was measured). */
export interface RequestCpu {
  readonly perType: Readonly<Partial<Record<RequestType, number>>>;
  readonly weighted: number | undefined;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

function requester(app: FastifyInstance, tenants: readonly TenantState[], words: readonly string[]) {
  let i = 0;
  let created = 0;
  const check = (status: number, expected: number, what: string, body: string) => {
    if (status !== expected) throw new Error(`${what}: ${status} ${body.slice(0, 200)}`);
  };
  return async (type: RequestType): Promise<void> => {
    i += 1;
    const t = tenants[i % tenants.length];
    if (t === undefined) throw new Error('no tenant');
    const authorization = `Bearer ${t.token}`;
    const api = `/api/v1/tenants/${t.slug}`;
    if (type === 'get') {
      const id = t.readIds[(i * 7919) % t.readIds.length];
      const res = await app.inject({ method: 'GET', url: `${api}/entries/${id}`, headers: { authorization } });
      return check(res.statusCode, 200, 'get', res.body);
    }
    if (type === 'list') {
      const res = await app.inject({ method: 'GET', url: `${api}/entries?limit=20`, headers: { authorization } });
      return check(res.statusCode, 200, 'list', res.body);
    }
    if (type === 'search') {
      const q = words[(i * 31) % words.length];
      const res = await app.inject({ method: 'GET', url: `${api}/search?q=${q}&limit=20`, headers: { authorization } });
      return check(res.statusCode, 200, 'search', res.body);
    }
    if (type === 'create') {
      created += 1;
      const res = await app.inject({
        method: 'POST',
        url: `${api}/entries`,
        headers: { authorization, 'content-type': 'application/json' },
        payload: JSON.stringify({ type: 'article', fields: { title: `created ${created}`, body: 'new', tags: [] } }),
      });
      return check(res.statusCode, 201, 'create', res.body);
    }
    const slot = t.autosave[i % t.autosave.length];
    if (slot === undefined) throw new Error('no autosave entry');
    const res = await app.inject({
      method: 'PATCH',
      url: `${api}/entries/${slot.id}`,
      headers: { authorization, 'content-type': 'application/json', 'if-match': slot.etag },
      payload: JSON.stringify({ fields: { body: `autosave ${i}` } }),
    });
    check(res.statusCode, 200, 'patch', res.body);
    const etag = res.headers.etag;
    if (typeof etag === 'string') slot.etag = etag;
  };
}

/** Measures CPU per request type against a freshly seeded embedded store (see the module comment). */
export async function measureRequestCpu(options: {
  entries: number;
  count: number;
  rounds: number;
  /** Only these request types (default: all). */
  only?: readonly RequestType[];
  /** Write a V8 CPU profile of the measured rounds (seeding and warm-up left out) to this file. */
  cpuProfile?: string;
}): Promise<RequestCpu> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'galley-bench-cpu-'));
  const secret = randomBytes(32).toString('base64url');
  const config = loadConfig({
    ...process.env,
    GALLEY_DATA_DIR: dir,
    GALLEY_SECRET: secret,
    GALLEY_LOG_LEVEL: 'warn',
    GALLEY_PUBLIC_URL: 'http://127.0.0.1:8080',
    GALLEY_ROLES: 'web',
  });
  const tracing = startTracing(config, { serviceName: 'galley' });
  try {
    const tenants = await seed(config.sqlitePath, secret, options.entries);
    await mintTokens(config.sqlitePath, secret, tenants, issuerOf(config), GALLEY_API_AUDIENCE(config));
    const plane = await openDataPlane(config);
    const metrics = createMetrics();
    const logging = configuredLogging(config);
    const app = await buildApp(config, plane, { metrics, logging });
    await app.ready();
    try {
      const words = vocabulary(5000, prng(42)).slice(200, 1200);
      const send = requester(app, tenants, words);
      const samples = new Map<RequestType, number[]>(REQUEST_TYPES.map((t) => [t.name, []]));
      const types = REQUEST_TYPES.filter((t) => options.only === undefined || options.only.includes(t.name));
      const profiler = options.cpuProfile === undefined ? undefined : new Session();
      // Round 0 warms up (JIT, statement caches) and is not counted.
      for (let round = 0; round <= options.rounds; round++) {
        if (round === 1 && profiler !== undefined) {
          profiler.connect();
          await profiler.post('Profiler.enable');
          await profiler.post('Profiler.start');
        }
        for (const { name } of types) {
          const before = process.cpuUsage();
          for (let n = 0; n < options.count; n++) await send(name);
          const used = process.cpuUsage(before);
          if (round > 0) samples.get(name)?.push((used.user + used.system) / options.count);
        }
      }
      if (profiler !== undefined && options.cpuProfile !== undefined) {
        const { profile } = await profiler.post('Profiler.stop');
        writeFileSync(options.cpuProfile, JSON.stringify(profile));
        profiler.disconnect();
      }
      const perType: Partial<Record<RequestType, number>> = Object.fromEntries(
        types.map((t) => [t.name, median(samples.get(t.name) ?? [])]),
      );
      const weighted =
        types.length === REQUEST_TYPES.length
          ? types.reduce((sum, t) => sum + t.share * (perType[t.name] ?? 0), 0)
          : undefined;
      return { perType, weighted };
    } finally {
      await app.close();
      await plane.close(1000);
      metrics.close();
    }
  } finally {
    await tracing.shutdown();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Prints the figures of one measurement. */
export function formatRequestCpu(result: RequestCpu): string {
  const lines = REQUEST_TYPES.flatMap((t) => {
    const us = result.perType[t.name];
    return us === undefined ? [] : [`  ${t.label.padEnd(16)} ${Math.round(us)} µs`];
  });
  if (result.weighted !== undefined) lines.push(`  weighted mix     ${Math.round(result.weighted)} µs`);
  return lines.join('\n');
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      entries: { type: 'string', default: '1000' },
      count: { type: 'string', default: '200' },
      rounds: { type: 'string', default: '5' },
      only: { type: 'string' },
      'cpu-prof': { type: 'string' },
    },
  });
  const names: readonly string[] = REQUEST_TYPES.map((t) => t.name);
  const only = values.only?.split(',').filter((name): name is RequestType => names.includes(name));
  const result = await measureRequestCpu({
    entries: Number(values.entries),
    count: Number(values.count),
    rounds: Number(values.rounds),
    ...(only === undefined ? {} : { only }),
    ...(values['cpu-prof'] === undefined ? {} : { cpuProfile: values['cpu-prof'] }),
  });
  console.log(
    `CPU per request (in-process, load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}):`,
  );
  console.log(formatRequestCpu(result));
}
