/**
 * Tracing overhead (issue "Observability" acceptance): the Content core editor mix (bench/lib/editorMix.ts) at
 * 1,000 req/s against the embedded server with instrumentation on and off, in one run, and the p95 overhead.
 *
 * - **off**: GALLEY_TRACE_RING_SIZE=0 and no OTLP endpoint: no provider is registered, the data plane is not
 *   wrapped and the HTTP tracing plugin is not installed.
 * - **on**: GALLEY_TRACE_RING_SIZE=2048 (the default): every port wrapped, HTTP spans, spans kept in the ring.
 *   GALLEY_LOG_SAMPLE_RATE=1 in both runs, so the trace sampler keeps *every* request (the worst case; the default
 *   rate 0.05 records 1 in 20; `--sample 0.05` measures that). At GALLEY_LOG_LEVEL=warn successful requests write no log line in either run, so
 *   logging costs the same in both.
 *
 * Both servers run in turn on the same seeded data directory, as child processes (`node src/main.ts serve`), each
 * warmed up first; `--rounds n` alternates off/on n times (later rounds in the order on/off) to expose drift.
 * After each "on" run the ring is read through `GET /api/v1/ops/traces` to show the spans were really recorded.
 * Besides latency, the server's CPU time per request (from /proc/<pid>/stat) is printed for each run: on a machine
 * shared with other work, latency percentiles swing with the neighbours' load, CPU per request much less.
 *
 * Run: npm run bench:observability [-- --entries 1000 --seconds 20 --rate 1000 --rounds 1 --sample 1]
 * Results print and go to bench/results/observability-<date>.json.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { type Config, loadConfig } from '../src/config/config.ts';
import { openSqliteStore } from '../src/data/store/sqlite/sqliteStore.ts';
import { loadKeySet } from '../src/experience/auth/keys/signingKeys.ts';
import { GALLEY_API_AUDIENCE, issuerOf } from '../src/experience/auth/tokenContract.ts';
import { mintAccessToken } from '../src/experience/auth/verify/tokenMinting.ts';
import type { TraceDump } from '../src/ops/tracing/traceDump.ts';
import { prng, vocabulary } from './lib/corpus.ts';
import {
  editorMix,
  freePort,
  mintTokens,
  seed,
  serverEnv,
  startServer,
  stopServer,
  TENANTS,
  type TenantState,
} from './lib/editorMix.ts';
import { formatResult, machine, type OpenLoopResult, openLoop } from './lib/openLoop.ts';
import { processCpuMs } from './lib/processCpu.ts';

type Mode = 'off' | 'on';

interface RunResult extends OpenLoopResult {
  readonly mode: Mode;
  /** Server CPU time (user + system) per completed request during the measured run, in ms. */
  readonly serverCpuMsPerRequest: number;
  /** Spans the ring held after the run ("on" only). */
  readonly spansHeld?: number;
  /** Span names of the newest trace ("on" only): what one request recorded. */
  readonly sampleTrace?: readonly string[];
}

/** Clock ticks per second of /proc/<pid>/stat times. */
/** An owner token for the ops route, signed with the server's key. */
async function ownerToken(config: Config, secret: string, tenant: TenantState): Promise<string> {
  const store = openSqliteStore({ filename: config.sqlitePath });
  try {
    const [key] = (await loadKeySet(store, secret)).signing;
    if (key === undefined) throw new Error('no signing key in the store');
    return await mintAccessToken(key, {
      issuer: issuerOf(config),
      audience: GALLEY_API_AUDIENCE(config),
      claims: { sub: 'bench-owner', tid: tenant.id, role: 'owner' },
    });
  } finally {
    await store.close();
  }
}

/** What the ring holds, read through the ops route. */
async function readRing(base: string, token: string): Promise<{ held: number; sample: string[] }> {
  const response = await fetch(`${base}/api/v1/ops/traces?limit=50`, { headers: { authorization: `Bearer ${token}` } });
  if (!response.ok) throw new Error(`ops/traces answered ${response.status}`);
  const dump = (await response.json()) as TraceDump;
  // Under overload a trace may be partial (children ended, the server span still in flight): look for a whole one.
  const request = dump.traces.find((t) => t.rootName.startsWith('PATCH '));
  return {
    held: dump.held,
    sample: request?.spans.map((s) => s.name) ?? ['(no whole PATCH trace among the newest 50)'],
  };
}

interface Setup {
  readonly env: NodeJS.ProcessEnv;
  readonly config: Config;
  readonly secret: string;
  readonly tenants: TenantState[];
  readonly words: readonly string[];
}

