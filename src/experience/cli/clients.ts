/**
 * `galley clients create --tenant <slug> --name <name> --role <role>`: a service account with a confidential
 * client_credentials OAuth client. Prints the client id and the secret once (the secret is stored sealed and
 * cannot be shown again), and how to get a token.
 *
 * Applies pending migrations first. Exit codes: 0 success, 1 failure, 2 bad usage.
 */
import { parseArgs } from 'node:util';
import type { Config } from '../../config/config.ts';
import { migrateToLatest } from '../../data/migrations/migrator.ts';
import { openConfiguredStore } from '../../data/store/openStore.ts';
import { MEMBER_ROLES, type MemberRole } from '../../data/store/schema.ts';
import { createServiceClient } from '../auth/oidc/serviceClientCreator.ts';
import { loadSecret } from '../auth/secrets.ts';
import { issuerOf } from '../auth/tokenContract.ts';

const USAGE = 'usage: galley clients create --tenant <slug> --name <name> --role admin|editor|author|viewer';

type Out = (line: string) => void;

/** Runs `galley clients`. */
export async function runClients(args: readonly string[], config: Config, out: Out): Promise<number> {
  const [action, ...rest] = args;
  let values: { tenant?: string; name?: string; role?: string };
  try {
    ({ values } = parseArgs({
      args: rest,
      options: { tenant: { type: 'string' }, name: { type: 'string' }, role: { type: 'string' } },
    }));
  } catch (error) {
    out(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  const role = MEMBER_ROLES.find((r) => r === values.role);
  if (action !== 'create' || !values.tenant || !values.name || role === undefined) {
    out(USAGE);
    return 2;
  }
  const store = openConfiguredStore(config, 2);
  try {
    await migrateToLatest(store);
    const created = await createServiceClient({
      store,
      secret: loadSecret(config),
      tenantSlug: values.tenant,
      name: values.name,
      role: role satisfies MemberRole,
      actor: 'cli',
    });
    out(`client_id:     ${created.clientId}`);
    out(`client_secret: ${created.clientSecret}`);
    out('The secret is shown only now; store it safely.');
    out(`Token: POST ${issuerOf(config)}/token grant_type=client_credentials (client_secret_basic or _post)`);
    return 0;
  } catch (error) {
    out(`galley clients: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    await store.close();
  }
}
