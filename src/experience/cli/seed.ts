/** `galley seed --sandbox`: creates the sandbox tenant and its owner, and writes the credentials file. */
import { parseArgs } from 'node:util';
import type { Config } from '../../config/config.ts';
import { seedSandbox } from '../../content/identity/sandboxSeeder.ts';
import { migrateToLatest } from '../../data/migrations/migrator.ts';
import { openDataPlane } from '../../data/openDataPlane.ts';
import { loadSecret } from '../auth/secrets.ts';
import { issuerOf } from '../auth/tokenContract.ts';

/** Runs `galley seed`. */
export async function runSeed(args: readonly string[], config: Config, out: (line: string) => void): Promise<number> {
  const { values } = parseArgs({ args: [...args], options: { sandbox: { type: 'boolean', default: false } } });
  if (!values.sandbox) {
    out('usage: galley seed --sandbox');
    return 2;
  }
  const plane = await openDataPlane(config);
  try {
    await migrateToLatest(plane.store);
    const result = await seedSandbox({
      store: plane.store,
      dataDir: config.dataDir,
      oauth: { issuer: issuerOf(config), secret: loadSecret(config) },
    });
    out(
      `sandbox tenant "${result.tenant.slug}" ${result.created ? 'created' : 'ready'}; credentials: ${result.credentialsPath}`,
    );
    return 0;
  } finally {
    await plane.close(0);
  }
}