/** Starts a server in `mode`, warms it up, drives the mix and stops it. */
async function runMode(setup: Setup, mode: Mode, rate: number, seconds: number): Promise<RunResult> {
  const { config, secret, tenants } = setup;
  const env = { ...setup.env, GALLEY_TRACE_RING_SIZE: mode === 'on' ? '2048' : '0' };
  const base = `http://127.0.0.1:${config.port}`;
  const child = await startServer(env, base);
  try {
    await mintTokens(config.sqlitePath, secret, tenants, issuerOf(config), GALLEY_API_AUDIENCE(config));
    const op = editorMix(base, tenants, setup.words);
    await openLoop({ name: 'warm-up', rate: Math.min(rate, 500), durationS: 3, op });
    const cpuBefore = processCpuMs(child.pid) ?? Number.NaN;
    const loop = await openLoop({
      name: `editor mix @ ${rate}/s, tracing ${mode}`,
      rate,
      durationS: seconds,
      op,
      maxInFlight: 2000,
    });
    const cpuAfter = processCpuMs(child.pid) ?? Number.NaN;
    const serverCpuMsPerRequest = Math.round(((cpuAfter - cpuBefore) * 1000) / Math.max(1, loop.ok)) / 1000;
    const result = { ...loop, mode, serverCpuMsPerRequest };
    console.log(`${formatResult(loop)} server-cpu=${serverCpuMsPerRequest}ms/req`);
    if (mode === 'off') return result;
    const first = tenants[0];
    if (first === undefined) throw new Error('no tenant');
    const ring = await readRing(base, await ownerToken(config, secret, first));
    console.log(`  ring: ${ring.held} spans held; one PATCH recorded: ${ring.sample.join(' › ')}`);
    return { ...result, spansHeld: ring.held, sampleTrace: ring.sample };
  } finally {
    await stopServer(child);
  }
}

const percent = (on: number, off: number): number => Math.round(((on - off) / off) * 1000) / 10;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      entries: { type: 'string', default: '1000' },
      seconds: { type: 'string', default: '20' },
      rate: { type: 'string', default: '1000' },
      rounds: { type: 'string', default: '1' },
      sample: { type: 'string', default: '1' },
    },
  });
  const perTenant = Number(values.entries);
  const seconds = Number(values.seconds);
  const rate = Number(values.rate);
  const rounds = Number(values.rounds);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'galley-bench-observability-'));
  const secret = randomBytes(32).toString('base64url');
  const port = await freePort();
  const env = {
    ...serverEnv(dir, secret, port),
    GALLEY_LOG_SAMPLE_RATE: values.sample,
    OTEL_EXPORTER_OTLP_ENDPOINT: '',
  };
  const config = loadConfig(env);
  try {
    const started = performance.now();
    const tenants = await seed(config.sqlitePath, secret, perTenant);
    console.log(`seeded ${TENANTS} tenants × ${perTenant} entries in ${Math.round(performance.now() - started)} ms`);
    console.log(
      `load average at start: ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
    const setup: Setup = { env, config, secret, tenants, words: vocabulary(5000, prng(42)).slice(200, 1200) };
    const results: RunResult[] = [];
    for (let round = 0; round < rounds; round += 1) {
      const order: Mode[] = round % 2 === 0 ? ['off', 'on'] : ['on', 'off'];
      for (const mode of order) results.push(await runMode(setup, mode, rate, seconds));
    }
    const p95 = (mode: Mode) => {
      const mine = results.filter((r) => r.mode === mode);
      return mine.reduce((sum, r) => sum + r.p95Ms, 0) / mine.length;
    };
    const cpu = (mode: Mode) => {
      const mine = results.filter((r) => r.mode === mode);
      return mine.reduce((sum, r) => sum + r.serverCpuMsPerRequest, 0) / mine.length;
    };
    const cpuOverhead = percent(cpu('on'), cpu('off'));
    const overhead = percent(p95('on'), p95('off'));
    console.log(
      `p95 off ${p95('off').toFixed(2)} ms, on ${p95('on').toFixed(2)} ms: overhead ${overhead} % (target ≤ 10 %)`,
    );
    console.log(
      `server CPU per request off ${cpu('off').toFixed(3)} ms, on ${cpu('on').toFixed(3)} ms: overhead ${cpuOverhead} %`,
    );
    console.log(
      `load average at end: ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
    const outDir = path.join(import.meta.dirname, 'results');
    mkdirSync(outDir, { recursive: true });
    const stamp = new Date().toISOString().replaceAll(':', '-').replace('.', '-');
    const file = path.join(outDir, `observability-${stamp}.json`);
    writeFileSync(
      file,
      `${JSON.stringify({ machine: machine(), loadAverage: os.loadavg(), tenants: TENANTS, entriesPerTenant: perTenant, target: { rate, p95OverheadPercent: 10 }, traceSampleRate: Number(values.sample), p95OverheadPercent: overhead, cpuPerRequestOverheadPercent: cpuOverhead, results }, null, 2)}\n`,
    );
    console.log(`wrote ${file}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
