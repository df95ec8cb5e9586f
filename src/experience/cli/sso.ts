/**
 * `galley sso add|list|remove`: a tenant's upstream OpenID Connect providers.
 *
 *   galley sso add --tenant <slug> --name <n> --issuer <url> --client-id <id> --client-secret <s|->
 *                  [--domains a.com,b.com] [--role author]
 *   galley sso list --tenant <slug>
 *   galley sso remove --tenant <slug> --id <provider id>
 *
 * `--client-secret -` reads the secret from standard input, so it stays out of shell history and process
 * listings. The redirect URI to register at the upstream is printed by `add`. Applies pending migrations first
 * (like `galley seed`). Exit codes: 0 success, 1 failure, 2 bad usage.
 */

import { parseArgs } from 'node:util';
import type { Config } from '../../config/config.ts';
import { migrateToLatest } from '../../data/migrations/migrator.ts';
import { openConfiguredStore } from '../../data/store/openStore.ts';
import type { Store } from '../../data/store/port.ts';
import { MEMBER_ROLES, type MemberRole } from '../../data/store/schema.ts';
import { loadSecret } from '../auth/secrets.ts';
import { addSsoProvider, listSsoProviders, removeSsoProvider } from '../auth/sso/ssoProviders.ts';
import { SSO_CALLBACK_PATH } from '../auth/sso/ssoRoutes.ts';
import { tenantIdForSlug } from './tenantArg.ts';

const USAGE = [
  'usage: galley sso add --tenant <slug> --name <name> --issuer <url> --client-id <id> --client-secret <secret|->',
  '                      [--domains a.com,b.com] [--role admin|editor|author|viewer]',
  '       galley sso list --tenant <slug>',
  '       galley sso remove --tenant <slug> --id <provider id>',
].join('\n');

type Out = (line: string) => void;

const OPTIONS = {
  tenant: { type: 'string' },
  name: { type: 'string' },
  issuer: { type: 'string' },
  'client-id': { type: 'string' },
  'client-secret': { type: 'string' },
  domains: { type: 'string' },
  role: { type: 'string' },
  id: { type: 'string' },
} as const;

type Values = { readonly [K in keyof typeof OPTIONS]?: string };

/** Thrown for bad usage: exit 2. */
class UsageError extends Error {}

function need(values: Values, name: keyof typeof OPTIONS): string {
  const value = values[name];
  if (value === undefined || value === '') throw new UsageError(`--${name} is required`);
  return value;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8').trim();
}

async function add(store: Store, config: Config, values: Values, out: Out): Promise<number> {
  const role = values.role;
  if (role !== undefined && !(MEMBER_ROLES as readonly string[]).includes(role)) {
    throw new UsageError(`--role must be one of ${MEMBER_ROLES.filter((r) => r !== 'owner').join(', ')}`);
  }
  const rawSecret = need(values, 'client-secret');
  const provider = await addSsoProvider({
    db: store.db,
    secret: loadSecret(config),
    tenantId: await tenantIdForSlug(store, need(values, 'tenant')),
    name: need(values, 'name'),
    issuer: need(values, 'issuer'),
    clientId: need(values, 'client-id'),
    clientSecret: rawSecret === '-' ? await readStdin() : rawSecret,
    domains: (values.domains ?? '').split(','),
    ...(role === undefined ? {} : { defaultRole: role as MemberRole }),
    actor: 'system',
  });
  out(`added SSO provider "${provider.name}" (${provider.id})`);
  out(`register this redirect URI at the provider: ${config.publicUrl}${SSO_CALLBACK_PATH}`);
  return 0;
}

async function list(store: Store, values: Values, out: Out): Promise<number> {
  const providers = await listSsoProviders(store, await tenantIdForSlug(store, need(values, 'tenant')));
  for (const p of providers) {
    const domains = p.domains.length === 0 ? '(none)' : p.domains.join(',');
    out(`${p.id}  ${p.name}  issuer=${p.issuer}  client_id=${p.clientId}  domains=${domains}  role=${p.defaultRole}`);
  }
  out(`${providers.length} SSO provider(s)`);
  return 0;
}

async function remove(store: Store, values: Values, out: Out): Promise<number> {
  const id = need(values, 'id');
  await removeSsoProvider({
    db: store.db,
    tenantId: await tenantIdForSlug(store, need(values, 'tenant')),
    providerId: id,
    actor: 'system',
  });
  out(`removed SSO provider ${id}`);
  return 0;
}

/** Runs `galley sso`; resolves with the process exit code. */
export async function runSso(args: readonly string[], config: Config, out: Out): Promise<number> {
  const [sub, ...rest] = args;
  let values: Values;
  try {
    ({ values } = parseArgs({ args: rest, options: OPTIONS, strict: true, allowPositionals: false }));
  } catch (error) {
    out(`galley sso: ${error instanceof Error ? error.message : String(error)}`);
    out(USAGE);
    return 2;
  }
  if (sub !== 'add' && sub !== 'list' && sub !== 'remove') {
    out(USAGE);
    return 2;
  }
  const store = openConfiguredStore(config);
  try {
    await migrateToLatest(store);
    if (sub === 'add') return await add(store, config, values, out);
    if (sub === 'list') return await list(store, values, out);
    return await remove(store, values, out);
  } catch (error) {
    out(`galley sso ${sub}: ${error instanceof Error ? error.message : String(error)}`);
    if (error instanceof UsageError) {
      out(USAGE);
      return 2;
    }
    return 1;
  } finally {
    await store.close();
  }
}
