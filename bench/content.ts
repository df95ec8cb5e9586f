/**
 * The editor mix against a running embedded server (issue 4 acceptance): 45 % read entry, 15 % list newest 20,
 * 10 % search, 25 % autosave (PATCH with If-Match), 5 % create, over 10 tenants, every request carrying a JWT the
 * server verifies. Open loop (bench/lib/openLoop.ts: latency from the scheduled send) at 500, 1,000 and
 * 2,000 req/s.
 *
 * The server runs in a child process (`node src/main.ts serve`, temp GALLEY_DATA_DIR, free port,
 * GALLEY_LOG_LEVEL=warn), so load generator and server are separate processes sharing the machine. Seeding goes
 * through the use cases (createEntry) before the server starts. Tokens are minted with the server's own signing
 * key, read from the same data dir's store with the GALLEY_SECRET given to the child.
 *
 * Autosaves never race each other: every PATCH takes an entry from its tenant's autosave pool that no other PATCH
 * is using and sends the ETag the previous answer gave, so any 412 is a real error.
 *
 * Run: npm run bench:content [-- --entries 1000 --seconds 20 --rates 500,1000,2000]
 * Results print and go to bench/results/content-<date>.json. `--cpu-prof DIR` makes the server write a V8 CPU
 * profile into DIR when it stops. `--in-process` measures CPU per request type through `app.inject` instead
 * (bench/lib/requestCpu.ts; `--rounds`, `--count`), which a shared machine disturbs far less than latency.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config/config.ts';
import { GALLEY_API_AUDIENCE, issuerOf } from '../src/experience/auth/tokenContract.ts';
import { prng, vocabulary } from './lib/corpus.ts';
import { editorMix, freePort, mintTokens, seed, serverEnv, startServer, stopServer, TENANTS } from './lib/editorMix.ts';
import { formatResult, machine, type OpenLoopResult, openLoop } from './lib/openLoop.ts';
import { processCpuMs } from './lib/processCpu.ts';
import { formatRequestCpu, measureRequestCpu } from './lib/requestCpu.ts';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      entries: { type: 'string', default: '1000' },
      seconds: { type: 'string', default: '20' },
      rates: { type: 'string', default: '500,1000,2000' },
      'cpu-prof': { type: 'string' },
      'in-process': { type: 'boolean', default: false },
      rounds: { type: 'string', default: '5' },
      count: { type: 'string', default: '200' },
    },
  });
  const perTenant = Number(values.entries);
  if (values['in-process']) {
    const result = await measureRequestCpu({
      entries: perTenant,
      count: Number(values.count),
      rounds: Number(values.rounds),
    });
    console.log(
      `CPU per request, in-process (load average ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}):`,
    );
    console.log(formatRequestCpu(result));
    return;
  }
  const seconds = Number(values.seconds);
  const rates = values.rates.split(',').map(Number);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'galley-bench-content-'));
  const secret = randomBytes(32).toString('base64url');
  const port = await freePort();
  const env = serverEnv(dir, secret, port);
  const config = loadConfig(env);
  let child: ChildProcess | undefined;
  try {
    const started = performance.now();
    const tenants = await seed(config.sqlitePath, secret, perTenant);
    console.log(`seeded ${TENANTS} tenants × ${perTenant} entries in ${Math.round(performance.now() - started)} ms`);
    const profile = values['cpu-prof'] === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${values['cpu-prof']}`];
    const base = `http://127.0.0.1:${port}`;
    child = await startServer(env, base, profile);
    const words = vocabulary(5000, prng(42)).slice(200, 1200);
    const results: (OpenLoopResult & { cpu: unknown })[] = [];
    for (const rate of rates) {
      // Fresh tokens per run: they live 5 minutes.
      await mintTokens(config.sqlitePath, secret, tenants, issuerOf(config), GALLEY_API_AUDIENCE(config));
      const op = editorMix(base, tenants, words);
      await openLoop({ name: 'warm-up', rate: Math.min(rate, 500), durationS: 2, op });
      const cpuBefore = processCpuMs(child.pid);
      const ownBefore = process.cpuUsage();
      const result = await openLoop({
        name: `editor mix @ ${rate}/s`,
        rate,
        durationS: seconds,
        op,
        maxInFlight: 2000,
      });
      const own = process.cpuUsage(ownBefore);
      const cpuAfter = processCpuMs(child.pid);
      const requests = result.ok + result.errors;
      // CPU per request of the server process (all its threads) and of this load generator: steadier than latency
      // on a shared machine.
      const cpu = {
        serverUsPerRequest:
          cpuBefore === undefined || cpuAfter === undefined || requests === 0
            ? null
            : Math.round(((cpuAfter - cpuBefore) * 1000) / requests),
        loadGeneratorUsPerRequest: requests === 0 ? null : Math.round((own.user + own.system) / requests),
        loadAverage: os.loadavg().map((l) => Number(l.toFixed(2))),
      };
      console.log(
        `${formatResult(result)} server-cpu=${cpu.serverUsPerRequest ?? '?'}µs/req loadgen-cpu=${cpu.loadGeneratorUsPerRequest ?? '?'}µs/req load=${cpu.loadAverage.join(',')}`,
      );
      results.push({ ...result, cpu });
    }
    const outDir = path.join(import.meta.dirname, 'results');
    mkdirSync(outDir, { recursive: true });
    const file = path.join(outDir, `content-${new Date().toISOString().replaceAll(':', '-').replace('.', '-')}.json`);
    writeFileSync(
      file,
      `${JSON.stringify({ machine: machine(), tenants: TENANTS, entriesPerTenant: perTenant, target: { rate: 2000, p95Ms: 20, errors: 0 }, results }, null, 2)}\n`,
    );
    console.log(`wrote ${file}`);
  } finally {
    if (child !== undefined) await stopServer(child);
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
