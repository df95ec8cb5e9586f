/**
 * `galley serve`: runs this process's roles. `web` builds the app and listens; `worker` processes every
 * registered queue (a worker-only process serves health, metrics and ops routes on GALLEY_OPS_PORT when set). `--migrate` applies migrations first (under an advisory lock on PostgreSQL), and
 * `--seed-sandbox` makes sure the sandbox tenant exists. SIGTERM/SIGINT drain requests and jobs, then exit.
 */
import { parseArgs } from 'node:util';
import { buildApp, configuredLogging } from '../../app.ts';
import type { Config } from '../../config/config.ts';
import { ConfigError } from '../../config/config.ts';
import { SETTINGS } from '../../config/settings.ts';
import { seedSandbox } from '../../content/identity/sandboxSeeder.ts';
import { migrateToLatest } from '../../data/migrations/migrator.ts';
import { openDataPlane } from '../../data/openDataPlane.ts';
import type { Worker } from '../../data/queue/port.ts';
import { registerPromptSources } from '../../intelligence/prompts/promptRegistrar.ts';
import { createMetrics } from '../../ops/metrics/registry.ts';
import { startTracing } from '../../ops/tracing/tracing.ts';
import { OPS_ROUTES } from '../api/index.ts';
import { loadSecret } from '../auth/secrets.ts';
import { issuerOf } from '../auth/tokenContract.ts';
import { drainAndClose } from '../http/shutdown.ts';
import { startWorkers } from '../workers.ts';

/** Runs `galley serve`; resolves with the exit code after a graceful shutdown. */
export async function runServe(args: readonly string[], base: Config, out: (line: string) => void): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      roles: { type: 'string' },
      migrate: { type: 'boolean', default: false },
      'seed-sandbox': { type: 'boolean', default: false },
    },
  });
  let config = base;
  if (values.roles !== undefined) {
    try {
      config = Object.freeze({ ...base, roles: SETTINGS.roles.parse(values.roles) });
    } catch (error) {
      if (error instanceof ConfigError) {
        out(`galley: ${error.message.replace(SETTINGS.roles.env, '--roles')}`);
        return 2;
      }
      throw error;
    }
  }
  // Before the plane and the app: both add their spans only when tracing runs when they are built.
  const tracing = startTracing(config, { serviceName: 'galley' });
  const plane = await openDataPlane(config);
  if (values.migrate) {
    const report = await migrateToLatest(plane.store);
    out(`migrations: ${report.applied.length} applied, ${report.skipped.length} already applied`);
  }
  if (values['seed-sandbox']) {
    const seeded = await seedSandbox({
      store: plane.store,
      dataDir: config.dataDir,
      oauth: { issuer: issuerOf(config), secret: loadSecret(config) },
    });
    out(
      `sandbox tenant "${seeded.tenant.slug}" ${seeded.created ? 'created' : 'ready'}; credentials: ${seeded.credentialsPath}`,
    );
  }

  // Prompt sources register as versions on every start (idempotent across processes; never promotes: a changed
  // source becomes the candidate label).
  const registered = await registerPromptSources({
    store: plane.store,
    dir: config.promptsDir,
    actor: 'deploy',
    kv: plane.kv,
  });
  out(
    `prompts: ${registered.length} source(s), ${registered.filter((r) => r.inserted).length} new version(s), ${registered.filter((r) => r.outcome === 'candidate').length} task(s) with a candidate differing from production`,
  );

  // One registry per process, shared by the web role and the workers (process-wide default collectors on).
  const metrics = createMetrics();
  const logging = configuredLogging(config);
  // Listening for the stop signals before saying "running": a supervisor may send SIGTERM the moment it reads that.
  const stopSignal = new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  const workers: Worker[] = config.roles.includes('worker') ? startWorkers(plane, config, metrics) : [];
  const web = config.roles.includes('web');
  // A worker-only process serves only health, metrics and ops routes, and only when GALLEY_OPS_PORT asks for it,
  // so the model-call, queue and cost metrics of worker processes can be scraped.
  const app =
    web || config.opsPort > 0
      ? await buildApp(config, plane, { metrics, logging, ...(web ? {} : { routes: OPS_ROUTES }) })
      : undefined;
  if (web && app !== undefined) {
    await app.listen({ port: config.port, host: config.host });
    out(`galley serving on ${config.publicUrl} (roles: ${config.roles.join(',')}, mode: ${config.mode})`);
  } else {
    if (app !== undefined) await app.listen({ port: config.opsPort, host: config.host });
    const ops = app === undefined ? '' : `, ops endpoints on port ${config.opsPort}`;
    out(`galley worker running (mode: ${config.mode}${ops})`);
  }

  const signal = await stopSignal;
  out(`${signal}: draining (up to ${config.shutdownGraceMs} ms)`);
  await Promise.all(workers.map((w) => w.close(config.shutdownGraceMs)));
  if (app !== undefined) await drainAndClose(app, plane, config.shutdownGraceMs);
  else await plane.close(config.shutdownGraceMs);
  metrics.close();
  await tracing.shutdown();
  out('stopped');
  return 0;
}
