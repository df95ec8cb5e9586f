/**
 * Login metrics of the machine and device identity providers, read off the token endpoint: one
 * `client_credentials` login per client-credentials token request, one `device` login per device-code exchange
 * that ends (pending polls are not logins). Failure reasons come from the bounded AUTH_REASONS vocabulary,
 * mapped from the OAuth error code, never from a message.
 */
import { performance } from 'node:perf_hooks';
import type { MiddlewareContext } from 'oidc-provider';
import type { AUTH_REASONS } from '../../../ops/metrics/labels.ts';
import type { GalleyMetrics } from '../../../ops/metrics/registry.ts';
import { DEVICE_CODE_GRANT } from './staticClients.ts';

type Reason = (typeof AUTH_REASONS)[number];

const PROVIDERS: Readonly<Record<string, string>> = {
  client_credentials: 'client_credentials',
  [DEVICE_CODE_GRANT]: 'device',
};

/** Polls that are not an outcome yet. */
const NOT_YET = new Set(['authorization_pending', 'slow_down']);

function reasonOf(error: string): Reason {
  switch (error) {
    case 'invalid_client':
      return 'invalid_credentials';
    case 'expired_token':
      return 'expired';
    case 'access_denied':
      return 'denied';
    case 'server_error':
    case 'temporarily_unavailable':
      return 'internal';
    default:
      return 'invalid_request';
  }
}

/** Provider middleware recording client-credentials and device logins on `metrics`. */
export function recordGrantLogins(metrics: GalleyMetrics) {
  return async (ctx: MiddlewareContext, next: () => Promise<void>): Promise<void> => {
    if (ctx.method !== 'POST' || ctx.path !== '/token') {
      await next();
      return;
    }
    const started = performance.now();
    try {
      await next();
    } finally {
      const grantType = ctx.oidc?.params?.grant_type;
      const provider = typeof grantType === 'string' ? PROVIDERS[grantType] : undefined;
      const error = (ctx.body as { error?: unknown } | undefined)?.error;
      if (provider !== undefined && !(typeof error === 'string' && NOT_YET.has(error))) {
        const seconds = (performance.now() - started) / 1000;
        if (ctx.status === 200) metrics.recordLogin({ provider, outcome: 'success', seconds });
        else metrics.recordLogin({ provider, outcome: 'failure', reason: reasonOf(String(error)), seconds });
      }
    }
  };
}
