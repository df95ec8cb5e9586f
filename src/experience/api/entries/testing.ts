/**
 * FOR TESTS ONLY. The content API on one backend: buildApp over a real data plane (store, queue, kv, search),
 * bearer tokens minted with real signing keys and verified by the app, a tenant with the sandbox `article` type,
 * and a second tenant for cross-tenant checks. `call` sends a request as a role of a tenant.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildArticleType, buildTenant } from '../../../../test/factories.ts';
import type { Backend } from '../../../../test/support/backends.ts';
import { buildApp } from '../../../app.ts';
import { loadConfig } from '../../../config/config.ts';
import { openWebhookBench, TEST_MASTER_SECRET, type WebhookBench } from '../../../content/webhooks/testing.ts';
import type { MemberRole, TenantsTable } from '../../../data/store/schema.ts';
import { openVerifyHarness, type VerifyHarness } from '../../auth/verify/testHarness.ts';

/** Who sends a request. */
export interface Caller {
  readonly role?: MemberRole;
  /** Principal subject (default `user-<role>`). */
  readonly subject?: string;
  readonly kind?: 'user' | 'service';
  /** Tenant the token is for (default: the bench tenant). */
  readonly tenantId?: string;
  /** Raw scope claim (default includes `api`). */
  readonly scope?: string;
  /** null: no Authorization header. */
  readonly bearer?: string | null;
}

/** A request. */
export interface CallOptions extends Caller {
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** What a content API test needs. */
export interface ContentApiBench {
  readonly bench: WebhookBench;
  readonly harness: VerifyHarness;
  readonly app: FastifyInstance;
  readonly tenant: TenantsTable;
  readonly other: TenantsTable;
  /** A token for `caller`. */
  token(caller?: Caller): Promise<string>;
  /** Sends `method path` (path relative to `/api/v1/tenants/`). */
  call(
    method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
    path: string,
    options?: CallOptions,
  ): Promise<LightMyRequestResponse>;
  cleanup(): Promise<void>;
}

/** Opens the bench on `backend`. */
export async function openContentApiBench(backend: Backend): Promise<ContentApiBench> {
  const bench = await openWebhookBench(backend);
  const harness = await openVerifyHarness(backend);
  const config = loadConfig({}, { logLevel: 'silent', maxEventLoopDelayMs: 0, secret: TEST_MASTER_SECRET });
  const app = await buildApp(config, bench.plane, {
    logger: false,
    metrics: bench.metrics,
    verifier: harness.newVerifier(),
  });
  await app.ready();
  const tenant = await buildTenant(bench.store.db);
  const other = await buildTenant(bench.store.db);
  await buildArticleType(bench.store, tenant.id);
  await buildArticleType(bench.store, other.id);

  const token = (caller: Caller = {}) => {
    const role = caller.role ?? 'editor';
    return harness.mint({
      claims: {
        sub: caller.subject ?? `user-${role}`,
        tid: caller.tenantId ?? tenant.id,
        role,
        ...(caller.kind === 'service' ? { client_id: 'svc', gid: undefined, sid: undefined } : {}),
        ...(caller.scope === undefined ? {} : { scope: caller.scope }),
      },
    });
  };

  return {
    bench,
    harness,
    app,
    tenant,
    other,
    token,
    async call(method, path, options = {}) {
      const bearer = options.bearer === undefined ? await token(options) : options.bearer;
      return app.inject({
        method,
        url: `/api/v1/tenants/${path}`,
        headers: { ...(bearer === null ? {} : { authorization: `Bearer ${bearer}` }), ...options.headers },
        ...(options.body === undefined ? {} : { payload: options.body as Record<string, unknown> }),
      });
    },
    async cleanup() {
      await app.close();
      await bench.cleanup();
      await harness.cleanup();
    },
  };
}
