/**
 * Refresh-token rotation without spurious `invalid_grant` (panva/node-oidc-provider#1086): a wrapper around the
 * provider's own refresh_token grant handler, after client authentication.
 *
 * Contract:
 * - Requests presenting the same refresh token for the same client within the grace window all get the SAME
 *   token response: the first one (the leader, elected with kv.compareAndSet) runs the real rotation; the
 *   others wait for its response, which is cached in kv (sealed) for `graceMs` after it was produced. The kv is
 *   shared, so this holds across processes on Redis.
 * - After the window the token is simply consumed: the provider's reuse detection answers `invalid_grant` and
 *   revokes the whole grant (and the adapter's destroy hook writes the grant deny-list entry).
 * - A leader that fails releases the lock; waiting requests then run the grant themselves and get the real
 *   outcome. Every outcome is recorded with metrics.recordRefresh.
 */
import { createHash, createSecretKey } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { KoaContextWithOIDC, Provider, Token } from 'oidc-provider';
import type { Kv } from '../../../data/kv/port.ts';
import type { REFRESH_OUTCOMES } from '../../../ops/metrics/labels.ts';
import type { GalleyMetrics } from '../../../ops/metrics/registry.ts';
import { seal, unseal } from '../secrets.ts';

type GrantHandler = (ctx: KoaContextWithOIDC) => Promise<void>;
type RefreshOutcome = (typeof REFRESH_OUTCOMES)[number];

/** Options of the single-flight wrapper. */
export interface RefreshSingleFlightOptions {
  readonly provider: Provider;
  readonly kv: Kv;
  /** Grace window in ms; 0 turns the single-flight off (plain rotation with reuse detection). */
  readonly graceMs: number;
  /** Key sealing cached token responses in kv (deriveKey(secret, 'refresh-grace')). */
  readonly sealKey: Buffer;
  readonly metrics?: GalleyMetrics;
  /** How long a leader may take before waiting requests give up on it (default 30 s). */
  readonly leaseMs?: number;
  /** Poll interval of waiting requests (default 15 ms). */
  readonly pollMs?: number;
}

const PENDING = 'pending';

/** The kv key of one refresh token presented by one client. */
export function singleFlightKey(refreshToken: string, clientId: string): string {
  return `auth:refresh:${createHash('sha256').update(`${clientId}\n${refreshToken}`).digest('base64url')}`;
}

interface CachedResponse {
  /** When the leader produced it, epoch ms. */
  readonly at: number;
  readonly body: Record<string, unknown>;
}

/** Wraps the provider's refresh_token handler (see the module comment). */
export function refreshSingleFlight(original: GrantHandler, options: RefreshSingleFlightOptions): GrantHandler {
  const leaseMs = options.leaseMs ?? 30_000;
  const pollMs = options.pollMs ?? 15;
  // Imported once: sealing with the raw Buffer would import the key on every refresh.
  const sealKey = createSecretKey(options.sealKey);
  const record = (outcome: RefreshOutcome) => options.metrics?.recordRefresh(outcome);

  /**
   * Runs the real rotation, recording why it failed when it does. The token is read for the classification only
   * on failure (a success, the hot path, reads it once, inside the handler): the handler keeps the token it
   * loaded as an entity before it changes anything (consume, reuse revocation), so a failure after that point is
   * classified from the token as it was; a failure before it left the store untouched, so reading now is the
   * same as reading before.
   */
  const rotate = async (ctx: KoaContextWithOIDC, value: string): Promise<void> => {
    try {
      await original(ctx);
      record('rotated');
    } catch (error) {
      const { RotatedRefreshToken: rotated, RefreshToken: loaded } = ctx.oidc.entities;
      const before = rotated ?? loaded ?? (await options.provider.RefreshToken.find(value, { ignoreExpiration: true }));
      record(await classify(options.provider, before));
      throw error;
    }
  };

  return async (ctx) => {
    const value = ctx.oidc.params?.refresh_token;
    const clientId = ctx.oidc.client?.clientId;
    if (options.graceMs <= 0 || typeof value !== 'string' || clientId === undefined) {
      await rotate(ctx, typeof value === 'string' ? value : '');
      return;
    }
    const key = singleFlightKey(value, clientId);
    for (;;) {
      if (await options.kv.compareAndSet(key, null, PENDING, { ttlMs: leaseMs })) {
        try {
          await rotate(ctx, value);
        } catch (error) {
          await options.kv.delete(key);
          throw error;
        }
        const cached: CachedResponse = { at: Date.now(), body: ctx.body as Record<string, unknown> };
        await options.kv.set(key, seal(sealKey, JSON.stringify(cached)), { ttlMs: options.graceMs });
        return;
      }
      const cached = await waitForLeader(options.kv, key, leaseMs, pollMs);
      if (cached !== undefined) {
        ctx.body = replay(JSON.parse(unseal(sealKey, cached)) as CachedResponse);
        record('grace_reused');
        return;
      }
      // The leader failed (or its response outlived the window between two polls): compete again.
    }
  };
}

/** Polls until the leader's response appears (returned) or the key disappears (undefined). */
async function waitForLeader(kv: Kv, key: string, leaseMs: number, pollMs: number): Promise<string | undefined> {
  const deadline = Date.now() + leaseMs;
  while (Date.now() < deadline) {
    const value = await kv.get(key);
    if (value === undefined) return undefined;
    if (value !== PENDING) return value;
    await sleep(pollMs);
  }
  return undefined;
}

/** The cached response with `expires_in` counted from now rather than from when the leader got it. */
function replay(cached: CachedResponse): Record<string, unknown> {
  const body = { ...cached.body };
  if (typeof body.expires_in === 'number') {
    body.expires_in = Math.max(1, body.expires_in - Math.floor((Date.now() - cached.at) / 1000));
  }
  return body;
}

/** Why a refresh failed, from the token as it was before the attempt. */
async function classify(provider: Provider, before: Token | undefined): Promise<RefreshOutcome> {
  if (before === undefined) return 'invalid';
  if (before.consumed !== undefined) return 'reuse_detected';
  if (before.isExpired) return 'expired';
  if (before.grantId !== undefined && (await provider.Grant.find(before.grantId)) === undefined) return 'revoked';
  return 'invalid';
}
